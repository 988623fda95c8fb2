package org.fewner.llm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.fewner.llm.config.DecoderConfig;
import org.fewner.llm.config.ModelConfigs;
import org.junit.jupiter.api.Test;

/** The bench's bounds are computed from the right sizes. */
class DecoderBenchTest {
    @Test
    void smolLm2WeightBytesAndFlops() {
        String shared = System.getProperty("fewner.shared");
        Path cfg =
                shared == null
                        ? null
                        : Path.of(shared, "models/smollm2-135m-tokenizer/config.json");
        assumeTrue(
                cfg != null && Files.isRegularFile(cfg),
                "skipped: SmolLM2 config not under -Dfewner.shared");
        DecoderConfig c = (DecoderConfig) ModelConfigs.read(cfg);
        // random_model.py reports 134,515,008 parameters for this config (tied head): all F32, all
        // read per step
        assertEquals(4L * 134_515_008L, DecoderBench.weightBytes(c));
        // per token: 2 x (non-embedding linear weights) = 2 x 30 x 3,538,944 ; plus attention and
        // the one-row head
        double oneToken = DecoderBench.prefillFlops(c, 1, 1);
        assertEquals(2.0 * 30 * 3_538_944 + 30 * 4.0 * 9 * 64 + 2.0 * 576 * 49152, oneToken, 1.0);
        assertTrue(DecoderBench.peakRssKb() > 0 || !Files.exists(Path.of("/proc/self/status")));
    }
}
