package org.fewner.llm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fewner.common.FewNerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokenizer.json inputs that made the native tokenizers library panic (JVM abort, exit 134),
 * found by mutating valid files ({@code ParserFuzzTest} in the cli module): each is refused in Java
 * with one line naming the file, before the native library sees it. Plus a truncated file.
 */
class TokenizerJsonTest {
    @TempDir Path tmp;

    /** A small valid WordPiece tokenizer.json with a BERT template post-processor. */
    static String valid() {
        return """
                {"version":"1.0","truncation":null,"padding":null,
                 "added_tokens":[{"id":0,"content":"[PAD]","single_word":false,"lstrip":false,
                   "rstrip":false,"normalized":false,"special":true}],
                 "normalizer":null,"pre_tokenizer":{"type":"Whitespace"},
                 "post_processor":{"type":"TemplateProcessing",
                   "single":[{"SpecialToken":{"id":"[CLS]","type_id":0}},
                             {"Sequence":{"id":"A","type_id":0}},
                             {"SpecialToken":{"id":"[SEP]","type_id":0}}],
                   "pair":[{"Sequence":{"id":"A","type_id":0}},{"Sequence":{"id":"B","type_id":1}}],
                   "special_tokens":{"[CLS]":{"id":"[CLS]","ids":[2],"tokens":["[CLS]"]},
                                     "[SEP]":{"id":"[SEP]","ids":[3],"tokens":["[SEP]"]}}},
                 "decoder":{"type":"WordPiece","prefix":"##","cleanup":true},
                 "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##",
                   "max_input_chars_per_word":100,
                   "vocab":{"[PAD]":0,"[UNK]":1,"[CLS]":2,"[SEP]":3,"hello":4,"world":5}}}
                """;
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path f = tmp.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    private static void assertOneLine(FewNerException e, Path file, String fragment) {
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString()), m);
        assertTrue(m.contains(fragment), m);
        assertFalse(m.contains("\n"), m);
        assertFalse(m.contains("Source:"), m);
    }

    @Test
    void validFileLoadsAndEncodes() throws Exception {
        Path f = write("ok.json", valid().getBytes(StandardCharsets.UTF_8));
        try (ModelTokenizer t = ModelTokenizer.load(f)) {
            assertEquals(4, t.encode("hello world", true).size());
        }
    }

    @Test
    void rawNulByteIsRefused() throws Exception {
        Path f =
                write(
                        "nul.json",
                        valid().replace("\"prefix\":\"##\"", "\"prefix\u0000\":\"##\"")
                                .getBytes(StandardCharsets.UTF_8));
        assertOneLine(
                assertThrows(FewNerException.class, () -> ModelTokenizer.load(f)), f, "NUL byte");
    }

    @Test
    void unpairedSurrogateEscapeIsRefused() throws Exception {
        Path f =
                write(
                        "surrogate.json",
                        valid().replace("\"prefix\":\"##\"", "\"prefix\":\"\\ud800\"")
                                .getBytes(StandardCharsets.UTF_8));
        assertOneLine(
                assertThrows(FewNerException.class, () -> ModelTokenizer.load(f)),
                f,
                "unpaired UTF-16 surrogate");
    }

    @Test
    void invalidUtf8IsRefused() throws Exception {
        byte[] b =
                valid().replace("\"prefix\"", "\"prefix\u00e9\"").getBytes(StandardCharsets.UTF_8);
        // cut the 2-byte é in half: C3 followed by a quote
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int at = s.indexOf("prefix") + 6;
        b[at + 1] = '"';
        Path f = write("utf8.json", b);
        assertOneLine(
                assertThrows(FewNerException.class, () -> ModelTokenizer.load(f)),
                f,
                "not valid UTF-8");
    }

    @Test
    void templateUsingAnUndefinedSpecialTokenIsRefused() throws Exception {
        Path f =
                write(
                        "template.json",
                        valid().replace(
                                        "\"[CLS]\":{\"id\":\"[CLS]\",\"ids\":[2],\"tokens\":[\"[CLS]\"]},",
                                        "")
                                .getBytes(StandardCharsets.UTF_8));
        assertOneLine(
                assertThrows(FewNerException.class, () -> ModelTokenizer.load(f)),
                f,
                "uses special token '[CLS]'");
    }

    @Test
    void specialTokenWithMismatchedIdsIsRefused() throws Exception {
        Path f =
                write(
                        "ids.json",
                        valid().replace("\"ids\":[3]", "\"ids\":[3,4]")
                                .getBytes(StandardCharsets.UTF_8));
        assertOneLine(
                assertThrows(FewNerException.class, () -> ModelTokenizer.load(f)),
                f,
                "same length");
    }

    @Test
    void truncatedFileIsOneLineWithLineAndColumn() throws Exception {
        String v = valid();
        Path f = write("cut.json", v.substring(0, v.length() / 2).getBytes(StandardCharsets.UTF_8));
        FewNerException e = assertThrows(FewNerException.class, () -> ModelTokenizer.load(f));
        assertOneLine(e, f, "not valid JSON");
        assertTrue(
                e.getMessage().matches(".*cut\\.json:\\d+:\\d+: not valid JSON.*"), e.getMessage());
    }

    @Test
    void directoryAndStandardInputGetTheirOwnMessages() throws Exception {
        Path d = Files.createDirectory(tmp.resolve("dir.json"));
        FewNerException e = assertThrows(FewNerException.class, () -> TokenizerJson.read(d));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
        e = assertThrows(FewNerException.class, () -> TokenizerJson.read(Path.of("-")));
        assertTrue(e.getMessage().contains("standard input"), e.getMessage());
    }
}
