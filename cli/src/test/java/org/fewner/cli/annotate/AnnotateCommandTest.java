package org.fewner.cli.annotate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fewner.cli.FewNer;
import org.fewner.common.Json;
import org.fewner.uimaannotator.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fewner annotate} end to end (OpenNLP segmentation, the engine, the writers) on the shipped
 * example with a tiny random BERT: every printed line slices the file's text exactly.
 */
class AnnotateCommandTest {
    @TempDir static Path tmp;
    static Path model;
    static final Path NEWS = Path.of("../examples/data/news.txt");
    static final Path SUPPORT = Path.of("../examples/data/news-support.conll");

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void model() throws Exception {
        model = TinyModels.bert(tmp.resolve("tiny"), 16, 64, 3);
    }

    static Run run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            CommandLine cl = FewNer.newCommandLine();
            cl.setErr(new PrintWriter(err));
            int code = cl.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(old);
        }
    }

    /** Checks each output line against the UTF-16 slice of {@code text}; returns the count. */
    static int checkLines(String output, String text) {
        int n = 0;
        for (String line : output.split("\n")) {
            if (line.isEmpty() || line.startsWith("# ")) continue;
            String[] f = line.split(" ", 5);
            int begin = Integer.parseInt(f[0]);
            int end = Integer.parseInt(f[1]);
            assertEquals(text.substring(begin, end), f[4], line);
            double conf = Double.parseDouble(f[3]);
            assertTrue(conf >= 0 && conf <= 1, line);
            n++;
        }
        return n;
    }

    @Test
    void annotatesTheShippedExampleWithExactOffsets() throws Exception {
        Path out = tmp.resolve("json");
        Run r =
                run(
                        "annotate",
                        "--model",
                        model.toString(),
                        "--method",
                        "frozen-prototype",
                        "--option",
                        "layer=2",
                        "--support",
                        SUPPORT.toString(),
                        "--format",
                        "conll",
                        NEWS.toString(),
                        "--out",
                        out.toString());
        assertEquals(0, r.exit(), r.err());
        String text = Files.readString(NEWS);
        assertTrue(checkLines(r.out(), text) > 0, r.out());
        JsonNode doc = Json.readTree(out.resolve("news.json"));
        assertEquals(text, doc.get("text").asText());
        assertEquals(checkLines(r.out(), text), doc.get("entities").size());
        for (JsonNode e : doc.get("entities")) {
            assertEquals(
                    text.substring(e.get("begin").asInt(), e.get("end").asInt()),
                    e.get("text").asText());
        }
    }

    @Test
    void writesXmiAndConllForADirectory() throws Exception {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        Files.copy(NEWS, in.resolve("a.txt"));
        Files.writeString(in.resolve("b.txt"), "Maria Santos visited Lisbon .\n");
        Files.writeString(in.resolve("empty.txt"), "");
        for (String fmt : new String[] {"xmi", "conll"}) {
            Path out = tmp.resolve("out-" + fmt);
            Run r =
                    run(
                            "annotate",
                            "--model",
                            model.toString(),
                            "--method",
                            "frozen-prototype",
                            "--option",
                            "layer=2",
                            "--support",
                            SUPPORT.toString(),
                            "--format",
                            "conll",
                            "--types",
                            "PER,LOC",
                            in.toString(),
                            "--out",
                            out.toString(),
                            "--output-format",
                            fmt);
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("# " + in.resolve("a.txt")), r.out());
            assertFalse(r.out().contains(" ORG "), r.out());
            assertTrue(
                    Files.isRegularFile(out.resolve(fmt.equals("xmi") ? "a.txt.xmi" : "a.conll"))
                            || Files.isRegularFile(
                                    out.resolve(fmt.equals("xmi") ? "a.xmi" : "a.conll")),
                    String.valueOf(Files.list(out).toList()));
        }
    }

    @Test
    void adapterOptionServesEveryDocumentAndRejectsAnotherBase() throws Exception {
        Path adapter = TinyModels.adapter(model, tmp.resolve("news-adapter"), 5);
        Path out = tmp.resolve("adapter-json");
        Run r =
                run(
                        "annotate",
                        "--model",
                        model.toString(),
                        "--method",
                        "frozen-prototype",
                        "--option",
                        "layer=2",
                        "--adapter",
                        adapter.toString(),
                        "--support",
                        SUPPORT.toString(),
                        "--format",
                        "conll",
                        NEWS.toString(),
                        "--out",
                        out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode doc = Json.readTree(out.resolve("news.json"));
        assertTrue(doc.get("entities").size() > 0);
        for (JsonNode e : doc.get("entities"))
            assertEquals("news-adapter", e.get("adapter").asText());
        Path other = TinyModels.bert(tmp.resolve("other"), 8, 64, 6);
        Path foreign = TinyModels.adapter(other, tmp.resolve("foreign"), 7);
        r =
                run(
                        "annotate",
                        "--model",
                        model.toString(),
                        "--method",
                        "frozen-prototype",
                        "--option",
                        "layer=2",
                        "--adapter",
                        foreign.toString(),
                        "--support",
                        SUPPORT.toString(),
                        "--format",
                        "conll",
                        NEWS.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("fewner: " + foreign), r.err());
        assertTrue(r.err().contains("adapter does not fit the model"), r.err());
    }

    @Test
    void spanIsTheDefaultAndAModelWithoutSpanAdapterIsAOneLineError() throws Exception {
        Run r =
                run(
                        "annotate",
                        "--model",
                        model.toString(),
                        "--support",
                        SUPPORT.toString(),
                        "--format",
                        "conll",
                        NEWS.toString());
        assertEquals(2, r.exit(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(
                err.startsWith(
                        "fewner: method span (the default): no span adapter for model " + model),
                err);
        assertTrue(err.contains("--method frozen-prototype"), err);
        assertTrue(err.contains("./fewner train --method span"), err);
        Run help = run("annotate", "--help");
        String h = help.out().replaceAll("\\s+", " ");
        assertTrue(h.contains("--method=<method> Few-shot method: span"), h);
        assertTrue(h.contains("Default: span."), h);
    }

    @Test
    void badInputIsAOneLineError() throws Exception {
        Run r =
                run(
                        "annotate",
                        "--model",
                        model.toString(),
                        "--support",
                        SUPPORT.toString(),
                        "--format",
                        "bogus",
                        NEWS.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("fewner: --format 'bogus': expected one of"), r.err());
        r =
                run(
                        "annotate",
                        "--model",
                        model.toString(),
                        "--method",
                        "frozen-prototype",
                        "--option",
                        "layer=2",
                        "--support",
                        SUPPORT.toString(),
                        "--format",
                        "conll",
                        tmp.resolve("nothing.txt").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("nothing.txt: no such file or directory"), r.err());
        Path latin1 = tmp.resolve("latin1.txt");
        Files.write(latin1, new byte[] {'c', 'a', 'f', (byte) 0xE9});
        r =
                run(
                        "annotate",
                        "--model",
                        model.toString(),
                        "--method",
                        "frozen-prototype",
                        "--option",
                        "layer=2",
                        "--support",
                        SUPPORT.toString(),
                        "--format",
                        "conll",
                        latin1.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("latin1.txt: not valid UTF-8"), r.err());
        r =
                run(
                        "annotate",
                        "--model",
                        model.toString(),
                        "--method",
                        "frozen-prototype",
                        "--option",
                        "layer=2",
                        "--support",
                        SUPPORT.toString(),
                        "--format",
                        "conll",
                        "--types",
                        "DATE",
                        NEWS.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("entity type 'DATE' has no example"), r.err());
    }
}
