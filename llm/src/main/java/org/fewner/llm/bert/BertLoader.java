package org.fewner.llm.bert;

import ai.djl.Device;
import java.nio.file.Path;
import org.fewner.llm.config.BertConfig;
import org.fewner.llm.config.ModelConfig;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.BackboneLoader;

/** The {@link BackboneLoader} of BERT encoders (registered as a service). */
public final class BertLoader implements BackboneLoader {
    @Override
    public boolean accepts(ModelConfig config) {
        return config instanceof BertConfig;
    }

    @Override
    public Backbone load(Path dir, ModelConfig config, Device device) {
        return BertModel.load(dir, (BertConfig) config, device);
    }
}
