package org.fewner.llm.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.fewner.common.FewNerException;
import org.fewner.llm.nn.LinearLayer;
import org.junit.jupiter.api.Test;

class AdapterRegistryTest {
    static final long[][] IDS = {{1, 5, 9, 30, 2}, {7, 7, 3, 0, 31}};
    static final long[][] MASK = {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}};
    static final List<String> ATTN = List.of("q_proj", "k_proj", "v_proj", "o_proj");
    static final List<String> ALL =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    static LoraAdapter adapter(
            TinyBackbone bb, List<String> targets, long seed, LoraAdapter.Init init, double bStd) {
        return LoraAdapter.init(
                LinearModules.of(bb), LoraConfig.of(4, 8, 0, targets, false), seed, init, bStd);
    }

    /** logits and every hidden state of one call, flattened. */
    static List<float[]> run(AdapterRegistry reg, String adapter) {
        try (NDManager m = reg.backbone().manager().getEngine().newBaseManager()) {
            var out = reg.forward(m, IDS, MASK, adapter);
            List<float[]> r = new ArrayList<>();
            r.add(out.logits().toFloatArray());
            for (NDArray h : out.hiddenStates()) {
                r.add(h.toFloatArray());
            }
            return r;
        }
    }

    static void assertBitIdentical(List<float[]> a, List<float[]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).length, b.get(i).length);
            for (int j = 0; j < a.get(i).length; j++) {
                assertEquals(
                        Float.floatToIntBits(a.get(i)[j]),
                        Float.floatToIntBits(b.get(i)[j]),
                        "tensor "
                                + i
                                + " element "
                                + j
                                + ": "
                                + a.get(i)[j]
                                + " vs "
                                + b.get(i)[j]);
            }
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    void zeroInitAdapterGivesExactlyTheBaseOutput() {
        try (TinyBackbone bb = new TinyBackbone(1);
                AdapterRegistry reg = new AdapterRegistry(bb)) {
            List<float[]> base = run(reg, null);
            reg.add("zero", adapter(bb, ALL, 3, LoraAdapter.Init.ZERO, 0));
            assertBitIdentical(base, run(reg, "zero"));
            reg.merge("zero");
            assertBitIdentical(base, run(reg, "zero"));
            reg.unmerge();
            assertBitIdentical(base, run(reg, null));
        }
    }

    @Test
    void randomAdapterChangesOutputAndEqualsManualLowRankUpdate() {
        try (TinyBackbone bb = new TinyBackbone(1);
                AdapterRegistry reg = new AdapterRegistry(bb)) {
            LoraAdapter a = adapter(bb, ATTN, 5, LoraAdapter.Init.RANDOM, 0.3);
            reg.add("a", a);
            List<float[]> base = run(reg, null);
            List<float[]> with = run(reg, "a");
            assertTrue(
                    maxAbsDiff(base.get(0), with.get(0)) > 1e-3,
                    "the adapter must change the logits");
            // merged weights give the same function up to float rounding
            reg.merge("a");
            List<float[]> merged = run(reg, "a");
            assertTrue(
                    maxAbsDiff(with.get(0), merged.get(0)) < 1e-4,
                    "merged vs unmerged: " + maxAbsDiff(with.get(0), merged.get(0)));
            reg.unmerge();
            assertTrue(maxAbsDiff(base.get(0), run(reg, null).get(0)) < 1e-5);
        }
    }

    @Test
    void switchingAdaptersBackAndForthIsBitIdentical() {
        try (TinyBackbone bb = new TinyBackbone(2);
                AdapterRegistry reg = new AdapterRegistry(bb)) {
            reg.add("A", adapter(bb, ATTN, 11, LoraAdapter.Init.RANDOM, 0.3));
            reg.add("B", adapter(bb, ALL, 12, LoraAdapter.Init.RANDOM, 0.3));
            List<float[]> a1 = run(reg, "A");
            List<float[]> b = run(reg, "B");
            List<float[]> a2 = run(reg, "A");
            List<float[]> base = run(reg, null);
            List<float[]> a3 = run(reg, "A");
            assertBitIdentical(a1, a2);
            assertBitIdentical(a1, a3);
            assertTrue(maxAbsDiff(a1.get(0), b.get(0)) > 1e-3);
            assertTrue(maxAbsDiff(a1.get(0), base.get(0)) > 1e-3);
        }
    }

    @Test
    void twoThreadsWithDifferentAdaptersMatchEachAlone() throws Exception {
        try (TinyBackbone bb = new TinyBackbone(3);
                AdapterRegistry reg = new AdapterRegistry(bb)) {
            reg.add("A", adapter(bb, ATTN, 21, LoraAdapter.Init.RANDOM, 0.3));
            reg.add("B", adapter(bb, ALL, 22, LoraAdapter.Init.RANDOM, 0.3));
            Map<String, List<float[]>> alone = Map.of("A", run(reg, "A"), "B", run(reg, "B"));
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Integer>> fs = new ArrayList<>();
                for (String name : List.of("A", "B")) {
                    fs.add(
                            pool.submit(
                                    () -> {
                                        for (int it = 0; it < 200; it++) {
                                            assertBitIdentical(alone.get(name), run(reg, name));
                                        }
                                        return 200;
                                    }));
                }
                for (Future<Integer> f : fs) {
                    assertEquals(200, f.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * Merge then unmerge restores W within the rounding of the two float32 additions: with D =
     * fl(scale·B·A) computed identically both times, W' = fl(W + D) and W'' = fl(W' − D), so |W'' −
     * W| ≤ ½ulp(W') + ½ulp(W'') ≤ u·(|W'| + |W''|), u = 2⁻²⁴ (plus the smallest subnormal for
     * values near zero).
     */
    @Test
    void unmergeRestoresTheBaseWithinTheDerivedRoundingBound() {
        try (TinyBackbone bb = new TinyBackbone(4);
                AdapterRegistry reg = new AdapterRegistry(bb)) {
            reg.add("A", adapter(bb, ALL, 31, LoraAdapter.Init.RANDOM, 2.0));
            Map<String, float[]> before = new java.util.HashMap<>();
            bb.linearLayers()
                    .forEach((n, l) -> before.put(n, l.weight().getArray().toFloatArray()));
            reg.merge("A");
            Map<String, float[]> mergedW = new java.util.HashMap<>();
            bb.linearLayers()
                    .forEach((n, l) -> mergedW.put(n, l.weight().getArray().toFloatArray()));
            reg.unmerge();
            double u = Math.scalb(1.0, -24);
            int changedByMerge = 0;
            int notBitIdentical = 0;
            double worstRatio = 0;
            for (Map.Entry<String, LinearLayer> e : bb.linearLayers().entrySet()) {
                float[] w = before.get(e.getKey());
                float[] w1 = mergedW.get(e.getKey());
                float[] w2 = e.getValue().weight().getArray().toFloatArray();
                for (int i = 0; i < w.length; i++) {
                    if (w1[i] != w[i]) {
                        changedByMerge++;
                    }
                    if (w2[i] != w[i]) {
                        notBitIdentical++;
                    }
                    double bound = u * (Math.abs(w1[i]) + Math.abs(w2[i])) + Float.MIN_VALUE;
                    double err = Math.abs((double) w2[i] - w[i]);
                    assertTrue(
                            err <= bound,
                            e.getKey() + "[" + i + "]: |W''-W| = " + err + " > bound " + bound);
                    worstRatio = Math.max(worstRatio, err / bound);
                }
            }
            System.out.printf(
                    "merge/unmerge: %d weights changed by merge, %d not bit-identical after unmerge, worst error/bound %.3f%n",
                    changedByMerge, notBitIdentical, worstRatio);
            assertTrue(changedByMerge > 1000, "merge must change the weights");
        }
    }

    /** A LoRA on a tied lm_head must never change the input embeddings, merged or not. */
    @Test
    void mergingATiedLmHeadLeavesTheEmbeddingsAlone() {
        try (TinyBackbone bb = new TinyBackbone(8, true);
                AdapterRegistry reg = new AdapterRegistry(bb)) {
            float[] embed = bb.embeddings().toFloatArray();
            assertTrue(
                    bb.linearLayers().get("lm_head").weight().getArray() == bb.embeddings(),
                    "test double shares the array");
            reg.add(
                    "head",
                    adapter(bb, List.of("lm_head", "q_proj"), 51, LoraAdapter.Init.RANDOM, 0.5));
            List<float[]> base = run(reg, null);
            List<float[]> unmerged = run(reg, "head");
            assertTrue(maxAbsDiff(base.get(0), unmerged.get(0)) > 1e-3);
            assertBitIdentical(
                    base.subList(1, 2),
                    unmerged.subList(1, 2)); // hidden.0 = embeddings: untouched by the head LoRA
            reg.merge("head");
            assertArrayEquals(
                    embed,
                    bb.embeddings().toFloatArray(),
                    "merge must not write into the shared embedding table");
            List<float[]> merged = run(reg, "head");
            assertTrue(
                    maxAbsDiff(unmerged.get(0), merged.get(0)) < 1e-4,
                    "merged vs unmerged " + maxAbsDiff(unmerged.get(0), merged.get(0)));
            assertBitIdentical(base.subList(1, 2), merged.subList(1, 2));
            reg.unmerge();
            assertArrayEquals(embed, bb.embeddings().toFloatArray());
            assertTrue(maxAbsDiff(base.get(0), run(reg, null).get(0)) < 1e-5);
        }
    }

    @Test
    void mergedAdapterRefusesOtherCallsAndRemoval() {
        try (TinyBackbone bb = new TinyBackbone(5);
                AdapterRegistry reg = new AdapterRegistry(bb)) {
            reg.add("A", adapter(bb, ATTN, 1, LoraAdapter.Init.RANDOM, 0.3));
            reg.add("B", adapter(bb, ATTN, 2, LoraAdapter.Init.RANDOM, 0.3));
            reg.merge("A");
            assertThrows(IllegalStateException.class, () -> run(reg, "B"));
            assertThrows(IllegalStateException.class, () -> run(reg, null));
            assertThrows(IllegalStateException.class, () -> reg.remove("A"));
            assertThrows(IllegalStateException.class, () -> reg.merge("B"));
            reg.unmerge();
            run(reg, "B");
            assertThrows(FewNerException.class, () -> run(reg, "nope"));
        }
    }

    /**
     * A few AdamW steps on A and B only: the loss drops, A and B change, base weights stay
     * bit-identical.
     */
    @Test
    void trainingStepsChangeOnlyTheAdapter() {
        try (TinyBackbone bb = new TinyBackbone(6);
                AdapterRegistry reg = new AdapterRegistry(bb)) {
            reg.add("t", adapter(bb, ALL, 41, LoraAdapter.Init.ZERO, 0));
            Map<String, float[]> baseBefore = new java.util.HashMap<>();
            bb.linearLayers()
                    .forEach((n, l) -> baseBefore.put(n, l.weight().getArray().toFloatArray()));
            List<NDArray> params = reg.trainableParameters("t");
            List<float[]> abBefore = params.stream().map(NDArray::toFloatArray).toList();
            Optimizer adam =
                    Optimizer.adamW()
                            .optLearningRateTracker(Tracker.fixed(0.01f))
                            .optWeightDecays(0f)
                            .build();
            float[] target = new float[IDS.length * IDS[0].length * TinyBackbone.VOCAB];
            for (int i = 0; i < target.length; i++) {
                target[i] = (float) Math.sin(i);
            }
            double first = 0;
            double last = 0;
            for (int step = 0; step < 30; step++) {
                try (NDManager m = bb.manager().newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = bb.forward(m, IDS, MASK, "t").logits();
                    NDArray loss = logits.sub(m.create(target, logits.getShape())).square().mean();
                    gc.backward(loss);
                    double l = loss.getFloat();
                    if (step == 0) {
                        first = l;
                    }
                    last = l;
                    for (int p = 0; p < params.size(); p++) {
                        adam.update("lora." + p, params.get(p), params.get(p).getGradient());
                    }
                }
            }
            System.out.printf("LoRA training: loss %.5f -> %.5f in 30 AdamW steps%n", first, last);
            assertTrue(last < first * 0.9, "loss must drop: " + first + " -> " + last);
            bb.linearLayers()
                    .forEach(
                            (n, l) ->
                                    assertArrayEquals(
                                            baseBefore.get(n),
                                            l.weight().getArray().toFloatArray(),
                                            "base weight " + n + " must stay bit-identical"));
            for (LinearLayer l : bb.linearLayers().values()) {
                assertFalse(
                        l.weight().getArray().hasGradient(),
                        l.moduleName() + " weight must not get a gradient");
            }
            int changed = 0;
            for (int p = 0; p < params.size(); p++) {
                if (!java.util.Arrays.equals(abBefore.get(p), params.get(p).toFloatArray())) {
                    changed++;
                }
            }
            assertEquals(params.size(), changed, "every A and B must have moved");
            assertNotEquals(0, params.size());
        }
    }
}
