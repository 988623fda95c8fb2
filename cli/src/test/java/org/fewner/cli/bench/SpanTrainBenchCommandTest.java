package org.fewner.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.fewner.cli.CliRun;
import org.fewner.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fewner bench span-train}: its options, and a tiny run that writes its figures. */
class SpanTrainBenchCommandTest {
    @Test
    void badOptionsAreUserErrors(@TempDir Path dir) {
        CliRun.run("bench", "span-train", "--steps", "0").assertUserError("--steps");
        CliRun.run("bench", "span-train", "--warmup-steps", "-1").assertUserError("--warmup-steps");
        CliRun.run("bench", "span-train", "--profile-steps", "-1")
                .assertUserError("--profile-steps");
        CliRun.run("bench", "span-train", "--examples", dir.resolve("x.jsonl").toString())
                .assertUserError("--examples and --cache go together");
        CliRun.run(
                        "bench",
                        "span-train",
                        "--examples",
                        dir.resolve("missing.jsonl").toString(),
                        "--cache",
                        dir.resolve("missing.fs").toString())
                .assertUserError("missing.jsonl");
    }

    @Test
    void aTinyRunPrintsAndWritesTheFigures(@TempDir Path dir) {
        CliRun r =
                CliRun.run(
                        "bench",
                        "span-train",
                        "--steps",
                        "2",
                        "--warmup-steps",
                        "1",
                        "--sentences",
                        "400",
                        "--hidden",
                        "16",
                        "--gemm-seconds",
                        "0.05",
                        "--profile-steps",
                        "1",
                        "--no-pytorch",
                        "--out",
                        dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("SpanTrainer.trainStep"), r.out());
        assertTrue(r.out().contains("| optimiser | plain Java |"), r.out());
        JsonNode j = Json.readTree(dir.resolve("span-train-bench.json"));
        assertTrue(j.get("replay_identical").asBoolean(), "the replay must match trainStep");
        assertEquals(2, j.get("train_step_s").size());
        assertTrue(j.get("tokens_per_s").asDouble() > 0);
        assertTrue(j.get("profile").get("ops").size() > 0);
    }
}
