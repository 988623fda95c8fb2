package org.fewner.cli.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.fewner.cli.FewNer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StatsCommandTest {
    @TempDir Path dir;

    /** Runs {@code fewner args...}; returns {exit code, stdout, stderr}. */
    static String[] run(String... args) {
        CommandLine cl = FewNer.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(args);
        return new String[] {String.valueOf(rc), out.toString(), err.toString()};
    }

    private Path file(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        if (name.endsWith(".gz")) {
            try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
                o.write(content.getBytes(StandardCharsets.UTF_8));
            }
        } else {
            Files.writeString(p, content);
        }
        return p;
    }

    @Test
    void conll2003CountsByTheRule() throws Exception {
        // IOB1; DOCSTART never a token, also as last line; CRLF; a sentence break inside an entity
        // makes two.
        Path f =
                file(
                        "a.conll",
                        "-DOCSTART- -X- O O\r\n\r\nEU NNP I-NP I-ORG\r\nx NN I-NP O\r\nPeter NNP I-NP I-PER\n"
                                + "Smith NNP I-NP I-PER\nJones NNP I-NP B-PER\n-DOCSTART- -X- -X- O\nSouth NNP I-NP I-LOC\n\nAfrica NNP I-NP I-LOC\n \t\n"
                                + "-DOCSTART- -X- O O\n");
        String[] r = run("stats", "--format", "conll2003", f.toString());
        assertEquals("0", r[0], r[2]);
        assertEquals(
                "{\"file\": \""
                        + f
                        + "\", \"sentences\": 3, \"tokens\": 7, \"entities\": 5, "
                        + "\"types\": {\"LOC\": 2, \"ORG\": 1, \"PER\": 2}}\n",
                r[1]);
    }

    @Test
    void twoColumnIoAndBioDecidedPerFile() throws Exception {
        Path io =
                file(
                        "io.txt",
                        "a\tGATE-creative work\nb\tGATE-creative work\nc\tO\nd\tGATE-person\n\t\ne\tGATE-person\n");
        Path bio = file("bio.txt.gz", "a\tB-person\nb\tB-person\nc\tI-person\nd\tI-group\n");
        String[] r = run("stats", "--format", "conll", io.toString(), bio.toString());
        assertEquals("0", r[0], r[2]);
        String[] lines = r[1].split("\n");
        assertEquals(
                "{\"file\": \""
                        + io
                        + "\", \"sentences\": 2, \"tokens\": 5, \"entities\": 3, "
                        + "\"types\": {\"GATE-creative work\": 1, \"GATE-person\": 2}}",
                lines[0]);
        assertEquals(
                "{\"file\": \""
                        + bio
                        + "\", \"sentences\": 1, \"tokens\": 4, \"entities\": 3, "
                        + "\"types\": {\"group\": 1, \"person\": 2}}",
                lines[1]);
    }

    @Test
    void episodesSumSupportAndQuery() throws Exception {
        String ep =
                "{\"support\": {\"word\": [[\"a\", \"b\"], [\"c\"]], \"label\": [[\"xx-y\", \"xx-y\"], [\"O\"]]}, "
                        + "\"query\": {\"word\": [[\"d\", \"e\", \"f\"]], \"label\": [[\"xx-y\", \"O\", \"z\"]]}, \"types\": [\"xx-y\", \"z\"]}";
        Path f = file("ep.jsonl.gz", ep + "\n" + ep + "\n");
        String[] r = run("stats", "--format", "fewnerd-episodes", f.toString());
        assertEquals("0", r[0], r[2]);
        assertEquals(
                "{\"file\": \""
                        + f
                        + "\", \"sentences\": 6, \"tokens\": 12, \"entities\": 6, "
                        + "\"types\": {\"xx-y\": 4, \"z\": 2}, \"episodes\": 2, \"support_sentences\": 4, \"query_sentences\": 2}\n",
                r[1]);
    }

    @Test
    void badInputIsOneLineWithFileAndLineAndExitCode2() throws Exception {
        Path cols = file("cols.txt", "a\tO\nb\tO\tO\n");
        String[] r = run("stats", "--format", "conll", cols.toString());
        assertEquals("2", r[0]);
        assertEquals(
                "fewner: "
                        + cols
                        + ":2: expected 2 columns (token<TAB>label, split on TAB if the line has one, else on spaces), found 3: 'b\tO\tO'\n",
                r[2]);

        Path tag = file("tag.txt", "a O\nb B-PER\n\nc X-PER\n");
        r = run("stats", "--format", "conll", tag.toString());
        assertEquals("2", r[0]);
        assertTrue(
                r[2].startsWith("fewner: " + tag + ":4: token 1 'c': unknown tag 'X-PER'"), r[2]);
        assertEquals(1, r[2].split("\n").length);

        Path empty = file("empty.txt", "\n\n");
        r = run("stats", "--format", "conll2003", empty.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].startsWith("fewner: " + empty + ":2: empty file"), r[2]);

        Path utf = dir.resolve("latin1.txt");
        Files.write(utf, new byte[] {'a', '\t', 'O', '\n', 'b', (byte) 0xE9, '\t', 'O', '\n'});
        r = run("stats", "--format", "conll", utf.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].startsWith("fewner: " + utf + ":2: invalid byte sequence"), r[2]);

        Path json =
                file("bad.jsonl", "{\"support\": {\"word\": [], \"label\": []}, \"types\": []}\n");
        r = run("stats", "--format", "fewnerd-episodes", json.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].startsWith("fewner: " + json + ":1: episode has no \"query\""), r[2]);

        r = run("stats", "--format", "conll", dir.resolve("missing.txt").toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("missing.txt: no such file"), r[2]);

        r = run("stats", "--format", "xml", cols.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("unknown format 'xml'"), r[2]);
    }
}
