package org.fewner.ner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.fewner.common.FewNerException;
import org.fewner.llm.hub.DefaultModels;
import org.fewner.llm.model.Backbone;

/**
 * What a caller (harness, UIMA engine, CLI) tells {@link FewShotMethods#create}: named string
 * options as on the command line ({@code model}, {@code device}, {@code layer}, {@code adapter},
 * ...; each method documents the ones it reads) and, optionally, an already loaded backbone or word
 * encoder to share between methods (the caller keeps ownership of those and closes them after the
 * methods).
 */
public final class MethodOptions {
    /** Model: {@code default}, {@code default-uncased} or a model directory. */
    public static final String MODEL = "model";

    /** Device: {@code cpu} or {@code gpu[:N]}. */
    public static final String DEVICE = "device";

    /** Layer of the backbone to read, HF numbering (0 = embeddings). */
    public static final String LAYER = "layer";

    /** A source-trained adapter directory. */
    public static final String ADAPTER = "adapter";

    /**
     * With a shared backbone: the name of a LoRA adapter already resident on it that the method's
     * forward passes name ({@code frozen-prototype}; the UIMA engine's adapters).
     */
    public static final String RESIDENT_ADAPTER = "resident-adapter";

    /** Bound in bytes of a method's cache of sentence vectors ({@code frozen-prototype}). */
    public static final String CACHE_BYTES = "cache-bytes";

    private final Map<String, String> values;
    private final Backbone backbone;
    private final WordEncoder encoder;

    private MethodOptions(Map<String, String> values, Backbone backbone, WordEncoder encoder) {
        this.values = Map.copyOf(values);
        this.backbone = backbone;
        this.encoder = encoder;
    }

    public static MethodOptions of(Map<String, String> values) {
        return new MethodOptions(values, null, null);
    }

    /** The same options with a shared, caller-owned backbone. */
    public MethodOptions withBackbone(Backbone shared) {
        return new MethodOptions(values, shared, encoder);
    }

    /** The same options with a shared, caller-owned word encoder. */
    public MethodOptions withEncoder(WordEncoder shared) {
        return new MethodOptions(values, backbone, shared);
    }

    /** The same options with {@code key} set to {@code value}. */
    public MethodOptions with(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.put(key, value);
        return new MethodOptions(copy, backbone, encoder);
    }

    public Map<String, String> values() {
        return values;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    /** An integer option; a non-integer is a {@link FewNerException} naming the option. */
    public int getInt(String key, int fallback) {
        String v = values.get(key);
        if (v == null) return fallback;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new FewNerException(
                    "--" + key + " " + FewNerException.quote(v) + ": expected an integer", e);
        }
    }

    /** A long option; a non-integer is a {@link FewNerException} naming the option. */
    public long getLong(String key, long fallback) {
        String v = values.get(key);
        if (v == null) return fallback;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new FewNerException(
                    "--" + key + " " + FewNerException.quote(v) + ": expected an integer", e);
        }
    }

    public Optional<Backbone> backbone() {
        return Optional.ofNullable(backbone);
    }

    public Optional<WordEncoder> encoder() {
        return Optional.ofNullable(encoder);
    }

    /**
     * The model directory named by {@link #MODEL} ({@code default} when absent): a default model's
     * cache directory (downloaded when missing) or the given directory.
     */
    public Path modelDirectory() {
        String model = get(MODEL, "default");
        if (DefaultModels.names().contains(model)) {
            try {
                return DefaultModels.resolve(model, true);
            } catch (IOException e) {
                throw new FewNerException(
                        "--model " + model + ": cannot obtain the default model: " + e, e);
            }
        }
        Path dir = Path.of(model);
        if (!Files.isDirectory(dir)) {
            throw new FewNerException(
                    "--model "
                            + model
                            + ": not a directory (expected a model directory with config.json and "
                            + "model.safetensors, or 'default' / 'default-uncased')");
        }
        return dir;
    }
}
