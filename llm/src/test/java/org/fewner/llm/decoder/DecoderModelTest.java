package org.fewner.llm.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.config.ConfigException;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;
import org.fewner.llm.tensors.TensorFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Self-consistency of the decoder (padding, KV cache) and its load errors, on tiny random models.
 */
class DecoderModelTest {
    @TempDir Path tmp;

    static ObjectNode tinyConfig(String type, int vocab) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("model_type", type);
        n.putArray("architectures")
                .add(
                        type.equals("qwen2")
                                ? "Qwen2ForCausalLM"
                                : type.equals("mistral")
                                        ? "MistralForCausalLM"
                                        : "LlamaForCausalLM");
        n.put("vocab_size", vocab);
        n.put("hidden_size", 32);
        n.put("intermediate_size", 48);
        n.put("num_hidden_layers", 2);
        n.put("num_attention_heads", 4);
        n.put("num_key_value_heads", 2);
        n.put("max_position_embeddings", 64);
        n.put("rms_norm_eps", 1e-5);
        n.put("rope_theta", 10000.0);
        n.put("tie_word_embeddings", true);
        n.put("initializer_range", 0.2);
        n.put("eos_token_id", 2);
        return n;
    }

    private Path model(ObjectNode cfg) {
        Path dir = tmp.resolve("m" + System.nanoTime());
        RandomModelWriter.write(cfg, 11, true, dir, null);
        return dir;
    }

    @Test
    void leftPaddingAndKvCacheGiveTheSameLogitsAsOneUnpaddedPass() {
        try (DecoderModel m = DecoderModel.load(model(tinyConfig("qwen2", 50)), Device.cpu());
                NDManager mm = m.manager().newSubManager()) {
            long[] seq = {5, 9, 13, 1, 40, 7, 22};
            float[] full =
                    m.forward(
                                    mm,
                                    new long[][] {seq},
                                    new long[][] {{1, 1, 1, 1, 1, 1, 1}},
                                    null,
                                    null,
                                    false,
                                    false)
                            .logits()
                            .get(0)
                            .toFloatArray();
            int v = 50;
            // batch with a shorter, left-padded row
            long[][] ids = {seq, {0, 0, 0, 5, 9, 13, 1}};
            long[][] mask = {{1, 1, 1, 1, 1, 1, 1}, {0, 0, 0, 1, 1, 1, 1}};
            NDArray batch = m.forward(mm, ids, mask, null, null, false, false).logits();
            float[] row1 = batch.get(1).toFloatArray();
            for (int t = 0; t < 4; t++) {
                for (int k = 0; k < v; k++) {
                    assertEquals(
                            full[t * v + k],
                            row1[(t + 3) * v + k],
                            1e-4,
                            "left-padded row, position " + t);
                }
            }
            // incremental: 4 tokens, then 1, 1, 1
            try (KvCache cache = new KvCache(mm, 2)) {
                m.forward(
                        mm,
                        new long[][] {{5, 9, 13, 1}},
                        new long[][] {{1, 1, 1, 1}},
                        cache,
                        null,
                        false,
                        true);
                for (int t = 4; t < 7; t++) {
                    float[] step =
                            m.forward(
                                            mm,
                                            new long[][] {{seq[t]}},
                                            new long[][] {{1}},
                                            cache,
                                            null,
                                            false,
                                            true)
                                    .logits()
                                    .toFloatArray();
                    for (int k = 0; k < v; k++) {
                        assertEquals(
                                full[t * v + k], step[k], 1e-4, "cached step at position " + t);
                    }
                }
                assertEquals(7, cache.length());
            }
        }
    }

    @Test
    void kvCacheBuffersGrowAndReorderRowsWithoutChangingTheLogits() {
        try (DecoderModel m = DecoderModel.load(model(tinyConfig("llama", 50)), Device.cpu());
                NDManager mm = m.manager().newSubManager()) {
            long[][] seqs = {
                {5, 9, 13, 1, 40, 7, 22, 3, 17, 30, 11}, {8, 2, 44, 19, 6, 25, 31, 12, 4, 27, 14}
            };
            int v = 50;
            int n = seqs[0].length;
            float[][] full = new float[2][];
            for (int r = 0; r < 2; r++) {
                long[][] ones = {new long[n]};
                java.util.Arrays.fill(ones[0], 1);
                full[r] =
                        m.forward(mm, new long[][] {seqs[r]}, ones, null, null, false, false)
                                .logits()
                                .get(0)
                                .toFloatArray();
            }
            // headroom 1: the buffers are regrown (copied) several times over the 8 single-token
            // steps; the rows
            // are swapped half way (beam reordering) so the copy and the row selection must both
            // keep the past
            try (KvCache cache = new KvCache(mm, 2, 1)) {
                m.forward(
                        mm,
                        new long[][] {{5, 9, 13}, {8, 2, 44}},
                        new long[][] {{1, 1, 1}, {1, 1, 1}},
                        cache,
                        null,
                        false,
                        true);
                int[] rowOf = {0, 1}; // which sequence each cache row holds
                for (int t = 3; t < n; t++) {
                    if (t == 6) {
                        cache.selectRows(new int[] {1, 0});
                        rowOf = new int[] {1, 0};
                    }
                    long[][] tok = {{seqs[rowOf[0]][t]}, {seqs[rowOf[1]][t]}};
                    float[] step =
                            m.forward(mm, tok, new long[][] {{1}, {1}}, cache, null, false, true)
                                    .logits()
                                    .toFloatArray();
                    for (int r = 0; r < 2; r++) {
                        for (int k = 0; k < v; k++) {
                            assertEquals(
                                    full[rowOf[r]][t * v + k],
                                    step[r * v + k],
                                    1e-4,
                                    "cached step at position " + t + ", row " + r);
                        }
                    }
                }
                assertEquals(n, cache.length());
            }
        }
    }

    @Test
    void aSingleTokenStepRestoresTheCallersThreadCount() {
        try (DecoderModel m = DecoderModel.load(model(tinyConfig("llama", 50)), Device.cpu());
                NDManager mm = m.manager().newSubManager()) {
            int before = ai.djl.pytorch.jni.JniUtils.getNumThreads();
            float[] one =
                    m.forward(mm, new long[][] {{7}}, new long[][] {{1}}, null, null, false, true)
                            .logits()
                            .toFloatArray();
            assertEquals(before, ai.djl.pytorch.jni.JniUtils.getNumThreads());
            // and the one-thread path computes the same logits as a two-row batch holding the same
            // row
            float[] two =
                    m.forward(
                                    mm,
                                    new long[][] {{7}, {7}},
                                    new long[][] {{1}, {1}},
                                    null,
                                    null,
                                    false,
                                    true)
                            .logits()
                            .toFloatArray();
            assertEquals(before, ai.djl.pytorch.jni.JniUtils.getNumThreads());
            for (int k = 0; k < one.length; k++) {
                assertEquals(two[k], one[k], 1e-5, "logit " + k);
            }
        }
    }

    @Test
    void fusedAndPerLayerPathsAgree() {
        try (DecoderModel m = DecoderModel.load(model(tinyConfig("qwen2", 50)), Device.cpu());
                NDManager mm = m.manager().newSubManager()) {
            long[][] ids = {{5, 9, 13, 1, 40}};
            long[][] mask = {{1, 1, 1, 1, 1}};
            float[] fused = m.forward(mm, ids, mask, null).logits().toFloatArray();
            // an adapter with B = 0 on every layer changes nothing numerically but forces the
            // per-layer path
            for (var l : m.linearLayers().values()) {
                NDArray a =
                        m.manager().randomNormal(new ai.djl.ndarray.types.Shape(2, l.inFeatures()));
                NDArray b = m.manager().zeros(new ai.djl.ndarray.types.Shape(l.outFeatures(), 2));
                l.putAdapter("zero", new org.fewner.llm.nn.LoraWeights(a, b, 2f, 0f));
            }
            float[] perLayer = m.forward(mm, ids, mask, "zero").logits().toFloatArray();
            assertArrayEquals(fused, perLayer, 1e-4f);
            // and a real adapter on q_proj changes the output (the per-layer path really runs)
            var q = m.linearLayers().get("model.layers.0.self_attn.q_proj");
            q.putAdapter(
                    "real",
                    new org.fewner.llm.nn.LoraWeights(
                            m.manager()
                                    .randomNormal(
                                            new ai.djl.ndarray.types.Shape(2, q.inFeatures())),
                            m.manager()
                                    .randomNormal(
                                            new ai.djl.ndarray.types.Shape(q.outFeatures(), 2)),
                            2f,
                            0f));
            float[] adapted = m.forward(mm, ids, mask, "real").logits().toFloatArray();
            double diff = 0;
            for (int i = 0; i < fused.length; i++) {
                diff = Math.max(diff, Math.abs(fused[i] - adapted[i]));
            }
            assertTrue(diff > 1e-3, "adapter had no effect: " + diff);
        }
    }

    @Test
    void hiddenStatesAreEmbeddingsThenEveryBlock() {
        try (DecoderModel m = DecoderModel.load(model(tinyConfig("llama", 50)), Device.cpu());
                NDManager mm = m.manager().newSubManager()) {
            var out = m.forward(mm, new long[][] {{3, 4}}, new long[][] {{1, 1}}, null);
            assertEquals(3, out.hiddenStates().size());
            assertEquals(new ai.djl.ndarray.types.Shape(1, 2, 50), out.logits().getShape());
            assertEquals(15, m.linearLayers().size());
            assertTrue(m.linearLayers().containsKey("model.layers.1.mlp.down_proj"));
            assertTrue(m.linearLayers().containsKey("lm_head"));
        }
    }

    @Test
    void promptLongerThanMaxPositionsIsRefused() {
        try (DecoderModel m = DecoderModel.load(model(tinyConfig("llama", 50)), Device.cpu());
                NDManager mm = m.manager().newSubManager()) {
            long[] ids = new long[65];
            long[] mask = new long[65];
            java.util.Arrays.fill(mask, 1);
            var e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> m.forward(mm, new long[][] {ids}, new long[][] {mask}, null));
            assertTrue(e.getMessage().contains("max_position_embeddings 64"), e.getMessage());
        }
    }

    @Test
    void missingWeightIsNamed() throws Exception {
        Path dir = model(tinyConfig("llama", 50));
        Map<String, HostTensor> all =
                new TreeMap<>(SafeTensors.readAll(dir.resolve("model.safetensors")));
        all.remove("model.layers.1.self_attn.k_proj.weight");
        SafeTensors.write(dir.resolve("model.safetensors"), all, Map.of());
        var e = assertThrows(TensorFileException.class, () -> DecoderModel.load(dir, Device.cpu()));
        assertTrue(
                e.getMessage().contains("model.layers.1.self_attn.k_proj.weight"), e.getMessage());
    }

    @Test
    void tokenizerLargerThanEmbeddingIsRefused() throws Exception {
        Path tok = ReferenceModels.shared().resolve("models/smollm2-135m-tokenizer/tokenizer.json");
        Path dir = tmp.resolve("small-vocab");
        RandomModelWriter.write(tinyConfig("llama", 1000), 1, false, dir, tok);
        var e = assertThrows(FewNerException.class, () -> DecoderModel.load(dir, Device.cpu()));
        assertTrue(
                e.getMessage().contains("49152") && e.getMessage().contains("1000"),
                e.getMessage());
    }

    @Test
    void unsupportedRopeScalingIsAConfigError() {
        ObjectNode cfg = tinyConfig("llama", 50);
        cfg.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0);
        assertThrows(
                ConfigException.class,
                () -> RandomModelWriter.write(cfg, 1, false, tmp.resolve("x"), null));
    }

    @Test
    void unsupportedArchitectureOrModelTypeIsAConfigError() {
        ObjectNode gpt2 = tinyConfig("llama", 50);
        gpt2.put("model_type", "gpt2");
        var e =
                assertThrows(
                        ConfigException.class,
                        () -> RandomModelWriter.write(gpt2, 1, false, tmp.resolve("g"), null));
        assertTrue(
                e.getMessage().contains("gpt2") && e.getMessage().contains("llama"),
                e.getMessage());
        ObjectNode cls = tinyConfig("llama", 50);
        cls.putArray("architectures").add("LlamaForSequenceClassification");
        e =
                assertThrows(
                        ConfigException.class,
                        () -> RandomModelWriter.write(cls, 1, false, tmp.resolve("c"), null));
        assertTrue(e.getMessage().contains("LlamaForSequenceClassification"), e.getMessage());
        ObjectNode partial = tinyConfig("llama", 50);
        partial.put("partial_rotary_factor", 0.5);
        assertThrows(
                ConfigException.class,
                () -> RandomModelWriter.write(partial, 1, false, tmp.resolve("p"), null));
    }

    @Test
    void misShapedWeightIsNamed() throws Exception {
        Path dir = model(tinyConfig("llama", 50));
        Map<String, HostTensor> all =
                new TreeMap<>(SafeTensors.readAll(dir.resolve("model.safetensors")));
        all.put(
                "model.layers.0.mlp.up_proj.weight",
                HostTensor.ofFloats(new long[] {48, 31}, new float[48 * 31]));
        SafeTensors.write(dir.resolve("model.safetensors"), all, Map.of());
        var e = assertThrows(TensorFileException.class, () -> DecoderModel.load(dir, Device.cpu()));
        assertTrue(
                e.getMessage().contains("model.layers.0.mlp.up_proj.weight")
                        && e.getMessage().contains("[48, 32]"),
                e.getMessage());
    }

    @Test
    void bertConfigIsNotADecoder() throws Exception {
        Path cfg = ReferenceModels.shared().resolve("models/configs/bert-base-cased.json");
        ObjectNode n = (ObjectNode) Json.MAPPER.readTree(cfg.toFile());
        n.put("num_hidden_layers", 1);
        n.put("hidden_size", 16);
        n.put("num_attention_heads", 2);
        n.put("intermediate_size", 32);
        n.put("vocab_size", 40);
        Path dir = tmp.resolve("bert");
        RandomModelWriter.write(n, 1, false, dir, null);
        assertTrue(Files.isRegularFile(dir.resolve("model.safetensors")));
        assertTrue(
                SafeTensors.readAll(dir.resolve("model.safetensors"))
                        .containsKey("cls.predictions.bias"));
        var e = assertThrows(ConfigException.class, () -> DecoderModel.load(dir, Device.cpu()));
        assertTrue(e.getMessage().contains("not a decoder"), e.getMessage());
        assertArrayEquals(
                new long[] {40, 16},
                SafeTensors.readAll(dir.resolve("model.safetensors"))
                        .get("bert.embeddings.word_embeddings.weight")
                        .shape());
    }
}
