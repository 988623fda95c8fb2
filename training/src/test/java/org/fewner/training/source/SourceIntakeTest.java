package org.fewner.training.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.training.data.TrainingExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainers' one source intake: {@code FORMAT:FILE@N} parsing, seeded samples, and the record
 * written into {@code training.json} (files named by corpus, file name and sha256, never a path).
 */
class SourceIntakeTest {
    private static Path file(Path dir, String rel, int sentences, String word) throws Exception {
        Path f = dir.resolve(rel);
        Files.createDirectories(f.getParent());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sentences; i++) {
            sb.append(word).append(i).append("\tB-PER\nmet\tO\nparis\tB-LOC\n\n");
        }
        Files.writeString(f, sb.toString());
        return f;
    }

    @Test
    void recordsCorpusFileAndSha256NotThePath(@TempDir Path dir) throws Exception {
        Path ai = file(dir, "datasets/source/crossner/ai/train.txt", 10, "john");
        Path btc = file(dir, "datasets/source/btc/btc.txt", 20, "mary");
        Path target = file(dir, "datasets/wnut17/emerging.test.annotated", 3, "john");
        ObjectNode record = Json.MAPPER.createObjectNode();
        Path work = dir.resolve("work");
        SourceIntake.Result r =
                SourceIntake.read(
                        List.of("bio:" + ai, "bio:" + btc + "@5"),
                        List.of(target),
                        work,
                        true,
                        42,
                        record);
        assertEquals(15, r.examples().size());
        assertEquals(30, r.report().sentencesRead);
        List<TrainingExample> kept =
                TargetFiles.dropOverlapping(r.examples(), List.of(target), work, record);
        // john0..john2 occur in the target
        assertEquals(12, kept.size());
        assertEquals(3, record.path("dropped_overlapping_target_sentences").asInt());
        JsonNode files = record.get("source_files");
        assertEquals(2, files.size());
        JsonNode f0 = files.get(0);
        assertEquals(
                List.of("corpus", "file", "sha256", "format", "sentences_read", "sentences_used"),
                fieldNames(f0));
        assertEquals("crossner-ai", f0.path("corpus").asText());
        assertEquals("train.txt", f0.path("file").asText());
        assertEquals(FileRef.sha256(ai), f0.path("sha256").asText());
        assertEquals("bio", f0.path("format").asText());
        assertEquals(10, f0.path("sentences_used").asInt());
        JsonNode f1 = files.get(1);
        assertEquals("btc", f1.path("corpus").asText());
        assertEquals("btc.txt", f1.path("file").asText());
        assertEquals(20, f1.path("sentences_read").asInt());
        assertEquals(5, f1.path("sentences_used").asInt());
        JsonNode t = record.get("targets").get(0);
        assertEquals(List.of("corpus", "file", "sha256"), fieldNames(t));
        assertEquals("wnut17", t.path("corpus").asText());
        assertEquals("emerging.test.annotated", t.path("file").asText());
        assertEquals(FileRef.sha256(target), t.path("sha256").asText());
        assertTrue(record.has("collector_report"));
        // no machine-relative or absolute path anywhere in the record
        String text = Json.pretty(record);
        assertFalse(text.contains(dir.toString()), text);
        assertFalse(text.contains("datasets/"), text);
    }

    @Test
    void samplesAreSeededAndKeepInputOrder(@TempDir Path dir) throws Exception {
        Path btc = file(dir, "btc/btc.txt", 30, "w");
        List<TrainingExample> a =
                SourceIntake.read(
                                List.of("bio:" + btc + "@7"),
                                List.of(),
                                dir.resolve("w1"),
                                false,
                                3,
                                Json.MAPPER.createObjectNode())
                        .examples();
        List<TrainingExample> b =
                SourceIntake.read(
                                List.of("bio:" + btc + "@7"),
                                List.of(),
                                dir.resolve("w2"),
                                false,
                                3,
                                Json.MAPPER.createObjectNode())
                        .examples();
        assertEquals(7, a.size());
        assertEquals(
                a.stream().map(TrainingExample::key).toList(),
                b.stream().map(TrainingExample::key).toList());
    }

    @Test
    void badSpecsAreNamed(@TempDir Path dir) throws Exception {
        Path btc = file(dir, "btc/btc.txt", 2, "w");
        FewNerException e =
                assertThrows(
                        FewNerException.class, () -> SourceIntake.Spec.parse("bio:" + btc + "@x"));
        assertEquals(
                "--source bio:" + btc + "@x: expected FORMAT:FILE[@MAX_SENTENCES]", e.getMessage());
        e = assertThrows(FewNerException.class, () -> SourceIntake.Spec.parse("xml:" + btc));
        assertTrue(e.getMessage().contains("unknown format 'xml'"), e.getMessage());
        SourceIntake.Spec s = SourceIntake.Spec.parse("conll2003:" + btc + "@12");
        assertEquals(12, s.cap());
        assertEquals("conll2003", s.source().format());
    }

    @Test
    void shippedTrainingRecordsNameFilesBySha256() throws Exception {
        for (String f :
                List.of(
                        "../ner/src/main/resources/org/fewner/ner/span/adapters/default/training.json",
                        "../ner/src/main/resources/org/fewner/ner/span/adapters/default-uncased/training.json",
                        "../results/adapters/default-uncased-heldout/training.json")) {
            JsonNode t = Json.readTree(Path.of(f));
            for (String k : List.of("source_files", "targets")) {
                assertTrue(t.path(k).size() > 0, f + " " + k);
                for (JsonNode e : t.path(k)) {
                    assertFalse(e.has("path"), f);
                    assertTrue(e.path("corpus").asText().length() > 0, f);
                    assertTrue(e.path("file").asText().length() > 0, f);
                    assertEquals(64, e.path("sha256").asText().length(), f);
                }
            }
        }
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
