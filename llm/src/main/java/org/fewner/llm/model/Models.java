package org.fewner.llm.model;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fewner.llm.bert.BertModel;
import org.fewner.llm.config.BertConfig;
import org.fewner.llm.config.DecoderConfig;
import org.fewner.llm.config.ModelConfig;
import org.fewner.llm.config.ModelConfigs;
import org.fewner.llm.decoder.DecoderModel;

/**
 * Loads a Hugging Face model directory as the {@link Backbone} its {@code config.json} describes.
 */
public final class Models {
    private Models() {}

    /**
     * Loads {@code dir} ({@code config.json} + safetensors weights + tokenizer) onto {@code
     * device}.
     *
     * @throws IllegalArgumentException when {@code dir} is not a directory
     * @throws org.fewner.llm.config.ConfigException for an unusable {@code config.json}
     * @throws org.fewner.llm.tensors.TensorFileException when the weights do not fit the config
     */
    public static Backbone load(Path dir, Device device) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    dir + ": not a model directory (expected config.json and model.safetensors)");
        }
        ModelConfig config = ModelConfigs.read(dir);
        // ModelConfig is sealed (BertConfig | DecoderConfig); Java 17 has no pattern switch, hence
        // the if chain.
        if (config instanceof BertConfig bert) {
            return BertModel.load(dir, bert, device);
        } else if (config instanceof DecoderConfig) {
            return DecoderModel.load(dir, device);
        }
        throw new IllegalStateException("unknown config type " + config.getClass().getName());
    }
}
