package org.fewner.llm.decoder;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Manual timing probe: -Dfewner.decoder.profileModel=DIR (skipped otherwise). */
class DecoderProfileTest {
    @Test
    void profile() {
        String dir = System.getProperty("fewner.decoder.profileModel");
        assumeTrue(dir != null, "skipped: set -Dfewner.decoder.profileModel=DIR");
        try (DecoderModel m = DecoderModel.load(Path.of(dir), Device.cpu())) {
            int[][] cases = {{1, 64}, {1, 1}, {1, 1}, {1, 1}, {8, 1}, {8, 1}, {8, 1}, {8, 1}};
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
                System.out.printf(
                        "B=%d T=%d: %.1f ms%n", c[0], c[1], (System.nanoTime() - s) / 1e6);
            }
            // the matmuls alone (M = 1): every linear weight of the model, once
            try (NDManager mm = m.manager().newSubManager()) {
                ai.djl.ndarray.NDArray x1 =
                        mm.randomNormal(
                                new ai.djl.ndarray.types.Shape(
                                        Integer.getInteger("rows", 1), m.config().hiddenSize()));
                ai.djl.ndarray.NDArray x2 =
                        mm.randomNormal(
                                new ai.djl.ndarray.types.Shape(
                                        Integer.getInteger("rows", 1),
                                        m.config().intermediateSize()));
                ai.djl.ndarray.NDArray xq =
                        mm.randomNormal(
                                new ai.djl.ndarray.types.Shape(
                                        Integer.getInteger("rows", 1),
                                        m.config().numAttentionHeads() * m.config().headDim()));
                for (int rep = 0; rep < 3; rep++) {
                    long s = System.nanoTime();
                    int ops = 0;
                    for (var l : m.linearLayers().values()) {
                        ai.djl.ndarray.NDArray in =
                                l.inFeatures() == m.config().intermediateSize()
                                        ? x2
                                        : l.inFeatures() == m.config().hiddenSize() ? x1 : xq;
                        ai.djl.nn.core.Linear.linear(in, l.weight().getArray(), null)
                                .singletonOrThrow()
                                .close();
                        ops++;
                    }
                    System.out.printf(
                            "matmuls only (%d): %.1f ms%n", ops, (System.nanoTime() - s) / 1e6);
                }
                for (int rep = 0; rep < 3; rep++) {
                    long s = System.nanoTime();
                    for (var l : m.linearLayers().values()) {
                        ai.djl.ndarray.NDArray in =
                                l.inFeatures() == m.config().intermediateSize()
                                        ? x2
                                        : l.inFeatures() == m.config().hiddenSize() ? x1 : xq;
                        l.weight().getArray().matMul(in.transpose()).close();
                    }
                    System.out.printf("matmuls W·xT: %.1f ms%n", (System.nanoTime() - s) / 1e6);
                }
                ai.djl.ndarray.NDArray big = mm.ones(new ai.djl.ndarray.types.Shape(128L << 20));
                for (int rep = 0; rep < 3; rep++) {
                    long s = System.nanoTime();
                    big.sum().close();
                    System.out.printf("sum 512MB: %.1f ms%n", (System.nanoTime() - s) / 1e6);
                }
                ai.djl.ndarray.NDArray a =
                        mm.randomNormal(new ai.djl.ndarray.types.Shape(1, 3, 1, 64));
                long s = System.nanoTime();
                for (int i = 0; i < 10000; i++) {
                    a.mul(a).close();
                }
                System.out.printf("small op: %.2f us%n", (System.nanoTime() - s) / 1e7);
            }
        }
    }
}
