package org.fewner.llm.bert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.fewner.common.Json;
import org.fewner.llm.config.ModelConfigs;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;

/**
 * Writes tiny random BERT model directories with our own safetensors writer (no Python needed):
 * weights N(0, 0.2), norm weights 1 + N(0, 0.1), norm biases N(0, 0.1), so activations reach the
 * non-linear range.
 */
final class TinyBert {
    static final int VOCAB = 50;
    static final int HIDDEN = 16;
    static final int HEADS = 4;
    static final int INTERMEDIATE = 32;
    static final int LAYERS = 2;
    static final int POSITIONS = 12;

    /**
     * Checkpoint naming: BertForMaskedLM ("bert." + MLM head), BertModel (no prefix, pooler), or
     * Google's gamma/beta.
     */
    enum Naming {
        MLM,
        BASE,
        LEGACY_NORMS
    }

    private TinyBert() {}

    static Map<String, HostTensor> weights(Naming naming, long seed) {
        Random rnd = new Random(seed);
        String p = naming == Naming.BASE ? "" : "bert.";
        String g = naming == Naming.LEGACY_NORMS ? ".gamma" : ".weight";
        String b = naming == Naming.LEGACY_NORMS ? ".beta" : ".bias";
        Map<String, HostTensor> w = new LinkedHashMap<>();
        w.put(p + "embeddings.word_embeddings.weight", normal(rnd, 0, 0.2, VOCAB, HIDDEN));
        w.put(p + "embeddings.position_embeddings.weight", normal(rnd, 0, 0.2, POSITIONS, HIDDEN));
        w.put(p + "embeddings.token_type_embeddings.weight", normal(rnd, 0, 0.2, 2, HIDDEN));
        norm(w, rnd, p + "embeddings.LayerNorm", g, b);
        for (int i = 0; i < LAYERS; i++) {
            String l = p + "encoder.layer." + i + ".";
            linear(w, rnd, l + "attention.self.query", HIDDEN, HIDDEN);
            linear(w, rnd, l + "attention.self.key", HIDDEN, HIDDEN);
            linear(w, rnd, l + "attention.self.value", HIDDEN, HIDDEN);
            linear(w, rnd, l + "attention.output.dense", HIDDEN, HIDDEN);
            norm(w, rnd, l + "attention.output.LayerNorm", g, b);
            linear(w, rnd, l + "intermediate.dense", INTERMEDIATE, HIDDEN);
            linear(w, rnd, l + "output.dense", HIDDEN, INTERMEDIATE);
            norm(w, rnd, l + "output.LayerNorm", g, b);
        }
        if (naming == Naming.BASE) {
            linear(w, rnd, "pooler.dense", HIDDEN, HIDDEN);
        } else {
            linear(w, rnd, "cls.predictions.transform.dense", HIDDEN, HIDDEN);
            norm(w, rnd, "cls.predictions.transform.LayerNorm", g, b);
            w.put("cls.predictions.bias", normal(rnd, 0, 0.2, VOCAB));
        }
        return w;
    }

    static ObjectNode config(String act) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("model_type", "bert");
        c.put("vocab_size", VOCAB);
        c.put("hidden_size", HIDDEN);
        c.put("num_hidden_layers", LAYERS);
        c.put("num_attention_heads", HEADS);
        c.put("intermediate_size", INTERMEDIATE);
        c.put("hidden_act", act);
        c.put("max_position_embeddings", POSITIONS);
        c.put("type_vocab_size", 2);
        c.put("layer_norm_eps", 1e-12);
        return c;
    }

    /** Writes config.json + model.safetensors into {@code dir}. */
    static Path write(Path dir, Naming naming, String act, long seed) {
        return write(dir, config(act), weights(naming, seed));
    }

    static Path write(Path dir, ObjectNode config, Map<String, HostTensor> weights) {
        ModelConfigs.write(dir.resolve("config.json"), config);
        SafeTensors.write(dir.resolve("model.safetensors"), weights, Map.of("format", "pt"));
        return dir;
    }

    private static void linear(
            Map<String, HostTensor> w, Random rnd, String name, int out, int in) {
        w.put(name + ".weight", normal(rnd, 0, 0.2, out, in));
        w.put(name + ".bias", normal(rnd, 0, 0.2, out));
    }

    private static void norm(
            Map<String, HostTensor> w, Random rnd, String name, String g, String b) {
        w.put(name + g, normal(rnd, 1, 0.1, HIDDEN));
        w.put(name + b, normal(rnd, 0, 0.1, HIDDEN));
    }

    static HostTensor normal(Random rnd, double mean, double std, long... shape) {
        float[] v = new float[(int) HostTensor.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (mean + std * rnd.nextGaussian());
        }
        return HostTensor.ofFloats(shape, v);
    }
}
