package org.fewner.llm.config;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * HF {@code BertConfig}. {@code hiddenAct} is honoured as written ("gelu" = exact erf GELU;
 * "gelu_new", "gelu_pytorch_tanh", "gelu_fast" = tanh approximation; also "relu", "silu", "tanh",
 * "quick_gelu").
 */
public record BertConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        String hiddenAct,
        int maxPositionEmbeddings,
        int typeVocabSize,
        double layerNormEps,
        int padTokenId,
        boolean tieWordEmbeddings,
        double initializerRange,
        ObjectNode raw)
        implements ModelConfig {

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    static BertConfig parse(ConfigReader r) {
        String act = r.string("hidden_act", "gelu");
        Activations.check(r, act);
        String pos = r.string("position_embedding_type", "absolute");
        if (!pos.equals("absolute")) {
            throw r.error(
                    "position_embedding_type '" + pos + "' is not supported (supported: absolute)");
        }
        int hidden = r.positive("hidden_size");
        int heads = r.positive("num_attention_heads");
        if (hidden % heads != 0) {
            throw r.error(
                    "hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
        }
        return new BertConfig(
                "bert",
                r.positive("vocab_size"),
                hidden,
                r.positive("num_hidden_layers"),
                heads,
                r.positive("intermediate_size"),
                act,
                r.positive("max_position_embeddings", 512),
                r.positive("type_vocab_size", 2),
                r.positiveNumber("layer_norm_eps", 1e-12),
                r.integer("pad_token_id", 0),
                r.bool("tie_word_embeddings", true),
                r.number("initializer_range", 0.02),
                r.raw());
    }
}
