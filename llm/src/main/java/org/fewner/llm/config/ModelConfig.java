package org.fewner.llm.config;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A Hugging Face {@code config.json}, typed per architecture family. {@link #raw()} keeps every
 * field of the file (also those FewNER does not use) so that a config can be written back unchanged
 * apart from overrides.
 */
public sealed interface ModelConfig permits BertConfig, DecoderConfig {

    /** {@code model_type}: "bert", "llama", "qwen2", "mistral". */
    String modelType();

    int vocabSize();

    int hiddenSize();

    int numHiddenLayers();

    int numAttentionHeads();

    int intermediateSize();

    int maxPositionEmbeddings();

    /** Standard deviation of the normal init HF uses for this model ({@code initializer_range}). */
    double initializerRange();

    /** The parsed file, all fields. */
    ObjectNode raw();
}
