package org.fewner.llm.decoder;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Manual timing probe: -Dfewner.decoder.profileModel=DIR (skipped otherwise). */
class DecoderProfileTest {
    @Test
    void profile() {
        String dir = System.getProperty("fewner.decoder.profileModel");
        assumeTrue(dir != null, "skipped: set -Dfewner.decoder.profileModel=DIR");
        try (DecoderModel m = DecoderModel.load(Path.of(dir), Device.cpu())) {
            int[][] cases = {{1, 64}, {1, 64}, {1, 64}, {8, 64}, {1, 1}, {1, 1}};
            for (int[] c : cases) {
                long[][] ids = new long[c[0]][c[1]];
                long[][] mask = new long[c[0]][c[1]];
                for (long[] r : mask) {
                    java.util.Arrays.fill(r, 1);
                }
                long s = System.nanoTime();
                try (NDManager mm = m.manager().newSubManager()) {
                    m.forward(mm, ids, mask, null, null, false, true).logits().toFloatArray();
                }
                System.out.printf("B=%d T=%d: %.1f ms%n", c[0], c[1], (System.nanoTime() - s) / 1e6);
            }
        }
    }
}
