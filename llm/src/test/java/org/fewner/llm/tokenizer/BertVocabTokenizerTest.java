package org.fewner.llm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fewner.common.FewNerException;
import org.fewner.llm.hub.DefaultModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BertVocabTokenizerTest {
    @TempDir Path dir;

    /**
     * Specials deliberately not at BERT's 0/100/101/102/103, so the ids must come from the vocab.
     */
    private static final List<String> VOCAB =
            List.of(
                    "[PAD]",
                    "[UNK]",
                    "[CLS]",
                    "[SEP]",
                    "[MASK]",
                    "hello",
                    "world",
                    "##s",
                    "!",
                    "un",
                    "##believ",
                    "##able",
                    "Hello",
                    "cafe",
                    "café",
                    "paris",
                    ",");

    private Path model(String name, String tokenizerConfig) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.write(d.resolve("vocab.txt"), VOCAB);
        if (tokenizerConfig != null) {
            Files.writeString(d.resolve("tokenizer_config.json"), tokenizerConfig);
        }
        return d;
    }

    private static int id(String tok) {
        return VOCAB.indexOf(tok);
    }

    @Test
    void uncasedVocabOnlyDirectory() throws Exception {
        Path d = model("uncased", "{\"do_lower_case\": true}");
        try (ModelTokenizer t = ModelTokenizer.load(d)) {
            String text = "Hello  Worlds! Unbelievable, CAFÉ";
            ModelTokenizer.Tokens e = t.encode(text, true);
            assertArrayEquals(
                    new String[] {
                        "[CLS]",
                        "hello",
                        "world",
                        "##s",
                        "!",
                        "un",
                        "##believ",
                        "##able",
                        ",",
                        "cafe",
                        "[SEP]"
                    },
                    e.tokens());
            assertArrayEquals(
                    new long[] {
                        id("[CLS]"),
                        id("hello"),
                        id("world"),
                        id("##s"),
                        id("!"),
                        id("un"),
                        id("##believ"),
                        id("##able"),
                        id(","),
                        id("cafe"),
                        id("[SEP]")
                    },
                    e.ids());
            // character offsets map back into the raw text
            assertEquals("Hello", text.substring(e.charStart()[1], e.charEnd()[1]));
            assertEquals("World", text.substring(e.charStart()[2], e.charEnd()[2]));
            assertEquals("s", text.substring(e.charStart()[3], e.charEnd()[3]));
            assertEquals("CAFÉ", text.substring(e.charStart()[9], e.charEnd()[9]));
            assertEquals(1, e.special()[0]);
            assertEquals(1, e.special()[e.size() - 1]);
            assertEquals(d.resolve("vocab.txt"), t.source());
        }
    }

    @Test
    void vocabFileAndFactory() throws Exception {
        Path d = model("file", "{\"do_lower_case\": true}");
        try (ModelTokenizer a = ModelTokenizer.load(d.resolve("vocab.txt"));
                ModelTokenizer b = ModelTokenizer.fromVocab(d.resolve("vocab.txt"), false)) {
            assertArrayEquals(new long[] {id("hello")}, a.encode("HELLO", false).ids());
            assertArrayEquals(new long[] {id("[UNK]")}, b.encode("HELLO", false).ids());
        }
    }

    @Test
    void casedKeepsCaseAndAccents() throws Exception {
        Path d = model("cased", "{\"do_lower_case\": false}");
        try (ModelTokenizer t = ModelTokenizer.load(d)) {
            ModelTokenizer.Tokens e = t.encode("Hello hello café WORLD", false);
            assertArrayEquals(
                    new long[] {id("Hello"), id("hello"), id("café"), id("[UNK]")}, e.ids());
        }
    }

    @Test
    void longWordsBecomeUnknown() throws Exception {
        Path d = model("long", "{\"do_lower_case\": true}");
        try (ModelTokenizer t = ModelTokenizer.load(d)) {
            String w100 = "un" + "s".repeat(98);
            assertEquals(100, w100.length());
            assertEquals(
                    99,
                    t.encode(w100, false).size()); // un ##s x 98: within max_input_chars_per_word
            assertArrayEquals(
                    new long[] {id("[UNK]")},
                    t.encode(w100 + "s", false).ids()); // 101 chars: one [UNK]
        }
    }

    @Test
    void generatedJsonFollowsBertTokenizerFast() throws Exception {
        Path d = model("json", null);
        JsonNode j = BertVocab.toTokenizerJson(d.resolve("vocab.txt"), true);
        assertEquals("BertNormalizer", j.at("/normalizer/type").asText());
        assertTrue(j.at("/normalizer/lowercase").asBoolean());
        assertTrue(j.at("/normalizer/strip_accents").isNull());
        assertEquals("BertPreTokenizer", j.at("/pre_tokenizer/type").asText());
        assertEquals("WordPiece", j.at("/model/type").asText());
        assertEquals("[UNK]", j.at("/model/unk_token").asText());
        assertEquals("##", j.at("/model/continuing_subword_prefix").asText());
        assertEquals(100, j.at("/model/max_input_chars_per_word").asInt());
        assertEquals(VOCAB.size(), j.at("/model/vocab").size());
        assertEquals(id("##able"), j.at("/model/vocab/##able").asInt());
        assertEquals(id("[CLS]"), j.at("/post_processor/special_tokens/[CLS]/ids/0").asInt());
        assertEquals(id("[SEP]"), j.at("/post_processor/special_tokens/[SEP]/ids/0").asInt());
        assertEquals("[CLS]", j.at("/post_processor/single/0/SpecialToken/id").asText());
        assertEquals("A", j.at("/post_processor/single/1/Sequence/id").asText());
        assertEquals(1, j.at("/post_processor/pair/4/SpecialToken/type_id").asInt());
        assertFalse(
                BertVocab.toTokenizerJson(d.resolve("vocab.txt"), false)
                        .at("/normalizer/lowercase")
                        .asBoolean());

        // written file loads like the in-memory one
        Path out = dir.resolve("written/tokenizer.json");
        BertVocab.writeTokenizerJson(d.resolve("vocab.txt"), true, out);
        try (ModelTokenizer a = ModelTokenizer.load(out);
                ModelTokenizer b = ModelTokenizer.load(d)) {
            assertArrayEquals(
                    b.encode("Hello worlds", true).ids(), a.encode("Hello worlds", true).ids());
        }
    }

    @Test
    void lowercaseSetting() throws Exception {
        assertTrue(BertVocab.lowercaseOf(model("none", null)), "HF BertTokenizer default");
        assertFalse(BertVocab.lowercaseOf(model("tc", "{\"do_lower_case\": false}")));
        Path cfg = model("cfg", null);
        Files.writeString(
                cfg.resolve("config.json"), "{\"model_type\": \"bert\", \"do_lower_case\": false}");
        assertFalse(BertVocab.lowercaseOf(cfg));
        Path bad = model("bad", "{\"do_lower_case\": \"yes\"}");
        FewNerException e = assertThrows(FewNerException.class, () -> BertVocab.lowercaseOf(bad));
        assertTrue(
                e.getMessage()
                        .contains(
                                "tokenizer_config.json: field 'do_lower_case' must be true or false"),
                e.getMessage());
    }

    @Test
    void tokenizerJsonWinsOverVocab() throws Exception {
        Path d = model("both", "{\"do_lower_case\": true}");
        BertVocab.writeTokenizerJson(d.resolve("vocab.txt"), false, d.resolve("tokenizer.json"));
        try (ModelTokenizer t = ModelTokenizer.load(d)) {
            assertEquals(d.resolve("tokenizer.json"), t.source());
            assertEquals(
                    id("Hello"),
                    t.encode("Hello", false).ids()[0]); // cased json, not the lowercasing config
        }
    }

    @Test
    void errors() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        FewNerException e = assertThrows(FewNerException.class, () -> ModelTokenizer.load(empty));
        assertTrue(
                e.getMessage().startsWith(empty.toString())
                        && e.getMessage().contains("tokenizer missing"),
                e.getMessage());
        assertTrue(e.getMessage().contains("vocab.txt"), e.getMessage());

        Path nofile = dir.resolve("nope.json");
        e = assertThrows(FewNerException.class, () -> ModelTokenizer.load(nofile));
        assertTrue(e.getMessage().contains("tokenizer missing"), e.getMessage());

        Path noMask = Files.createDirectories(dir.resolve("nomask"));
        Files.write(noMask.resolve("vocab.txt"), List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "a"));
        e = assertThrows(FewNerException.class, () -> ModelTokenizer.load(noMask));
        assertTrue(
                e.getMessage().contains("vocab.txt: special token [MASK] missing"), e.getMessage());

        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"model\": 1}");
        e = assertThrows(FewNerException.class, () -> ModelTokenizer.load(broken));
        assertTrue(
                e.getMessage().startsWith(broken + ": field 'model' must be an object"),
                e.getMessage());

        Path emptyVocab = Files.createDirectories(dir.resolve("emptyvocab"));
        Files.writeString(emptyVocab.resolve("vocab.txt"), "");
        e = assertThrows(FewNerException.class, () -> ModelTokenizer.load(emptyVocab));
        assertTrue(e.getMessage().contains("empty vocabulary"), e.getMessage());
    }

    /** Heavy: the converted default uncased model (only when cached) gives BERT's known ids. */
    @Test
    void realUncasedVocabKnownIds() {
        assumeTrue(
                DefaultModels.isCached("default-uncased"),
                "skipped: default-uncased is not converted in " + DefaultModels.cacheRoot());
        Path d = DefaultModels.cacheRoot().resolve("default-uncased");
        Path vocabOnly = dir.resolve("vocab-only");
        try (ModelTokenizer a = ModelTokenizer.load(d)) {
            ModelTokenizer.Tokens e = a.encode("Smith went to Paris.", true);
            assertArrayEquals(new long[] {101, 3044, 2253, 2000, 3000, 1012, 102}, e.ids());
            Files.createDirectories(vocabOnly);
            Files.copy(d.resolve("vocab.txt"), vocabOnly.resolve("vocab.txt"));
            Files.copy(
                    d.resolve("tokenizer_config.json"), vocabOnly.resolve("tokenizer_config.json"));
            try (ModelTokenizer b = ModelTokenizer.load(vocabOnly)) {
                assertArrayEquals(e.ids(), b.encode("Smith went to Paris.", true).ids());
            }
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
