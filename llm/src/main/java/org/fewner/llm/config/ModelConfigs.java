package org.fewner.llm.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fewner.common.Json;

/** Reads HF config.json files into the typed record of their architecture. */
public final class ModelConfigs {
    /** model_type → the architectures class names FewNER accepts for it. */
    public static final Map<String, List<String>> SUPPORTED =
            Map.of(
                    "bert",
                            List.of(
                                    "BertModel",
                                    "BertForMaskedLM",
                                    "BertForPreTraining",
                                    "BertForTokenClassification"),
                    "llama", List.of("LlamaForCausalLM", "LlamaModel"),
                    "qwen2", List.of("Qwen2ForCausalLM", "Qwen2Model"),
                    "mistral", List.of("MistralForCausalLM", "MistralModel"));

    private ModelConfigs() {}

    /** Reads {@code config.json} (a file, or a directory that holds one). */
    public static ModelConfig read(Path path) {
        if (!Files.exists(path)) {
            throw new ConfigException(
                    path,
                    "no such file or directory (expected a model directory with config.json)");
        }
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        if (Files.isDirectory(path) && !Files.exists(file)) {
            throw new ConfigException(file, "no config.json found");
        }
        JsonNode node;
        try {
            node = Json.readTree(file);
        } catch (org.fewner.common.FewNerException e) {
            throw new ConfigException(e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new ConfigException(file, "expected a JSON object");
        }
        return parse(file, (ObjectNode) node);
    }

    /** Parses an already-read config object; {@code file} is only used in error messages. */
    public static ModelConfig parse(Path file, ObjectNode node) {
        ConfigReader r = new ConfigReader(file, node);
        String type = r.string("model_type", null);
        if (type == null) {
            throw r.error(
                    "missing 'model_type' (supported: "
                            + String.join(", ", SUPPORTED.keySet().stream().sorted().toList())
                            + ")");
        }
        List<String> archs = SUPPORTED.get(type);
        if (archs == null) {
            throw r.error(
                    "model_type '"
                            + type
                            + "' is not supported (supported: "
                            + String.join(", ", SUPPORTED.keySet().stream().sorted().toList())
                            + ")");
        }
        JsonNode a = node.get("architectures");
        if (a != null && !a.isNull() && !a.isArray()) {
            throw r.error("field 'architectures' must be a list of class names, found " + a);
        }
        if (a != null && a.isArray()) {
            for (JsonNode x : a) {
                if (!archs.contains(x.asText())) {
                    throw r.error(
                            "architecture '"
                                    + x.asText()
                                    + "' is not supported for model_type '"
                                    + type
                                    + "' (supported: "
                                    + String.join(", ", archs)
                                    + ")");
                }
            }
        }
        return type.equals("bert") ? BertConfig.parse(r) : DecoderConfig.parse(r, type);
    }

    /** Writes a config object as pretty JSON, atomically (temp file, then move). */
    public static void write(Path file, ObjectNode config) {
        Json.writeAtomically(file, config);
    }
}
