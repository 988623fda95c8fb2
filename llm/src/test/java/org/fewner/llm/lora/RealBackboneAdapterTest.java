package org.fewner.llm.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.fewner.common.Json;
import org.fewner.llm.decoder.RandomModelWriter;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry on the real decoder backbone (fused q/k/v and gate/up with per-layer views, tied
 * lm_head): zero-init, swap-back, two threads, merge/unmerge and the tied head.
 */
class RealBackboneAdapterTest {

    static ObjectNode qwen(boolean tied) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("model_type", "qwen2");
        n.putArray("architectures").add("Qwen2ForCausalLM");
        n.put("vocab_size", 60)
                .put("hidden_size", 32)
                .put("intermediate_size", 48)
                .put("num_hidden_layers", 2)
                .put("num_attention_heads", 4)
                .put("num_key_value_heads", 2)
                .put("max_position_embeddings", 64)
                .put("rms_norm_eps", 1e-5)
                .put("rope_theta", 10000.0)
                .put("tie_word_embeddings", tied)
                .put("initializer_range", 0.2)
                .put("eos_token_id", 2);
        return n;
    }

    static LoraAdapter adapter(Backbone b, List<String> targets, long seed) {
        return LoraAdapter.init(
                LinearModules.of(b),
                LoraConfig.of(4, 8, 0, targets, false),
                seed,
                LoraAdapter.Init.RANDOM,
                0.3);
    }

    static final List<String> ALL =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    @Test
    void decoderRegistry(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("qwen");
        RandomModelWriter.write(qwen(true), 5, true, dir, null);
        try (Backbone b = Models.load(dir, Device.cpu());
                AdapterRegistry reg = new AdapterRegistry(b)) {
            List<float[]> base = AdapterRegistryTest.run(reg, null);
            reg.add(
                    "zero",
                    LoraAdapter.init(
                            LinearModules.of(b),
                            LoraConfig.of(4, 8, 0, ALL, false),
                            1,
                            LoraAdapter.Init.ZERO,
                            0));
            AdapterRegistryTest.assertBitIdentical(base, AdapterRegistryTest.run(reg, "zero"));
            reg.add("A", adapter(b, ALL, 11));
            reg.add("B", adapter(b, List.of("q_proj", "v_proj", "lm_head"), 12));
            List<float[]> a1 = AdapterRegistryTest.run(reg, "A");
            List<float[]> b1 = AdapterRegistryTest.run(reg, "B");
            assertTrue(AdapterRegistryTest.maxAbsDiff(a1.get(0), base.get(0)) > 1e-3);
            assertTrue(AdapterRegistryTest.maxAbsDiff(b1.get(0), base.get(0)) > 1e-3);
            AdapterRegistryTest.assertBitIdentical(a1, AdapterRegistryTest.run(reg, "A"));
            AdapterRegistryTest.assertBitIdentical(
                    base, AdapterRegistryTest.run(reg, null)); // fused path again
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (String[] pair : new String[][] {{"A"}, {"B"}}) {
                    List<float[]> expected = pair[0].equals("A") ? a1 : b1;
                    fs.add(
                            pool.submit(
                                    () -> {
                                        for (int i = 0; i < 50; i++) {
                                            AdapterRegistryTest.assertBitIdentical(
                                                    expected,
                                                    AdapterRegistryTest.run(reg, pair[0]));
                                        }
                                        return null;
                                    }));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            // merge B (q/v views of the fused matrix, and the tied lm_head) and back
            float[] embedBefore =
                    b.linearLayers().get("lm_head").weight().getArray().toFloatArray();
            reg.merge("B");
            assertTrue(
                    AdapterRegistryTest.maxAbsDiff(
                                    b1.get(0), AdapterRegistryTest.run(reg, "B").get(0))
                            < 1e-4);
            assertArrayEquals(
                    embedBefore,
                    b.linearLayers().get("lm_head").weight().getArray().toFloatArray(),
                    "the tied embedding table must not change");
            AdapterRegistryTest.assertBitIdentical(
                    base.subList(1, 2), AdapterRegistryTest.run(reg, "B").subList(1, 2));
            reg.unmerge();
            List<float[]> after = AdapterRegistryTest.run(reg, null);
            assertTrue(AdapterRegistryTest.maxAbsDiff(base.get(0), after.get(0)) < 1e-5);
            assertEquals(null, reg.merged());
        }
    }

    /**
     * BERT runs q/k/v as one fused matmul: adapters add their LoRA branches on top, so zero-B is
     * exactly the base.
     */
    @Test
    void bertZeroInitSwapBackAndMerge(@TempDir Path tmp) {
        Path dir = ReferenceTools.randomModel(tmp.resolve("bert"), "bert-base-cased.json");
        List<String> bertAll =
                List.of(
                        "query",
                        "key",
                        "value",
                        "attention.output.dense",
                        "intermediate.dense",
                        "output.dense");
        try (Backbone b = Models.load(dir, Device.cpu());
                AdapterRegistry reg = new AdapterRegistry(b)) {
            List<float[]> base = AdapterRegistryTest.run(reg, null);
            reg.add(
                    "zero",
                    LoraAdapter.init(
                            LinearModules.of(b),
                            LoraConfig.of(4, 8, 0, bertAll, false),
                            1,
                            LoraAdapter.Init.ZERO,
                            0));
            AdapterRegistryTest.assertBitIdentical(base, AdapterRegistryTest.run(reg, "zero"));
            reg.add("A", adapter(b, bertAll, 21));
            reg.add("B", adapter(b, List.of("query", "value"), 22));
            List<float[]> a1 = AdapterRegistryTest.run(reg, "A");
            List<float[]> b1 = AdapterRegistryTest.run(reg, "B");
            assertTrue(AdapterRegistryTest.maxAbsDiff(a1.get(0), base.get(0)) > 1e-3);
            AdapterRegistryTest.assertBitIdentical(a1, AdapterRegistryTest.run(reg, "A"));
            AdapterRegistryTest.assertBitIdentical(base, AdapterRegistryTest.run(reg, null));
            reg.merge("B");
            assertTrue(
                    AdapterRegistryTest.maxAbsDiff(
                                    b1.get(0), AdapterRegistryTest.run(reg, "B").get(0))
                            < 1e-4);
            reg.unmerge();
            assertTrue(
                    AdapterRegistryTest.maxAbsDiff(
                                    base.get(0), AdapterRegistryTest.run(reg, null).get(0))
                            < 1e-5);
        }
    }
}
