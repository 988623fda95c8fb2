package org.fewner.llm.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoraHubTest {
    static final long[][] IDS = {
        {1, 5, 9, 30, 2, 17}, {7, 7, 3, 0, 31, 12}, {4, 8, 15, 16, 23, 29}
    };
    static final long[][] MASK = {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1}};

    static float[] logits(AdapterRegistry reg, String name) {
        try (NDManager m = reg.backbone().manager().newSubManager()) {
            return reg.backbone().forward(m, IDS, MASK, name).logits().toFloatArray();
        }
    }

    static double mse(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (double) (a[i] - b[i]);
        }
        return s / a.length;
    }

    @Test
    void composeIsElementWiseWeightedSum() {
        try (TinyBackbone bb = new TinyBackbone(1)) {
            LoraAdapter x =
                    AdapterRegistryTest.adapter(
                            bb, AdapterRegistryTest.ATTN, 1, LoraAdapter.Init.RANDOM, 0.1);
            LoraAdapter y =
                    AdapterRegistryTest.adapter(
                            bb, AdapterRegistryTest.ATTN, 2, LoraAdapter.Init.RANDOM, 0.1);
            LoraAdapter c = LoraHub.compose(List.of(x, y), new double[] {0.5, -1.25});
            String k = "model.layers.1.self_attn.v_proj";
            for (int j = 0; j < 5; j++) {
                assertEquals(
                        (float)
                                (0.5 * x.modules().get(k).a()[j]
                                        - 1.25 * y.modules().get(k).a()[j]),
                        c.modules().get(k).a()[j]);
                assertEquals(
                        (float)
                                (0.5 * x.modules().get(k).b()[j]
                                        - 1.25 * y.modules().get(k).b()[j]),
                        c.modules().get(k).b()[j]);
            }
            assertArrayEquals(
                    x.modules().get(k).b(),
                    LoraHub.compose(List.of(x, y), new double[] {1, 0}).modules().get(k).b());
            LoraAdapter other =
                    AdapterRegistryTest.adapter(
                            bb, AdapterRegistryTest.ALL, 3, LoraAdapter.Init.RANDOM, 0.1);
            AdapterException e =
                    assertThrows(
                            AdapterException.class,
                            () -> LoraHub.compose(List.of(x, other), new double[] {1, 1}));
            assertTrue(e.getMessage().contains("same modules"), e.getMessage());
        }
    }

    /** ΔW = s·B·A of one module, [out, in] row-major, in double. */
    static double[] delta(LoraAdapter ad, String k) {
        LoraAdapter.Module m = ad.modules().get(k);
        double s = ad.config().scaleOf(k);
        double[] d = new double[m.out() * m.in()];
        for (int o = 0; o < m.out(); o++) {
            for (int i = 0; i < m.in(); i++) {
                double v = 0;
                for (int r = 0; r < m.r(); r++) {
                    v += m.b()[o * m.r() + r] * (double) m.a()[r * m.in() + i];
                }
                d[o * m.in() + i] = s * v;
            }
        }
        return d;
    }

    @Test
    void concatenationSumsTheWeightedDeltas() {
        try (TinyBackbone bb = new TinyBackbone(1);
                AdapterRegistry reg = new AdapterRegistry(bb)) {
            LoraAdapter x =
                    AdapterRegistryTest.adapter(
                            bb, AdapterRegistryTest.ATTN, 1, LoraAdapter.Init.RANDOM, 0.1);
            // a second source of another alpha: its scale is folded into its block of B
            LoraAdapter y0 =
                    AdapterRegistryTest.adapter(
                            bb, AdapterRegistryTest.ATTN, 2, LoraAdapter.Init.RANDOM, 0.1);
            LoraConfig c = y0.config();
            LoraAdapter y =
                    new LoraAdapter(
                            LoraConfig.of(
                                    c.r(), 3 * c.loraAlpha(), 0, AdapterRegistryTest.ATTN, false),
                            y0.modules(),
                            y0.heads());
            double[] w = {0.5, -1.25};
            LoraAdapter cat = LoraHub.compose(List.of(x, y), w, LoraHub.Combination.CAT);
            assertEquals(2 * x.config().r(), cat.config().r());
            for (String k : x.modules().keySet()) {
                double[] dx = delta(x, k);
                double[] dy = delta(y, k);
                double[] dc = delta(cat, k);
                for (int j = 0; j < dc.length; j++) {
                    assertEquals(w[0] * dx[j] + w[1] * dy[j], dc[j], 1e-6, k + "[" + j + "]");
                }
            }
            // the composed adapter binds to the base like any other (rank N·r in its config)
            reg.add("cat", cat);
            assertEquals(java.util.Set.of("cat"), reg.names());
            assertEquals(
                    LoraHub.Combination.CAT,
                    LoraHub.Combination.parse("Cat"),
                    "parse ignores case");
            assertThrows(IllegalArgumentException.class, () -> LoraHub.Combination.parse("svd"));
        }
    }

    /**
     * Three candidate adapters; the task is to reproduce the outputs of a hidden target, candidate
     * 1 at weight 1.2. LoRAHub must give candidate 1 the largest |weight| and cut the task loss.
     */
    @Test
    void findsTheRightAdapterAndLowersTheLoss() {
        try (TinyBackbone bb = new TinyBackbone(7);
                AdapterRegistry reg = new AdapterRegistry(bb)) {
            List<LoraAdapter> sources =
                    List.of(
                            AdapterRegistryTest.adapter(
                                    bb, AdapterRegistryTest.ALL, 101, LoraAdapter.Init.RANDOM, 0.4),
                            AdapterRegistryTest.adapter(
                                    bb, AdapterRegistryTest.ALL, 102, LoraAdapter.Init.RANDOM, 0.4),
                            AdapterRegistryTest.adapter(
                                    bb,
                                    AdapterRegistryTest.ALL,
                                    103,
                                    LoraAdapter.Init.RANDOM,
                                    0.4));
            // adapter 1 at weight 1.2: the corner w = e₁ (evaluated first) is near, not at, the
            // optimum, so CMA-ES has to move from it
            reg.add(
                    "hidden-target",
                    LoraHub.compose(
                            List.of(sources.get(1)),
                            new double[] {1.2},
                            LoraHub.Combination.LINEAR));
            float[] target = logits(reg, "hidden-target");
            reg.remove("hidden-target");
            TaskLoss loss = (backbone, name) -> mse(logits(reg, name), target);
            reg.add(
                    "corner",
                    LoraHub.compose(sources, new double[] {0, 1, 0}, LoraHub.Combination.LINEAR));
            double corner = mse(logits(reg, "corner"), target);
            reg.remove("corner");
            LoraHub.Result r =
                    LoraHub.search(
                            reg,
                            sources,
                            loss,
                            new LoraHub.Settings(
                                    150, 0.05, 1.5, 0.5, 42, LoraHub.Combination.LINEAR));
            System.out.printf(
                    "LoRAHub: weights %s, task loss %.6f at w=0 -> %.6f (objective %.6f) in %d evaluations%n",
                    Arrays.toString(
                            Arrays.stream(r.weights())
                                    .map(w -> Math.round(w * 1000) / 1000.0)
                                    .toArray()),
                    r.startLoss(),
                    r.bestLoss(),
                    r.objective(),
                    r.evaluations());
            int argmax = 0;
            for (int i = 1; i < 3; i++) {
                if (Math.abs(r.weights()[i]) > Math.abs(r.weights()[argmax])) {
                    argmax = i;
                }
            }
            assertEquals(
                    1,
                    argmax,
                    "the hidden target is adapter 1: weights " + Arrays.toString(r.weights()));
            System.out.printf("task loss at the corner w = e1: %.6f%n", corner);
            assertTrue(
                    r.bestLoss() < 0.2 * corner,
                    "CMA-ES improves on the best corner: " + corner + " -> " + r.bestLoss());
            assertTrue(
                    r.bestLoss() < 0.2 * r.startLoss(),
                    "loss must drop: " + r.startLoss() + " -> " + r.bestLoss());
            assertTrue(r.evaluations() <= 150);
            for (double w : r.weights()) {
                assertTrue(Math.abs(w) <= 1.5);
            }
            assertEquals(java.util.Set.of(), reg.names(), "the candidate must be removed");
            // the result is an ordinary adapter: resident again it reproduces the best loss
            reg.add("composed", r.adapter());
            assertEquals(r.bestLoss(), mse(logits(reg, "composed"), target), 1e-9);
        }
    }
}
