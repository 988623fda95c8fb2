package org.fewner.llm.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fewner.llm.hub.DefaultModels;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.Models;
import org.junit.jupiter.api.Test;

/**
 * Heavy: the masked-LM check on the real cased BERT-base. Runs when the converted model is already
 * cached in {@code ~/.cache/fewner/models/default} or with {@code -Dfewner.heavyTests=true} (which
 * downloads it).
 */
class DefaultModelCheckTest {

    @Test
    void casedBertBaseAnswersCapitalBerlinStore() throws java.io.IOException {
        Path cached =
                Path.of(System.getProperty("user.home"), ".cache", "fewner", "models", "default");
        boolean isCached =
                Files.isRegularFile(cached.resolve("model.safetensors"))
                        && Files.isRegularFile(cached.resolve("config.json"));
        boolean heavy = Boolean.getBoolean("fewner.heavyTests");
        assumeTrue(
                isCached || heavy,
                "default model not cached and -Dfewner.heavyTests not set: heavy check skipped");
        Path dir = isCached ? cached : DefaultModels.resolve("default", false);
        try (Backbone m = Models.load(dir, Device.cpu())) {
            List<MaskFill.Prediction> p = MaskFill.predict(m, MaskFill.CHECK_TEXTS, 3);
            assertEquals("capital", p.get(0).top().get(0).token(), p.toString());
            assertEquals("Berlin", p.get(1).top().get(0).token(), p.toString());
            assertEquals("store", p.get(2).top().get(0).token(), p.toString());
            // the numpy reference on the converted (gelu_new) model gives 19.037 for "capital"
            assertEquals(19.037, p.get(0).top().get(0).logit(), 0.01, p.toString());
        }
    }
}
