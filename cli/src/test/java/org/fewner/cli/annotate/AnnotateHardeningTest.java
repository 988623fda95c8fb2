package org.fewner.cli.annotate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.fewner.uimaannotator.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fewner annotate} on bad input (issue 27): one {@code fewner:} line, exit 2, nothing
 * written or deleted; control characters of a document never reach stdout raw.
 */
class AnnotateHardeningTest {
    @TempDir static Path tmp;
    static Path model;
    static final String SUPPORT = "../examples/data/news-support.conll";

    @BeforeAll
    static void model() throws Exception {
        model = TinyModels.bert(tmp.resolve("tiny"), 16, 64, 3);
    }

    static AnnotateCommandTest.Run annotate(String... more) {
        String[] base = {
            "annotate",
            "--model",
            model.toString(),
            "--method",
            "frozen-prototype",
            "--option",
            "layer=2",
            "--support",
            SUPPORT,
            "--format",
            "conll"
        };
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return AnnotateCommandTest.run(all);
    }

    static void oneLine(AnnotateCommandTest.Run r, String start) {
        assertEquals(2, r.exit(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.startsWith("fewner: " + start), err);
    }

    @Test
    void anUnknownMethodOptionIsOneLineBeforeAnyWork() {
        oneLine(
                annotate("--option", "nosuchkey=1", "../examples/data/news.txt"),
                "-O 'nosuchkey': unknown option of method frozen-prototype");
        oneLine(
                annotate("--threshold", "NaN", "../examples/data/news.txt"),
                "--threshold: expected");
    }

    @Test
    void aBadSecondInputLeavesNoHalfWrittenOutput() throws Exception {
        Path good = Files.writeString(tmp.resolve("a-good.txt"), "Marie Curie visited Paris .");
        Path bad = Files.write(tmp.resolve("b-bad.txt"), new byte[] {'x', (byte) 0xff, 'y'});
        Path out = tmp.resolve("out-bad");
        AnnotateCommandTest.Run r =
                annotate("--out", out.toString(), good.toString(), bad.toString());
        oneLine(r, bad + ": not valid UTF-8");
        assertFalse(Files.exists(out), "nothing written for a failed run");
        try (var s = Files.list(tmp)) {
            assertTrue(
                    s.noneMatch(p -> p.getFileName().toString().startsWith(".out-bad")),
                    "no temporary folder left");
        }
    }

    @Test
    void aForeignOutputFolderIsRefusedAndKept() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(out.resolve("t.txt"), "keep me");
        oneLine(
                annotate("--out", out.toString(), "--overwrite", "../examples/data/news.txt"),
                out.toString());
        assertEquals("keep me", Files.readString(out.resolve("t.txt")));
        // its own earlier output is replaced with --overwrite, refused without
        Path own = tmp.resolve("own");
        assertEquals(0, annotate("--out", own.toString(), "../examples/data/news.txt").exit());
        assertTrue(Files.exists(own.resolve("news.json")));
        oneLine(annotate("--out", own.toString(), "../examples/data/news.txt"), own.toString());
        assertEquals(
                0,
                annotate("--out", own.toString(), "--overwrite", "../examples/data/news.txt")
                        .exit());
    }

    @Test
    void controlCharactersOfTheTextAreEscapedOnStdout() throws Exception {
        // the gazetteer-like support of this test finds "Marie Curie"; a NUL inside the mention
        Path doc = Files.writeString(tmp.resolve("nul.txt"), "Paris\u0000Berlin visited Marie .");
        AnnotateCommandTest.Run r =
                annotate("--types", "PER,LOC", "--threshold", "0", doc.toString());
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.out().contains("\u0000"), "a raw NUL reached stdout");
        for (String line : r.out().split("\n")) {
            for (char c : line.toCharArray()) {
                assertTrue(c >= 0x20 || c == '\t', "control character in " + line);
            }
        }
    }

    @Test
    void anEntityLineEscapesNulAndEscapeCharacters() throws Exception {
        org.apache.uima.jcas.JCas jcas =
                org.apache.uima.fit.factory.JCasFactory.createText("x Ab\u0000c\u001b[2Jd y", "en");
        org.fewner.type.ScoredNamedEntity ne = new org.fewner.type.ScoredNamedEntity(jcas, 2, 11);
        ne.setValue("PER");
        ne.setConfidence(0.5f);
        String line = AnnotateCommand.line(ne);
        assertEquals("2 11 PER 0.5000 Ab\\u0000c\\u001b[2Jd", line);
    }
}
