package org.fewner.llm.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A Llama-family decoder config ({@code model_type} llama, qwen2 or mistral; SmolLM2 is llama).
 *
 * @param headDim {@code head_dim} when the config gives it, else hidden / heads
 * @param attentionBias bias on q/k/v projections (Qwen2 always; Llama per {@code attention_bias})
 * @param outputBias bias on o_proj (Llama's {@code attention_bias} covers it; Qwen2 never)
 * @param mlpBias bias on gate/up/down (Llama's {@code mlp_bias})
 * @param slidingWindow attention window, or 0 for none (Mistral {@code sliding_window}; Qwen2 only
 *     when {@code use_sliding_window})
 * @param slidingLayers for each layer, whether the sliding window applies to it
 * @param eosTokenIds stop tokens from {@code eos_token_id} (int or list)
 */
public record DecoderConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        int intermediateSize,
        String hiddenAct,
        int maxPositionEmbeddings,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean outputBias,
        boolean mlpBias,
        int slidingWindow,
        List<Boolean> slidingLayers,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        double initializerRange,
        ObjectNode raw)
        implements ModelConfig {

    /** Query heads per key/value head (grouped-query attention). */
    public int groupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** {@code rope_theta}, or (transformers v5) {@code rope_parameters.rope_theta}, else 10000. */
    private static double ropeTheta(ConfigReader r) {
        if (r.has("rope_theta") && !r.raw().get("rope_theta").isNull()) {
            return r.positiveNumber("rope_theta", 10000.0);
        }
        com.fasterxml.jackson.databind.JsonNode p =
                r.raw().path("rope_parameters").path("rope_theta");
        if (p.isMissingNode() || p.isNull()) {
            return 10000.0;
        }
        if (!p.isNumber()) {
            throw r.error("field 'rope_parameters.rope_theta' must be a number, found " + p);
        }
        if (!(p.asDouble() > 0) || Double.isInfinite(p.asDouble())) {
            throw r.error("field 'rope_parameters.rope_theta' must be above 0, found " + p);
        }
        return p.asDouble();
    }

    static DecoderConfig parse(ConfigReader r, String type) {
        int hidden = r.positive("hidden_size");
        int heads = r.positive("num_attention_heads");
        int kvHeads = r.positive("num_key_value_heads", heads);
        if (heads % kvHeads != 0) {
            throw r.error(
                    "num_attention_heads "
                            + heads
                            + " is not a multiple of num_key_value_heads "
                            + kvHeads);
        }
        int headDim = r.has("head_dim") ? r.positive("head_dim") : hidden / heads;
        if (!r.has("head_dim") && hidden % heads != 0) {
            throw r.error(
                    "hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
        }
        if (headDim % 2 != 0) {
            throw r.error("head_dim " + headDim + " must be even for rotary embeddings");
        }
        String act = r.string("hidden_act", "silu");
        Activations.check(r, act);
        if (r.has("partial_rotary_factor") && r.number("partial_rotary_factor", 1.0) != 1.0) {
            throw r.error(
                    "partial_rotary_factor "
                            + r.number("partial_rotary_factor", 1.0)
                            + " is not supported (only 1.0)");
        }
        if (r.integer("pretraining_tp", 1) != 1) {
            throw r.error(
                    "pretraining_tp "
                            + r.integer("pretraining_tp", 1)
                            + " is not supported (only 1)");
        }
        int layers = r.positive("num_hidden_layers");
        if (layers > ConfigReader.MAX_LAYERS) {
            throw r.error(
                    "num_hidden_layers "
                            + layers
                            + " is beyond "
                            + ConfigReader.MAX_LAYERS
                            + " (not a real model)");
        }
        int vocab = r.positive("vocab_size");
        // eos/bos ids outside the vocabulary are legal for a forward pass (transformers loads
        // such configs; the shrunken reference models have them): generation checks them.
        List<Integer> eos = r.intList("eos_token_id");
        Integer bos =
                r.has("bos_token_id") && !r.raw().get("bos_token_id").isNull()
                        ? r.integer("bos_token_id")
                        : null;
        boolean qwen = type.equals("qwen2");
        boolean llama = type.equals("llama");
        boolean attnBias = qwen || (llama && r.bool("attention_bias", false));
        boolean outBias = llama && r.bool("attention_bias", false);
        boolean mlpBias = llama && r.bool("mlp_bias", false);
        int window = 0;
        Boolean[] sliding = new Boolean[layers];
        java.util.Arrays.fill(sliding, false);
        if (type.equals("mistral")
                && r.has("sliding_window")
                && !r.raw().get("sliding_window").isNull()) {
            window = r.positive("sliding_window");
            java.util.Arrays.fill(sliding, true);
        } else if (qwen
                && r.bool("use_sliding_window", false)
                && r.has("sliding_window")
                && !r.raw().get("sliding_window").isNull()) {
            window = r.positive("sliding_window");
            int maxWindowLayers = r.integer("max_window_layers", layers);
            if (r.raw().has("layer_types") && r.raw().get("layer_types").isArray()) {
                for (int i = 0; i < layers; i++) {
                    sliding[i] =
                            "sliding_attention".equals(r.raw().get("layer_types").path(i).asText());
                }
            } else {
                for (int i = 0; i < layers; i++) {
                    sliding[i] = i >= maxWindowLayers;
                }
            }
        }
        return new DecoderConfig(
                type,
                vocab,
                hidden,
                layers,
                heads,
                kvHeads,
                headDim,
                r.positive("intermediate_size"),
                act,
                r.positive("max_position_embeddings", 2048),
                r.positiveNumber("rms_norm_eps", 1e-6),
                ropeTheta(r),
                RopeScaling.parse(r),
                r.bool("tie_word_embeddings", false),
                attnBias,
                outBias,
                mlpBias,
                window,
                List.of(sliding),
                bos,
                eos,
                r.number("initializer_range", 0.02),
                r.raw());
    }
}
