package org.fewner.llm.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.fewner.common.Json;

/**
 * PEFT's {@code adapter_config.json} for a LoRA adapter ({@code peft_type} "LORA"), with the fields
 * FewNER uses typed and every other field kept in {@link #extra()} so that a round trip loses
 * nothing.
 *
 * <p>Refused when read (each with the field named): {@code use_dora}, {@code fan_in_fan_out},
 * {@code lora_bias}, {@code bias} other than "none", {@code modules_to_save}, {@code
 * target_parameters}, {@code trainable_token_indices}, {@code layer_replication}, and any {@code
 * peft_type} but LORA.
 *
 * @param r default rank
 * @param loraAlpha default alpha
 * @param loraDropout dropout on the LoRA input during training
 * @param targetModules which linear layers get a LoRA
 * @param useRslora scale alpha/√r instead of alpha/r
 * @param layersToTransform layer indexes a list-form target is limited to, or null for all
 * @param layersPattern names of the layer lists ("layers", "layer", "h"), or null for any
 * @param excludeModules modules never targeted (list or regex form), or null
 * @param rankPattern per-module rank overrides (PEFT pattern → r)
 * @param alphaPattern per-module alpha overrides (PEFT pattern → alpha)
 * @param baseModelNameOrPath the base model (informational; PEFT does not check it either)
 * @param taskType PEFT task type ("CAUSAL_LM", "FEATURE_EXTRACTION", "TOKEN_CLS", ...), or null
 * @param inferenceMode PEFT's inference_mode flag
 * @param extra every other field as read (including FewNER's own {@code fewner_*} keys)
 */
public record LoraConfig(
        int r,
        double loraAlpha,
        double loraDropout,
        TargetModules targetModules,
        boolean useRslora,
        List<Integer> layersToTransform,
        List<String> layersPattern,
        TargetModules excludeModules,
        Map<String, Integer> rankPattern,
        Map<String, Double> alphaPattern,
        String baseModelNameOrPath,
        String taskType,
        boolean inferenceMode,
        ObjectNode extra) {

    public static final String FILE = "adapter_config.json";

    /**
     * FewNER's key describing the base the adapter was made for: {@code {model_type, hidden_size,
     * num_hidden_layers}}.
     */
    public static final String FEWNER_BASE = "fewner_base";

    /**
     * FewNER's key describing extra head tensors saved beside the adapter (see {@link
     * LoraAdapter}).
     */
    public static final String FEWNER_HEADS = "fewner_heads";

    private static final ObjectMapper JSON = Json.MAPPER;

    public LoraConfig {
        if (r <= 0) {
            throw new AdapterException("r must be positive, got " + r);
        }
        if (loraDropout < 0 || loraDropout >= 1) {
            throw new AdapterException("lora_dropout must be in [0, 1), got " + loraDropout);
        }
        if (targetModules == null) {
            throw new AdapterException("target_modules is required");
        }
        if (excludeModules instanceof TargetModules.AllLinear) {
            throw new AdapterException("exclude_modules cannot be 'all-linear'");
        }
        layersToTransform = layersToTransform == null ? null : List.copyOf(layersToTransform);
        layersPattern = layersPattern == null ? null : List.copyOf(layersPattern);
        rankPattern = rankPattern == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(rankPattern));
        alphaPattern =
                alphaPattern == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(alphaPattern));
        extra = extra == null ? JsonNodeFactory.instance.objectNode() : extra.deepCopy();
    }

    /** A plain config: list targets, no patterns. */
    public static LoraConfig of(
            int r, double alpha, double dropout, List<String> targets, boolean rslora) {
        return new LoraConfig(
                r,
                alpha,
                dropout,
                new TargetModules.Names(targets),
                rslora,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                null);
    }

    /** The same config with {@code extra} replaced. */
    public LoraConfig withExtra(ObjectNode newExtra) {
        return new LoraConfig(
                r,
                loraAlpha,
                loraDropout,
                targetModules,
                useRslora,
                layersToTransform,
                layersPattern,
                excludeModules,
                rankPattern,
                alphaPattern,
                baseModelNameOrPath,
                taskType,
                inferenceMode,
                newExtra);
    }

    /** The same config with a different base model name and task type. */
    public LoraConfig withBase(String baseName, String task) {
        return new LoraConfig(
                r,
                loraAlpha,
                loraDropout,
                targetModules,
                useRslora,
                layersToTransform,
                layersPattern,
                excludeModules,
                rankPattern,
                alphaPattern,
                baseName,
                task,
                inferenceMode,
                extra);
    }

    /**
     * Rank of one module ({@code rank_pattern} first match, else {@link #r}), as PEFT's {@code
     * get_pattern_key}.
     */
    public int rankOf(String module) {
        Integer v = patternValue(rankPattern, module);
        return v == null ? r : v;
    }

    /** Alpha of one module ({@code alpha_pattern} first match, else {@link #loraAlpha}). */
    public double alphaOf(String module) {
        Double v = patternValue(alphaPattern, module);
        return v == null ? loraAlpha : v;
    }

    /**
     * The LoRA scale of one module: alpha/r, or alpha/√r with rsLoRA (fixed at load, as PEFT does).
     */
    public double scaleOf(String module) {
        int rank = rankOf(module);
        double alpha = alphaOf(module);
        return useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    /**
     * PEFT {@code get_pattern_key}: the first pattern p (in file order) with {@code
     * re.match(r"(.*\.)?(p)$", key)}.
     */
    static <T> T patternValue(Map<String, T> patterns, String key) {
        for (Map.Entry<String, T> e : patterns.entrySet()) {
            if (Pattern.compile("(.*\\.)?(" + e.getKey() + ")$").matcher(key).matches()) {
                return e.getValue();
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** Reads {@code adapter_config.json} from a file or an adapter directory. */
    public static LoraConfig read(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve(FILE) : path;
        if (!Files.isRegularFile(file)) {
            throw new AdapterException(
                    file,
                    "no "
                            + FILE
                            + " found (a PEFT LoRA adapter directory holds "
                            + FILE
                            + " and adapter_model.safetensors)");
        }
        JsonNode node;
        try {
            node = Json.readTree(file);
        } catch (org.fewner.common.FewNerException e) {
            throw new AdapterException(e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new AdapterException(file, "expected a JSON object");
        }
        return parse(file, (ObjectNode) node);
    }

    /** Parses a config object; {@code file} is used in error messages only. */
    public static LoraConfig parse(Path file, ObjectNode node) {
        ObjectNode extra = node.deepCopy();
        String peftType = text(file, extra, "peft_type", "LORA");
        if (!"LORA".equals(peftType)) {
            throw new AdapterException(
                    file, "peft_type '" + peftType + "' is not supported (only LORA)");
        }
        refuseTrue(file, extra, "use_dora", "DoRA (use_dora) is not supported");
        refuseTrue(
                file,
                extra,
                "fan_in_fan_out",
                "fan_in_fan_out=true (Conv1D-style weights) is not supported");
        refuseTrue(
                file,
                extra,
                "lora_bias",
                "lora_bias=true (a trained bias on lora_B) is not supported");
        String bias = text(file, extra, "bias", "none");
        if (!"none".equals(bias)) {
            throw new AdapterException(
                    file,
                    "bias '"
                            + bias
                            + "' is not supported (only \"none\": FewNER adapters train no biases)");
        }
        for (String f :
                List.of(
                        "modules_to_save",
                        "target_parameters",
                        "trainable_token_indices",
                        "layer_replication")) {
            JsonNode v = extra.remove(f);
            if (v != null && !v.isNull() && !(v.isContainerNode() && v.isEmpty())) {
                throw new AdapterException(
                        file,
                        f
                                + " "
                                + v
                                + " is not supported (FewNER adapters hold LoRA tensors only;"
                                + " heads go into "
                                + FEWNER_HEADS
                                + ")");
            }
        }
        JsonNode rNode = extra.remove("r");
        if (rNode == null || !rNode.canConvertToInt() || !rNode.isIntegralNumber()) {
            throw new AdapterException(
                    file, "field 'r': expected a positive integer, got " + rNode);
        }
        double alpha = number(file, extra, "lora_alpha", 8);
        double dropout = number(file, extra, "lora_dropout", 0);
        JsonNode tm = extra.remove("target_modules");
        if (tm == null || tm.isNull()) {
            throw new AdapterException(
                    file,
                    "field 'target_modules' is missing (FewNER has no per-architecture default list)");
        }
        TargetModules targets = targets(file, "target_modules", tm);
        JsonNode ex = extra.remove("exclude_modules");
        TargetModules exclude =
                ex == null || ex.isNull() ? null : targets(file, "exclude_modules", ex);
        boolean rslora = bool(file, extra, "use_rslora", false);
        List<Integer> ltt = null;
        JsonNode lt = extra.remove("layers_to_transform");
        if (lt != null && !lt.isNull()) {
            ltt = new ArrayList<>();
            if (lt.isIntegralNumber()) {
                ltt.add(lt.intValue());
            } else if (lt.isArray()) {
                for (JsonNode x : lt) {
                    if (!x.isIntegralNumber()) {
                        throw new AdapterException(
                                file, "field 'layers_to_transform': expected integers, got " + lt);
                    }
                    ltt.add(x.intValue());
                }
            } else {
                throw new AdapterException(
                        file,
                        "field 'layers_to_transform': expected an integer or a list, got " + lt);
            }
            if (ltt.isEmpty()) {
                ltt = null;
            }
        }
        List<String> lp = null;
        JsonNode lpn = extra.remove("layers_pattern");
        if (lpn != null && !lpn.isNull()) {
            lp = new ArrayList<>();
            if (lpn.isTextual()) {
                if (!lpn.asText().isEmpty()) {
                    lp.add(lpn.asText());
                }
            } else if (lpn.isArray()) {
                for (JsonNode x : lpn) {
                    lp.add(x.asText());
                }
            } else {
                throw new AdapterException(
                        file, "field 'layers_pattern': expected a string or a list, got " + lpn);
            }
            if (lp.isEmpty()) {
                lp = null;
            }
        }
        Map<String, Integer> rp = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e :
                fields(file, extra.remove("rank_pattern"), "rank_pattern")) {
            if (!e.getValue().isIntegralNumber() || e.getValue().intValue() <= 0) {
                throw new AdapterException(
                        file,
                        "rank_pattern['"
                                + e.getKey()
                                + "']: expected a positive integer, got "
                                + e.getValue());
            }
            rp.put(e.getKey(), e.getValue().intValue());
        }
        Map<String, Double> ap = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e :
                fields(file, extra.remove("alpha_pattern"), "alpha_pattern")) {
            if (!e.getValue().isNumber()) {
                throw new AdapterException(
                        file,
                        "alpha_pattern['"
                                + e.getKey()
                                + "']: expected a number, got "
                                + e.getValue());
            }
            ap.put(e.getKey(), e.getValue().doubleValue());
        }
        String base = text(file, extra, "base_model_name_or_path", null);
        String task = text(file, extra, "task_type", null);
        boolean inference = bool(file, extra, "inference_mode", false);
        try {
            return new LoraConfig(
                    rNode.intValue(),
                    alpha,
                    dropout,
                    targets,
                    rslora,
                    ltt,
                    lp,
                    exclude,
                    rp,
                    ap,
                    base,
                    task,
                    inference,
                    extra);
        } catch (AdapterException e) {
            throw new AdapterException(file, e.getMessage(), e);
        }
    }

    private static TargetModules targets(Path file, String field, JsonNode v) {
        if (v.isTextual()) {
            if (v.asText().equals(TargetModules.ALL_LINEAR)) {
                return new TargetModules.AllLinear();
            }
            try {
                return new TargetModules.Regex(v.asText());
            } catch (RuntimeException e) {
                throw new AdapterException(
                        file,
                        "field '" + field + "': not a valid regular expression: " + e.getMessage(),
                        e);
            }
        }
        if (v.isArray()) {
            List<String> names = new ArrayList<>();
            for (JsonNode x : v) {
                if (!x.isTextual()) {
                    throw new AdapterException(
                            file, "field '" + field + "': expected module names, got " + v);
                }
                names.add(x.asText());
            }
            return new TargetModules.Names(names);
        }
        throw new AdapterException(
                file,
                "field '"
                        + field
                        + "': expected a list of module names or a regex string, got "
                        + v);
    }

    private static Iterable<Map.Entry<String, JsonNode>> fields(
            Path file, JsonNode v, String field) {
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isObject()) {
            throw new AdapterException(file, "field '" + field + "': expected an object, got " + v);
        }
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    private static void refuseTrue(Path file, ObjectNode o, String field, String message) {
        JsonNode v = o.remove(field);
        if (v != null && v.asBoolean(false)) {
            throw new AdapterException(file, message + " (field '" + field + "')");
        }
    }

    private static String text(Path file, ObjectNode o, String field, String dflt) {
        JsonNode v = o.remove(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new AdapterException(file, "field '" + field + "': expected a string, got " + v);
        }
        return v.asText();
    }

    private static double number(Path file, ObjectNode o, String field, double dflt) {
        JsonNode v = o.remove(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new AdapterException(file, "field '" + field + "': expected a number, got " + v);
        }
        return v.doubleValue();
    }

    private static boolean bool(Path file, ObjectNode o, String field, boolean dflt) {
        JsonNode v = o.remove(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new AdapterException(
                    file, "field '" + field + "': expected true or false, got " + v);
        }
        return v.booleanValue();
    }

    // ------------------------------------------------------------------------------------------------ writing

    /**
     * The config as PEFT writes it (all of PEFT's LoRA fields, sorted by key), plus {@link
     * #extra()}.
     */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.setAll(extra);
        o.set("alpha_pattern", JSON.valueToTree(new TreeMap<>(alphaPattern)));
        o.putNull("auto_mapping");
        o.put("base_model_name_or_path", baseModelNameOrPath);
        o.put("bias", "none");
        o.set("exclude_modules", targetsJson(excludeModules));
        o.put("fan_in_fan_out", false);
        o.put("inference_mode", inferenceMode);
        if (!o.has("init_lora_weights")) {
            o.put("init_lora_weights", true);
        }
        o.putNull("layer_replication");
        if (layersPattern == null) {
            o.putNull("layers_pattern");
        } else {
            ArrayNode a = o.putArray("layers_pattern");
            layersPattern.forEach(a::add);
        }
        if (layersToTransform == null) {
            o.putNull("layers_to_transform");
        } else {
            ArrayNode a = o.putArray("layers_to_transform");
            layersToTransform.forEach(a::add);
        }
        if (loraAlpha == Math.rint(loraAlpha) && Math.abs(loraAlpha) < 1e9) {
            o.put("lora_alpha", (long) loraAlpha);
        } else {
            o.put("lora_alpha", loraAlpha);
        }
        o.put("lora_bias", false);
        o.put("lora_dropout", loraDropout);
        o.putNull("modules_to_save");
        o.put("peft_type", "LORA");
        o.put("r", r);
        o.set("rank_pattern", JSON.valueToTree(new TreeMap<>(rankPattern)));
        o.putNull("revision");
        o.set("target_modules", targetsJson(targetModules));
        o.put("task_type", taskType);
        o.put("use_dora", false);
        o.put("use_rslora", useRslora);
        ObjectNode sorted = JsonNodeFactory.instance.objectNode();
        List<String> keys = new ArrayList<>();
        o.fieldNames().forEachRemaining(keys::add);
        keys.stream().sorted().forEach(k -> sorted.set(k, o.get(k)));
        return sorted;
    }

    private static JsonNode targetsJson(TargetModules t) {
        if (t == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        if (t instanceof TargetModules.Names n) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            n.names().stream().sorted().forEach(a::add);
            return a;
        }
        if (t instanceof TargetModules.Regex x) {
            return JsonNodeFactory.instance.textNode(x.pattern());
        }
        return JsonNodeFactory.instance.textNode(TargetModules.ALL_LINEAR);
    }

    /** Writes {@code adapter_config.json} into {@code dir} atomically. */
    public void write(Path dir) {
        Json.writeAtomically(dir.resolve(FILE), toJson());
    }

    /** Pretty JSON of {@link #toJson()}. */
    public String toJsonString() {
        return Json.pretty(toJson());
    }
}
