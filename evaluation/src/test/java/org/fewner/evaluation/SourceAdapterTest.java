package org.fewner.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceAdapterTest {
    @TempDir Path tmp;

    Path adapter(String base, Path... trainedOn) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("adapter"));
        Json.writeAtomically(
                dir.resolve("adapter_config.json"),
                Map.of("peft_type", "LORA", "base_model_name_or_path", base));
        List<Map<String, String>> files =
                java.util.Arrays.stream(trainedOn)
                        .map(
                                p ->
                                        Map.of(
                                                "path",
                                                "/elsewhere/" + p.getFileName(),
                                                "sha256",
                                                SourceAdapter.sha256(p)))
                        .toList();
        Json.writeAtomically(dir.resolve("training.json"), Map.of("source_files", files));
        return dir;
    }

    @Test
    void anAdapterTrainedOnTheTargetsEvaluationFileIsRefused() throws Exception {
        Path target = Files.writeString(tmp.resolve("test_5_1.jsonl"), "{}\n");
        Path source = Files.writeString(tmp.resolve("wikigold.txt"), "a\tO\n");
        Path dir = adapter("default-uncased", source, target);
        var e =
                assertThrows(
                        FewNerException.class,
                        () -> SourceAdapter.check(dir, List.of(target), "default-uncased"));
        assertEquals(
                dir.resolve("training.json")
                        + ": the adapter was trained on '/elsewhere/test_5_1.jsonl', which is the target's evaluation file "
                        + target
                        + " (never train on a target's evaluation data)",
                e.getMessage());
    }

    @Test
    void anAdapterForAnotherBaseIsRefused() throws Exception {
        Path target = Files.writeString(tmp.resolve("test.txt"), "x\tO\n");
        Path source = Files.writeString(tmp.resolve("src.txt"), "a\tO\n");
        Path dir = adapter("default", source);
        var e =
                assertThrows(
                        FewNerException.class,
                        () -> SourceAdapter.check(dir, List.of(target), "default-uncased"));
        assertEquals(
                dir + ": adapter made for base model 'default', not for --model 'default-uncased'",
                e.getMessage());
        Map<String, Object> ok = SourceAdapter.check(dir, List.of(target), "default");
        assertEquals(dir.toString(), ok.get("adapter"));
    }

    @Test
    void anAdapterWithoutTrainingRecordIsRefused() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bare"));
        Files.writeString(dir.resolve("adapter_config.json"), "{}");
        var e =
                assertThrows(
                        FewNerException.class,
                        () -> SourceAdapter.check(dir, List.of(), "default"));
        assertTrue(e.getMessage().startsWith(dir.resolve("training.json") + ": missing"));
        var e2 =
                assertThrows(
                        FewNerException.class,
                        () -> SourceAdapter.check(tmp.resolve("none"), List.of(), "default"));
        assertTrue(e2.getMessage().contains("not an adapter directory"));
    }
}
