package org.fewner.llm.decoder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.fewner.common.AtomicFiles;
import org.fewner.llm.config.BertConfig;
import org.fewner.llm.config.DecoderConfig;
import org.fewner.llm.config.ModelConfig;
import org.fewner.llm.config.ModelConfigs;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;

/**
 * Writes a random-weight model directory from a HF config: {@code config.json}, {@code
 * model.safetensors} (F32, HF names as {@code *ForCausalLM} or {@code BertForMaskedLM} with the MLM
 * head, like the reference's random_model.py) and a copy of a tokenizer.json when given. Linear
 * weights, biases and embeddings ~ N(0, initializer_range); norm weights 1 and biases 0 (or 1 +
 * N(0, 0.1) / N(0, 0.1) with random norms). The random stream is Java's (not numpy's): the same
 * seed does not give random_model.py's numbers.
 */
public final class RandomModelWriter {
    private RandomModelWriter() {}

    /**
     * Writes the model; {@code config} already holds any overrides. Returns the number of
     * parameters.
     *
     * @param tokenizer a tokenizer.json to copy, or null
     */
    public static long write(
            ObjectNode config, long seed, boolean randomNorms, Path out, Path tokenizer) {
        ModelConfig mc = ModelConfigs.parse(out.resolve("config.json"), config);
        Map<String, long[]> shapes = new TreeMap<>();
        Map<String, Character> kinds = new TreeMap<>();
        double std;
        if (mc instanceof DecoderConfig c) {
            decoderShapes(c, shapes, kinds);
            std = c.initializerRange();
        } else {
            bertShapes((BertConfig) mc, shapes, kinds);
            std = ((BertConfig) mc).initializerRange();
        }
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        long params = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            int n = Math.toIntExact(HostTensor.numel(e.getValue()));
            float[] v = new float[n];
            char kind = kinds.get(e.getKey());
            for (int i = 0; i < n; i++) {
                v[i] =
                        switch (kind) {
                            case 'w' -> (float) (gaussian(rng) * std);
                            case 'g' -> randomNorms ? (float) (1 + 0.1 * gaussian(rng)) : 1f;
                            default -> randomNorms ? (float) (0.1 * gaussian(rng)) : 0f;
                        };
            }
            tensors.put(e.getKey(), HostTensor.ofFloats(e.getValue(), v));
            params += n;
        }
        ObjectNode cfg = config.deepCopy();
        cfg.put("torch_dtype", "float32");
        AtomicFiles.writeNewDirectory(
                out,
                dir -> {
                    ModelConfigs.write(dir.resolve("config.json"), cfg);
                    SafeTensors.write(
                            dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
                    if (tokenizer != null) {
                        Files.write(dir.resolve("tokenizer.json"), Files.readAllBytes(tokenizer));
                    }
                });
        return params;
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller
        double u = 1.0 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    static void decoderShapes(DecoderConfig c, Map<String, long[]> s, Map<String, Character> k) {
        long h = c.hiddenSize();
        long i = c.intermediateSize();
        long v = c.vocabSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        put(s, k, "model.embed_tokens.weight", 'w', v, h);
        put(s, k, "model.norm.weight", 'g', h);
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            linear(s, k, p + "self_attn.q_proj", q, h, c.attentionBias());
            linear(s, k, p + "self_attn.k_proj", kv, h, c.attentionBias());
            linear(s, k, p + "self_attn.v_proj", kv, h, c.attentionBias());
            linear(s, k, p + "self_attn.o_proj", h, q, c.outputBias());
            linear(s, k, p + "mlp.gate_proj", i, h, c.mlpBias());
            linear(s, k, p + "mlp.up_proj", i, h, c.mlpBias());
            linear(s, k, p + "mlp.down_proj", h, i, c.mlpBias());
            put(s, k, p + "input_layernorm.weight", 'g', h);
            put(s, k, p + "post_attention_layernorm.weight", 'g', h);
        }
        if (!c.tieWordEmbeddings()) {
            put(s, k, "lm_head.weight", 'w', v, h);
        }
    }

    static void bertShapes(BertConfig c, Map<String, long[]> s, Map<String, Character> k) {
        long h = c.hiddenSize();
        long v = c.vocabSize();
        String b = "bert.";
        put(s, k, b + "embeddings.word_embeddings.weight", 'w', v, h);
        put(s, k, b + "embeddings.position_embeddings.weight", 'w', c.maxPositionEmbeddings(), h);
        put(s, k, b + "embeddings.token_type_embeddings.weight", 'w', c.typeVocabSize(), h);
        norm(s, k, b + "embeddings.LayerNorm", h);
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = b + "encoder.layer." + l + ".";
            linear(s, k, p + "attention.self.query", h, h, true);
            linear(s, k, p + "attention.self.key", h, h, true);
            linear(s, k, p + "attention.self.value", h, h, true);
            linear(s, k, p + "attention.output.dense", h, h, true);
            norm(s, k, p + "attention.output.LayerNorm", h);
            linear(s, k, p + "intermediate.dense", c.intermediateSize(), h, true);
            linear(s, k, p + "output.dense", h, c.intermediateSize(), true);
            norm(s, k, p + "output.LayerNorm", h);
        }
        linear(s, k, "cls.predictions.transform.dense", h, h, true);
        norm(s, k, "cls.predictions.transform.LayerNorm", h);
        put(s, k, "cls.predictions.bias", 'w', v);
    }

    private static void linear(
            Map<String, long[]> s,
            Map<String, Character> k,
            String name,
            long out,
            long in,
            boolean bias) {
        put(s, k, name + ".weight", 'w', out, in);
        if (bias) {
            put(s, k, name + ".bias", 'w', out);
        }
    }

    private static void norm(Map<String, long[]> s, Map<String, Character> k, String name, long h) {
        put(s, k, name + ".weight", 'g', h);
        put(s, k, name + ".bias", 'b', h);
    }

    private static void put(
            Map<String, long[]> s,
            Map<String, Character> k,
            String name,
            char kind,
            long... shape) {
        s.put(name, shape);
        k.put(name, kind);
    }
}
