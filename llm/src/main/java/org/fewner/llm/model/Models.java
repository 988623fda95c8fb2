package org.fewner.llm.model;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.fewner.common.InputFiles;
import org.fewner.llm.config.ModelConfig;
import org.fewner.llm.config.ModelConfigs;

/**
 * Loads a Hugging Face model directory as the {@link Backbone} its {@code config.json} describes,
 * through the {@link BackboneLoader} that accepts the config (BERT and the Llama family ship with
 * FewNER).
 */
public final class Models {
    private Models() {}

    /**
     * Loads {@code dir} ({@code config.json} + safetensors weights + tokenizer) onto {@code
     * device}.
     *
     * @throws org.fewner.common.FewNerException when {@code dir} is not a directory
     * @throws org.fewner.llm.config.ConfigException for an unusable {@code config.json}
     * @throws org.fewner.llm.tensors.TensorFileException when the weights do not fit the config
     */
    public static Backbone load(Path dir, Device device) {
        InputFiles.requireDirectory(
                dir, "a model directory with config.json and model.safetensors");
        ModelConfig config = ModelConfigs.read(dir);
        for (BackboneLoader loader :
                ServiceLoader.load(BackboneLoader.class, Models.class.getClassLoader())) {
            if (loader.accepts(config)) {
                return loader.load(dir, config, device);
            }
        }
        throw new IllegalStateException(
                "no BackboneLoader for " + config.getClass().getName() + " on the class path");
    }
}
