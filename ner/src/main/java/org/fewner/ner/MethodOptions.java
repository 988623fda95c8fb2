package org.fewner.ner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
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

    /**
     * A method option a method reads ({@code -O key=value}): its name and which values it takes.
     *
     * @param name the key
     * @param expected what the values must be, for messages ("a number from 0 to 1", "mixed or
     *     projection")
     * @param valid whether a value (as typed) is one of them
     */
    public record Key(String name, String expected, Predicate<String> valid) {
        /** A key taking any value. */
        public static Key any(String name) {
            return new Key(name, "any value", v -> true);
        }

        /** A key taking one of {@code choices}. */
        public static Key oneOf(String name, String... choices) {
            List<String> c = List.of(choices);
            return new Key(name, String.join(" or ", c), c::contains);
        }

        /** A key taking a finite number from {@code min} to {@code max} (inclusive). */
        public static Key number(String name, double min, double max) {
            return new Key(
                    name,
                    "a number"
                            + (min == Double.NEGATIVE_INFINITY && max == Double.POSITIVE_INFINITY
                                    ? ""
                                    : max == Double.POSITIVE_INFINITY
                                            ? " >= " + fmt(min)
                                            : " from " + fmt(min) + " to " + fmt(max)),
                    v -> {
                        try {
                            double d = Double.parseDouble(v.trim());
                            return Double.isFinite(d) && d >= min && d <= max;
                        } catch (NumberFormatException e) {
                            return false;
                        }
                    });
        }

        /** A key taking a finite number above 0. */
        public static Key positive(String name) {
            return new Key(
                    name,
                    "a number above 0",
                    v -> {
                        try {
                            double d = Double.parseDouble(v.trim());
                            return Double.isFinite(d) && d > 0;
                        } catch (NumberFormatException e) {
                            return false;
                        }
                    });
        }

        /** A key taking an integer from {@code min} to {@code max} (inclusive). */
        public static Key integer(String name, long min, long max) {
            return new Key(
                    name,
                    max == Long.MAX_VALUE
                            ? (min == 1 ? "a positive integer" : "an integer >= " + min)
                            : "an integer from " + min + " to " + max,
                    v -> {
                        try {
                            long l = Long.parseLong(v.trim());
                            return l >= min && l <= max;
                        } catch (NumberFormatException e) {
                            return false;
                        }
                    });
        }

        private static String fmt(double d) {
            return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
        }
    }

    /** The keys a caller sets for every method ({@code model}, {@code device}, ...). */
    public static final List<Key> COMMON_KEYS =
            List.of(
                    Key.any(MODEL),
                    Key.any(DEVICE),
                    Key.integer(LAYER, 0, 10_000),
                    Key.any(ADAPTER),
                    Key.any(RESIDENT_ADAPTER),
                    Key.integer(CACHE_BYTES, 0, Long.MAX_VALUE));

    private static final Map<String, List<Key>> DECLARED = new ConcurrentHashMap<>();

    static {
        // The built-in methods' keys, in one place (FewShotMethods.Provider has no hook for them;
        // a method may move its own list next to its code by calling declareKeys there).
        declareKeys(
                "span",
                List.of(
                        Key.number("threshold", 0, 1),
                        Key.oneOf("rejection", "learnt", "margin", "off"),
                        Key.number("margin", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
                        Key.oneOf("typing", "mixed", "projection", "mean"),
                        Key.number("mix", 0, 1),
                        Key.number(
                                "mean-margin", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
                        Key.number(
                                "proj-margin", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
                        Key.number(
                                "length-bonus", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
                        Key.number("similarity-weight", 0, Double.POSITIVE_INFINITY),
                        Key.integer("adapt-steps", 0, 1_000_000),
                        Key.positive("adapt-lr"),
                        Key.positive("adapt-positive-weight"),
                        Key.number("adapt-l2", 0, Double.POSITIVE_INFINITY),
                        Key.oneOf("adapt-scope", "output", "all")));
        declareKeys("frozen-prototype", List.of());
        declareKeys(
                "opennlp",
                List.of(
                        Key.integer("opennlp-cutoff", 0, Integer.MAX_VALUE),
                        Key.integer("opennlp-iterations", 1, Integer.MAX_VALUE)));
        declareKeys(
                "generative",
                List.of(
                        Key.integer("beams", 1, 1024),
                        Key.integer("max-new-tokens", 1, 1_000_000),
                        Key.integer("batch", 1, 1_000_000),
                        Key.oneOf("share-prefix", "true", "false")));
    }

    /**
     * Declares the keys method {@code method} reads besides {@link #COMMON_KEYS} (replacing an
     * earlier declaration), so that {@link #requireKnown} can refuse a mistyped one.
     */
    public static void declareKeys(String method, Collection<Key> keys) {
        DECLARED.put(method, List.copyOf(keys));
    }

    /** The keys declared for {@code method}, or empty when it declared none. */
    public static Optional<List<Key>> declaredKeys(String method) {
        return Optional.ofNullable(DECLARED.get(method));
    }

    /**
     * Refuses, before any work, a key that method {@code method} does not read or a value it does
     * not take: one line naming the key and listing the known keys (or the values expected). A
     * method that declared no keys is not checked.
     *
     * <pre>{@code
     * MethodOptions.requireKnown("span", Map.of("typeing", "mean"));
     * // -O typeing: unknown option of method span (known: adapt-l2, ..., typing)
     * }</pre>
     */
    public static void requireKnown(String method, Map<String, String> given) {
        List<Key> declared = DECLARED.get(method);
        if (declared == null) {
            return;
        }
        Map<String, Key> known = new TreeMap<>();
        for (Key k : COMMON_KEYS) known.put(k.name(), k);
        for (Key k : declared) known.put(k.name(), k);
        for (Map.Entry<String, String> e : given.entrySet()) {
            Key k = known.get(e.getKey());
            if (k == null) {
                List<String> own = declared.stream().map(Key::name).sorted().toList();
                throw new FewNerException(
                        "-O "
                                + FewNerException.quote(e.getKey())
                                + ": unknown option of method "
                                + method
                                + " (known: "
                                + (own.isEmpty() ? "none besides --layer" : String.join(", ", own))
                                + ")");
            }
            if (e.getValue() == null || !k.valid().test(e.getValue())) {
                throw new FewNerException(
                        "-O "
                                + e.getKey()
                                + "="
                                + FewNerException.quote(String.valueOf(e.getValue()))
                                + ": method "
                                + method
                                + " expects "
                                + k.expected());
            }
        }
    }

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
