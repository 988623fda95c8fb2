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

    /**
     * Three candidate adapters; the task is to reproduce the outputs of a hidden target that equals
     * candidate 1. LoRAHub must give candidate 1 the largest |weight| and cut the task loss.
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
            reg.add("hidden-target", sources.get(1));
            float[] target = logits(reg, "hidden-target");
            reg.remove("hidden-target");
            TaskLoss loss = (backbone, name) -> mse(logits(reg, name), target);
            LoraHub.Result r =
                    LoraHub.search(
                            reg, sources, loss, new LoraHub.Settings(150, 0.05, 1.5, 0.5, 42));
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
