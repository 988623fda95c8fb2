package org.fewner.llm.lora;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.fewner.common.Json;
import org.fewner.llm.config.ModelConfig;
import org.fewner.llm.config.ModelConfigs;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.BackboneOutput;
import org.fewner.llm.nn.ForwardParams;
import org.fewner.llm.nn.LinearLayer;
import org.fewner.llm.tokenizer.ModelTokenizer;

/**
 * A test double: a 2-layer toy "decoder" whose every linear is a {@link LinearLayer} named like
 * Llama's ({@code model.layers.i.self_attn.q_proj} ... {@code lm_head}). Not attention, just enough
 * mixing that every layer matters: per layer {@code h = x + o(v(x) ⊙ tanh(q(x) + k(x)))}, {@code x
 * = h + down(silu(gate(h)) ⊙ up(h))}; logits = lm_head(x). Weights ~ N(0, 0.2²) from a seed.
 */
final class TinyBackbone implements Backbone {
    static final int VOCAB = 32;
    static final int HIDDEN = 16;
    static final int INTER = 24;
    static final int LAYERS = 2;

    private final NDManager manager;
    private final ModelConfig config;
    private final NDArray embed;
    private final Map<String, LinearLayer> linears = new LinkedHashMap<>();

    TinyBackbone(long seed) {
        this(seed, false);
    }

    /**
     * @param tied lm_head's weight is the embedding array itself (tie_word_embeddings), as the
     *     decoder does
     */
    TinyBackbone(long seed, boolean tied) {
        manager = NDManager.newBaseManager(Device.cpu());
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("model_type", "llama")
                .put("vocab_size", VOCAB)
                .put("hidden_size", HIDDEN)
                .put("num_hidden_layers", LAYERS)
                .put("num_attention_heads", 2)
                .put("intermediate_size", INTER)
                .put("tie_word_embeddings", tied);
        config = ModelConfigs.parse(Path.of("tiny/config.json"), c);
        Random rng = new Random(seed);
        embed = manager.create(gaussian(rng, VOCAB * HIDDEN), new Shape(VOCAB, HIDDEN));
        for (int i = 0; i < LAYERS; i++) {
            String p = "model.layers." + i + ".";
            add(p + "self_attn.q_proj", HIDDEN, HIDDEN, true, rng);
            add(p + "self_attn.k_proj", HIDDEN, HIDDEN, true, rng);
            add(p + "self_attn.v_proj", HIDDEN, HIDDEN, true, rng);
            add(p + "self_attn.o_proj", HIDDEN, HIDDEN, false, rng);
            add(p + "mlp.gate_proj", HIDDEN, INTER, false, rng);
            add(p + "mlp.up_proj", HIDDEN, INTER, false, rng);
            add(p + "mlp.down_proj", INTER, HIDDEN, false, rng);
        }
        if (tied) {
            LinearLayer head = new LinearLayer("lm_head", HIDDEN, VOCAB, false);
            head.setWeights(embed, null);
            linears.put("lm_head", head);
        } else {
            add("lm_head", HIDDEN, VOCAB, false, rng);
        }
    }

    private void add(String name, int in, int out, boolean bias, Random rng) {
        LinearLayer l = new LinearLayer(name, in, out, bias);
        l.setWeights(
                manager.create(gaussian(rng, out * in), new Shape(out, in)),
                bias ? manager.create(gaussian(rng, out), new Shape(out)) : null);
        linears.put(name, l);
    }

    private static float[] gaussian(Random rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextGaussian() * 0.2);
        }
        return v;
    }

    /** The input embedding table [V, H]. */
    NDArray embeddings() {
        return embed;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public ModelTokenizer tokenizer() {
        return null;
    }

    @Override
    public Device device() {
        return Device.cpu();
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public Map<String, LinearLayer> linearLayers() {
        return Collections.unmodifiableMap(linears);
    }

    private NDArray lin(ParameterStore ps, String name, NDArray x, String adapter) {
        return linears.get(name)
                .forward(ps, new NDList(x), false, ForwardParams.withAdapter(adapter))
                .singletonOrThrow();
    }

    /**
     * [B, T] ids → hidden [B, T, H] ×(L+1), logits [B, T, V]. The mask is ignored (no attention
     * here).
     */
    @Override
    public BackboneOutput forward(NDManager m, long[][] ids, long[][] mask, String adapter) {
        ParameterStore ps = new ParameterStore(m, false);
        NDArray x =
                m.create(ids)
                        .oneHot(VOCAB)
                        .toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                        .matMul(embed);
        NDList hidden = new NDList(x);
        for (int i = 0; i < LAYERS; i++) {
            String p = "model.layers." + i + ".";
            NDArray gate =
                    lin(ps, p + "self_attn.q_proj", x, adapter)
                            .add(lin(ps, p + "self_attn.k_proj", x, adapter))
                            .tanh();
            NDArray h =
                    x.add(
                            lin(
                                    ps,
                                    p + "self_attn.o_proj",
                                    lin(ps, p + "self_attn.v_proj", x, adapter).mul(gate),
                                    adapter));
            NDArray mlp =
                    Activation.swish(lin(ps, p + "mlp.gate_proj", h, adapter), 1f)
                            .mul(lin(ps, p + "mlp.up_proj", h, adapter));
            x = h.add(lin(ps, p + "mlp.down_proj", mlp, adapter));
            hidden.add(x);
        }
        return new BackboneOutput(hidden, lin(ps, "lm_head", x, adapter));
    }

    @Override
    public void close() {
        manager.close();
    }
}
