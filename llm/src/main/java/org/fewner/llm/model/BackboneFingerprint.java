package org.fewner.llm.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.config.ModelConfig;
import org.fewner.llm.config.ModelConfigs;

/**
 * What identifies the backbone an adapter was trained on, cheaply (no weights read): its name,
 * {@code model_type}, vocabulary size, hidden size, layer count and a SHA-256 of its vocabulary
 * (the tokens in id order, from {@code vocab.txt} or {@code tokenizer.json}'s {@code model.vocab}).
 * Adapters record it under {@code adapter_config.json}'s {@value #KEY}; loading an adapter on
 * another backbone (the cased adapter on the uncased model: vocabulary 28,996 vs 30,522) is then a
 * one-line error naming both. A field an older record lacks (null or 0) is not compared, so
 * adapters written before a field existed still load.
 *
 * <pre>{@code
 * // writing: record the backbone in a new adapter
 * adapter = adapter.withBackbone(BackboneFingerprint.of(modelDir, "default"));
 * // loading: refuse an adapter of another backbone before any weight is read
 * BackboneFingerprint.requireCompatible(adapterDir, modelDir, "--model default-uncased");
 * }</pre>
 *
 * @param name the model's name as the user gave it ({@code default}, a directory name), or null
 * @param modelType {@code bert}, {@code llama}, ...; null when unknown
 * @param vocabSize {@code vocab_size}; 0 when unknown
 * @param hiddenSize {@code hidden_size}; 0 when unknown
 * @param numHiddenLayers {@code num_hidden_layers}; 0 when unknown
 * @param vocabSha256 the vocabulary's SHA-256 (hex), or null when unknown
 */
public record BackboneFingerprint(
        String name,
        String modelType,
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        String vocabSha256) {

    /** The key in {@code adapter_config.json} (shared with {@code LoraConfig.FEWNER_BASE}). */
    public static final String KEY = "fewner_base";

    /** The fingerprint of a model directory: config.json and the vocabulary file, no weights. */
    public static BackboneFingerprint of(Path modelDir, String name) {
        ModelConfig c = ModelConfigs.read(modelDir);
        return of(c, vocabularyHash(modelDir), name);
    }

    /** From a config and a vocabulary hash (may be null). */
    public static BackboneFingerprint of(ModelConfig c, String vocabSha256, String name) {
        return new BackboneFingerprint(
                name,
                c.modelType(),
                c.vocabSize(),
                c.hiddenSize(),
                c.numHiddenLayers(),
                vocabSha256);
    }

    /** The record as written into {@code adapter_config.json}. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        if (name != null) o.put("name", name);
        if (modelType != null) o.put("model_type", modelType);
        if (hiddenSize > 0) o.put("hidden_size", hiddenSize);
        if (numHiddenLayers > 0) o.put("num_hidden_layers", numHiddenLayers);
        if (vocabSize > 0) o.put("vocab_size", vocabSize);
        if (vocabSha256 != null) o.put("vocab_sha256", vocabSha256);
        return o;
    }

    /** Reads a record ({@value #KEY}'s object); missing fields stay unknown. */
    public static BackboneFingerprint fromJson(JsonNode o) {
        return new BackboneFingerprint(
                text(o, "name"),
                text(o, "model_type"),
                o.path("vocab_size").asInt(0),
                o.path("hidden_size").asInt(0),
                o.path("num_hidden_layers").asInt(0),
                text(o, "vocab_sha256"));
    }

    private static String text(JsonNode o, String f) {
        JsonNode v = o.get(f);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** The record of the adapter in {@code adapterDir}, or empty when it has none. */
    public static Optional<BackboneFingerprint> ofAdapter(Path adapterDir) {
        Path f = adapterDir.resolve("adapter_config.json");
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        JsonNode b = Json.readTree(f).get(KEY);
        return b == null || !b.isObject() ? Optional.empty() : Optional.of(fromJson(b));
    }

    /**
     * Why an adapter recorded with this fingerprint does not fit {@code loaded}, or null when it
     * does (fields unknown on either side are skipped).
     */
    public String mismatch(BackboneFingerprint loaded) {
        List<String> why = new ArrayList<>();
        if (modelType != null && loaded.modelType != null && !modelType.equals(loaded.modelType)) {
            why.add("model_type");
        }
        if (vocabSize > 0 && loaded.vocabSize > 0 && vocabSize != loaded.vocabSize) {
            why.add("vocabulary size");
        }
        if (hiddenSize > 0 && loaded.hiddenSize > 0 && hiddenSize != loaded.hiddenSize) {
            why.add("hidden size");
        }
        if (numHiddenLayers > 0
                && loaded.numHiddenLayers > 0
                && numHiddenLayers != loaded.numHiddenLayers) {
            why.add("layer count");
        }
        if (why.isEmpty()
                && vocabSha256 != null
                && loaded.vocabSha256 != null
                && !vocabSha256.equals(loaded.vocabSha256)) {
            why.add("vocabulary");
        }
        return why.isEmpty() ? null : String.join(", ", why);
    }

    /**
     * Refuses the adapter in {@code adapterDir} when its record names another backbone than the
     * model in {@code modelDir}: one line naming both. An adapter without a record passes.
     *
     * @param modelName how the user named the model, for the message (e.g. {@code default-uncased})
     */
    public static void requireCompatible(Path adapterDir, Path modelDir, String modelName) {
        Optional<BackboneFingerprint> recorded = ofAdapter(adapterDir);
        if (recorded.isEmpty()) {
            return;
        }
        BackboneFingerprint loaded = of(modelDir, modelName);
        requireCompatible(adapterDir, recorded.get(), loaded);
    }

    /** {@link #requireCompatible(Path, Path, String)} with both fingerprints at hand. */
    public static void requireCompatible(
            Path adapterDir, BackboneFingerprint recorded, BackboneFingerprint loaded) {
        String why = recorded.mismatch(loaded);
        if (why != null) {
            throw new FewNerException(
                    adapterDir
                            + ": adapter trained on another backbone ("
                            + why
                            + " differ): it was trained on "
                            + recorded.describe()
                            + ", the model is "
                            + loaded.describe());
        }
    }

    /**
     * E.g. {@code default (bert, vocabulary 28,996, hidden 768, 12 layers, vocab sha256
     * 1a2b3c4d…)}.
     */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (modelType != null) parts.add(modelType);
        if (vocabSize > 0) parts.add(String.format(Locale.ROOT, "vocabulary %,d", vocabSize));
        if (hiddenSize > 0) parts.add("hidden " + hiddenSize);
        if (numHiddenLayers > 0) parts.add(numHiddenLayers + " layers");
        if (vocabSha256 != null) {
            parts.add(
                    "vocab sha256 " + vocabSha256.substring(0, Math.min(12, vocabSha256.length())));
        }
        return (name != null ? name + " " : "") + "(" + String.join(", ", parts) + ")";
    }

    /**
     * SHA-256 of the vocabulary of {@code modelDir} (tokens in id order, one per line): from {@code
     * vocab.txt}, else {@code tokenizer.json}'s {@code model.vocab}; null when neither is there.
     */
    public static String vocabularyHash(Path modelDir) {
        Path vocab = modelDir.resolve("vocab.txt");
        Path tok = modelDir.resolve("tokenizer.json");
        List<String> tokens;
        try {
            if (Files.isRegularFile(vocab)) {
                tokens = new ArrayList<>();
                try (BufferedReader r = Files.newBufferedReader(vocab, StandardCharsets.UTF_8)) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        tokens.add(line);
                    }
                }
            } else if (Files.isRegularFile(tok)) {
                tokens = fromTokenizerJson(Json.readTree(tok).path("model").path("vocab"));
                if (tokens == null) return null;
            } else {
                return null;
            }
        } catch (IOException e) {
            throw new FewNerException(
                    modelDir + ": cannot read the vocabulary: " + e.getMessage(), e);
        }
        return sha256(tokens);
    }

    private static List<String> fromTokenizerJson(JsonNode vocab) {
        if (vocab.isObject()) {
            Map<Integer, String> byId = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                byId.put(e.getValue().asInt(), e.getKey());
            }
            return new ArrayList<>(byId.values());
        }
        if (vocab.isArray()) { // Unigram: [[token, score], ...]
            List<String> out = new ArrayList<>();
            for (JsonNode p : vocab) out.add(p.path(0).asText());
            return out;
        }
        return null;
    }

    static String sha256(List<String> tokens) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String t : tokens) {
                md.update(t.getBytes(StandardCharsets.UTF_8));
                md.update((byte) '\n');
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
