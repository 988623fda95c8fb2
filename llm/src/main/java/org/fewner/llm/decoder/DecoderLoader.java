package org.fewner.llm.decoder;

import ai.djl.Device;
import java.nio.file.Path;
import org.fewner.llm.config.DecoderConfig;
import org.fewner.llm.config.ModelConfig;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.BackboneLoader;

/** The {@link BackboneLoader} of Llama-family decoders (registered as a service). */
public final class DecoderLoader implements BackboneLoader {
    @Override
    public boolean accepts(ModelConfig config) {
        return config instanceof DecoderConfig;
    }

    @Override
    public Backbone load(Path dir, ModelConfig config, Device device) {
        return DecoderModel.load(dir, device);
    }
}
