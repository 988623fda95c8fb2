package org.fewner.llm.model;

import ai.djl.Device;
import java.nio.file.Path;
import org.fewner.llm.config.ModelConfig;

/**
 * Builds the {@link Backbone} of one architecture family; {@link Models#load} picks the loader that
 * accepts a directory's config. Implementations live in the architecture packages ({@code bert},
 * {@code decoder}) and are found with {@link java.util.ServiceLoader} ({@code
 * META-INF/services/org.fewner.llm.model.BackboneLoader}), so that {@code model} does not depend on
 * them and the packages form layers: {@code config}, {@code tensors}, {@code nn} → {@code model} →
 * {@code bert}, {@code decoder} → {@code lora}.
 */
public interface BackboneLoader {
    /** Whether this loader builds models described by {@code config}. */
    boolean accepts(ModelConfig config);

    /** Loads {@code dir} (whose config.json was read into {@code config}) onto {@code device}. */
    Backbone load(Path dir, ModelConfig config, Device device);
}
