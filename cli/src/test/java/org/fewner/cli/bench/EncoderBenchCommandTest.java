package org.fewner.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.fewner.cli.CliRun;
import org.fewner.uimaannotator.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fewner bench encoder}'s workload sections on a tiny model (what is printed, not how fast).
 */
class EncoderBenchCommandTest {
    @TempDir Path tmp;

    @Test
    void shapesReplayAndConcurrencyArePrintedForACorpus() throws Exception {
        Path model = TinyModels.bert(tmp.resolve("m"), 16, 64, 1);
        List<String> words = List.of("the", "city", "of", "paris", "marie", "curie", "met", ".");
        Random rnd = new Random(3);
        List<String> lines = new ArrayList<>();
        for (int d = 0; d < 2; d++) {
            lines.add("-DOCSTART- O");
            lines.add("");
            for (int s = 0; s < 20; s++) {
                int n = 1 + rnd.nextInt(s % 3 == 0 ? 20 : 5);
                for (int w = 0; w < n; w++) lines.add(words.get(rnd.nextInt(words.size())) + " O");
                lines.add("");
            }
        }
        Path corpus = Files.write(tmp.resolve("c.conll"), lines);
        CliRun r =
                CliRun.run(
                        "bench",
                        "encoder",
                        "--model",
                        model.toString(),
                        "--no-cells",
                        "--corpus",
                        corpus.toString(),
                        "--replay",
                        "2",
                        "--concurrency",
                        "1,2",
                        "--out",
                        tmp.resolve("out").toString());
        assertEquals(0, r.code(), r.err());
        // 2 documents of 20 sentences = 4 engine calls (16 + 4 each)
        assertTrue(r.out().contains("| c.conll | 40 | 4 |"), r.out());
        assertTrue(r.out().contains("padding share"), r.out());
        assertTrue(r.out().contains("| old |") || r.out().contains("| old | "), r.out());
        assertTrue(r.out().contains("Replay:"), r.out());
        assertTrue(r.out().contains("\n| 2 | "), r.out());
        assertTrue(Files.isRegularFile(tmp.resolve("out/encoder-bench.json")));
    }

    @Test
    void concurrencyNeedsACorpus() {
        CliRun.run(
                        "bench",
                        "encoder",
                        "--model",
                        tmp.resolve("none").toString(),
                        "--concurrency",
                        "2")
                .assertUserError("--concurrency needs --corpus");
    }
}
