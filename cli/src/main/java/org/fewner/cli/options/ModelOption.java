package org.fewner.cli.options;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fewner.common.FewNerException;
import org.fewner.llm.config.DecoderConfig;
import org.fewner.llm.config.ModelConfig;
import org.fewner.llm.config.ModelConfigs;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.device.DeviceSpec;
import org.fewner.llm.hub.DefaultModels;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.Models;
import picocli.CommandLine.Option;

/**
 * The {@code --model DIR|default|default-uncased} and {@code --device cpu|gpu[:N]} options shared
 * by every command that loads a model (a picocli mixin: {@code @Mixin ModelOption}); the one place
 * that parses them.
 */
public final class ModelOption {
    @Option(
            names = "--model",
            defaultValue = "default",
            paramLabel = "DIR|default|default-uncased",
            description =
                    "Model directory (config.json + model.safetensors + tokenizer.json), or 'default' / "
                            + "'default-uncased' for the bundled BERT-base (downloaded once). Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(
            names = "--device",
            defaultValue = "cpu",
            paramLabel = "cpu|gpu[:N]",
            description = "Where the weights live and the forward runs. Default: ${DEFAULT-VALUE}.")
    String device;

    /** The model as written on the command line. */
    public String spec() {
        return model;
    }

    /**
     * The model directory: the named default model (downloaded when needed) or the given directory.
     */
    public Path directory() {
        if (model.equals("default") || model.equals("default-uncased")) {
            try {
                return DefaultModels.resolve(model, true);
            } catch (java.io.IOException e) {
                throw new FewNerException(
                        "--model " + model + ": cannot obtain the default model: " + e.getMessage(),
                        e);
            }
        }
        Path dir = Path.of(model);
        if (!Files.isDirectory(dir)) {
            throw new FewNerException(
                    "--model "
                            + model
                            + ": not a directory (expected a model directory with "
                            + "config.json and model.safetensors, or 'default' / 'default-uncased')");
        }
        return dir;
    }

    /** The parsed {@code --device}. */
    public Device device() {
        return DeviceSpec.parse(device);
    }

    /** Loads the model (the caller closes it). */
    public Backbone load() {
        return Models.load(directory(), device());
    }

    /**
     * Loads the model as a decoder LLM for {@code command}; a BERT model is refused from its
     * config.json, before its weights are read.
     */
    public DecoderModel loadDecoder(String command) {
        Path dir = directory();
        Device dev = device();
        ModelConfig config = ModelConfigs.read(dir);
        if (!(config instanceof DecoderConfig)) {
            throw new FewNerException(
                    "--model "
                            + model
                            + ": "
                            + command
                            + " needs a decoder LLM (model_type llama, qwen2 or mistral), not "
                            + config.modelType());
        }
        return DecoderModel.load(dir, dev);
    }
}
