package org.fewner.cli.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.fewner.cli.FewNer;
import org.fewner.common.Json;
import org.fewner.uimaannotator.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fewner spark annotate --master local[2]} and {@code fewner annotate} on the same 50 plain
 * text files (the first documents of CoNLL-2003 testb, rebuilt as text: one sentence per line) find
 * the same entities: same ids, offsets, labels and texts, confidences within 1e-6. A tiny random
 * BERT with 32 positions, so that long sentences are windowed on both paths.
 */
class SparkAnnotateMatchesAnnotateTest {
    @TempDir Path tmp;

    static final String SUPPORT =
            "marie\tB-PER\ncurie\tI-PER\nvisited\tO\nparis\tB-LOC\n.\tO\n\n"
                    + "john\tB-PER\nsmith\tI-PER\nmet\tO\nthe\tO\nun\tB-ORG\nin\tO\nlondon\tB-LOC\n.\tO\n";

    static Path testb() {
        Path p =
                Path.of(
                        System.getProperty("fewner.shared", "../../shared"),
                        "datasets/conll2003/eng.testb");
        assumeTrue(Files.isRegularFile(p), "skipped: " + p + " is absent (../shared datasets)");
        return p;
    }

    /** CoNLL-2003 documents as text: -DOCSTART- splits, one sentence per line, tokens by space. */
    static List<String> documents(Path file, int max) throws Exception {
        List<String> docs = new ArrayList<>();
        StringBuilder doc = new StringBuilder();
        StringBuilder sentence = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("-DOCSTART-")) {
                if (doc.length() > 0) docs.add(doc.toString());
                doc.setLength(0);
            } else if (line.isBlank()) {
                if (sentence.length() > 0) doc.append(sentence).append('\n');
                sentence.setLength(0);
            } else {
                if (sentence.length() > 0) sentence.append(' ');
                sentence.append(line.split(" ")[0]);
            }
            if (docs.size() == max) return docs;
        }
        if (doc.length() > 0) docs.add(doc.toString());
        return docs.subList(0, Math.min(max, docs.size()));
    }

    static int run(String... args) {
        PrintStream out = System.out;
        StringWriter err = new StringWriter();
        CommandLine cl = FewNer.newCommandLine();
        cl.setErr(new PrintWriter(err));
        try {
            System.setOut(
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            int rc = cl.execute(args);
            if (rc != 0) System.err.println(err);
            return rc;
        } finally {
            System.setOut(out);
        }
    }

    /** "id begin end label text" -> confidence. */
    static void put(Map<String, Double> m, String id, JsonNode e) {
        String key =
                id
                        + " "
                        + e.get("begin").asInt()
                        + " "
                        + e.get("end").asInt()
                        + " "
                        + e.get("label").asText()
                        + " "
                        + e.get("text").asText()
                        + " "
                        + e.get("adapter").asText();
        m.put(key, e.get("confidence").asDouble());
    }

    @Test
    void sparkLocal2EqualsAnnotateOnFiftyTestbDocuments() throws Exception {
        List<String> docs = documents(testb(), 50);
        assertEquals(50, docs.size());
        Path dir = Files.createDirectories(tmp.resolve("docs"));
        for (int i = 0; i < docs.size(); i++) {
            Files.writeString(dir.resolve(String.format("doc%03d.txt", i)), docs.get(i));
        }
        Path model = TinyModels.bert(tmp.resolve("tiny"), 16, 32, 7);
        Path support = Files.writeString(tmp.resolve("support.conll"), SUPPORT);
        String[] common = {
            "--model", model.toString(),
            "--support", support.toString(),
            "--format", "conll",
            "--method", "frozen-prototype", // the tiny model has no span adapter
            "--option", "layer=2",
            "--batch-size", "4"
        };
        Path annotated = tmp.resolve("annotate-out");
        List<String> a = new ArrayList<>(List.of("annotate"));
        a.addAll(List.of(common));
        a.addAll(List.of("--out", annotated.toString(), "--output-format", "json", dir.toString()));
        assertEquals(0, run(a.toArray(String[]::new)));

        Path sparkOut = tmp.resolve("spark-out");
        List<String> s = new ArrayList<>(List.of("spark", "annotate", "--master", "local[2]"));
        s.addAll(List.of(common));
        s.addAll(
                List.of(
                        "--input", dir.toString(),
                        "--output", sparkOut.toString(),
                        "--partitions", "4"));
        assertEquals(0, run(s.toArray(String[]::new)));

        Map<String, Double> expected = new TreeMap<>();
        try (Stream<Path> files = Files.list(annotated)) {
            // the output folder's marker (.fewner-output) is no document
            for (Path f :
                    files.filter(p -> !p.getFileName().toString().startsWith("."))
                            .sorted()
                            .toList()) {
                JsonNode doc = Json.MAPPER.readTree(f.toFile());
                String id = Path.of(doc.get("file").asText()).getFileName().toString();
                for (JsonNode e : doc.get("entities")) put(expected, id, e);
            }
        }
        Map<String, Double> actual = new TreeMap<>();
        try (Stream<Path> files = Files.list(sparkOut)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    JsonNode e = Json.MAPPER.readTree(line);
                    put(actual, e.get("id").asText(), e);
                }
            }
        }
        assertTrue(expected.size() > 50, "too few entities to compare: " + expected.size());
        java.util.TreeSet<String> missing = new java.util.TreeSet<>(expected.keySet());
        missing.removeAll(actual.keySet());
        java.util.TreeSet<String> extra = new java.util.TreeSet<>(actual.keySet());
        extra.removeAll(expected.keySet());
        assertEquals(
                List.of(),
                Stream.concat(
                                missing.stream().limit(10).map(k -> "only annotate: " + k),
                                extra.stream().limit(10).map(k -> "only spark: " + k))
                        .toList(),
                missing.size()
                        + " entities only from annotate, "
                        + extra.size()
                        + " only from spark");
        for (Map.Entry<String, Double> e : expected.entrySet()) {
            assertEquals(e.getValue(), actual.get(e.getKey()), 1e-6, e.getKey());
        }
        // offsets are UTF-16 code units of the file's text
        for (String key : actual.keySet()) {
            String[] p = key.split(" ", 5);
            String text = Files.readString(dir.resolve(p[0]));
            String slice = text.substring(Integer.parseInt(p[1]), Integer.parseInt(p[2]));
            assertTrue(p[4].startsWith(slice + " "), key);
        }
    }

    @Test
    void missingInputIsAUserError() {
        StringWriter err = new StringWriter();
        CommandLine cl = FewNer.newCommandLine();
        cl.setErr(new PrintWriter(err));
        int rc =
                cl.execute(
                        "spark",
                        "annotate",
                        "--input",
                        tmp.resolve("nothing").toString(),
                        "--output",
                        tmp.resolve("o").toString(),
                        "--support",
                        "x",
                        "--format",
                        "conll");
        assertEquals(2, rc);
        assertEquals(
                "fewner: " + tmp.resolve("nothing") + ": no such file or directory\n",
                err.toString().replace("\r\n", "\n"));
    }
}
