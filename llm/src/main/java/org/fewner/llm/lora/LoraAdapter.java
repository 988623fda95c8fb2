package org.fewner.llm.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fewner.llm.config.ModelConfig;
import org.fewner.llm.model.BackboneFingerprint;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A LoRA adapter in Java memory, in PEFT's file layout: {@code adapter_config.json} plus {@code
 * adapter_model.safetensors} with {@code base_model.model.<module>.lora_A.weight} [r, in] and
 * {@code ...lora_B.weight} [out, r] per module, {@code <module>} being the name inside the model
 * PEFT wrapped (e.g. {@code model.layers.0.self_attn.q_proj}). Optional head tensors (anything
 * besides LoRA an adapter needs, e.g. a span-detection head) live in {@code
 * fewner_heads.safetensors}, listed under {@code "fewner_heads": {"file": ..., "tensors": {name:
 * description}}} in the config.
 *
 * <p>Immutable once built; {@link #bind} checks it against a base model and yields what to attach
 * to each layer.
 *
 * @param config the adapter config
 * @param modules PEFT module name → A and B (sorted by name)
 * @param heads head tensors by name (may be empty)
 */
public record LoraAdapter(
        LoraConfig config, Map<String, Module> modules, Map<String, HostTensor> heads) {
    private static final Logger LOG = LoggerFactory.getLogger(LoraAdapter.class);
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    public static final String HEADS_FILE = "fewner_heads.safetensors";

    /** Every saved tensor name starts with this (PEFT's {@code PeftModel.base_model.model}). */
    public static final String PREFIX = "base_model.model.";

    private static final Pattern LORA_KEY = Pattern.compile("(.+)\\.lora_([AB])\\.weight");

    /**
     * One module's factors, row-major float32.
     *
     * @param a lora_A, [r, in]
     * @param b lora_B, [out, r]
     */
    public record Module(int r, int in, int out, float[] a, float[] b) {
        public Module {
            if (a.length != (long) r * in || b.length != (long) out * r) {
                throw new IllegalArgumentException(
                        "LoRA factors of r="
                                + r
                                + ", in="
                                + in
                                + ", out="
                                + out
                                + " need "
                                + r * in
                                + " and "
                                + out * r
                                + " values, got "
                                + a.length
                                + " and "
                                + b.length);
            }
        }
    }

    /** One module of a bound adapter: the model's layer name, the factors and the scale. */
    public record Bound(String layer, Module module, float scale) {}

    /** How {@link #init} fills B. */
    public enum Init {
        /** B = 0 (PEFT's default): the fresh adapter changes nothing. */
        ZERO,
        /** B ~ N(0, bStd²): for tests and inspection. */
        RANDOM
    }

    public LoraAdapter {
        modules = Collections.unmodifiableMap(new TreeMap<>(modules));
        heads = Collections.unmodifiableMap(new TreeMap<>(heads == null ? Map.of() : heads));
    }

    // ---------------------------------------------------------------------------------------------- creation

    /**
     * A new adapter for every module of {@code base} that {@code config} selects. A is initialised
     * as PEFT does ({@code kaiming_uniform_(a=√5)} on [r, in], i.e. U(−1/√in, 1/√in)); B is zero,
     * or N(0, bStd²) with {@link Init#RANDOM}. Modules are named as the base names them. The config
     * records the base's {@code model_type}, hidden size and layer count under {@code fewner_base}.
     */
    public static LoraAdapter init(
            LinearModules base, LoraConfig config, long seed, Init init, double bStd) {
        Random rng = new Random(seed);
        Map<String, Module> out = new TreeMap<>();
        Set<String> allLinear = allLinearKeys(base, base.prefixed());
        for (Map.Entry<String, int[]> e : base.modules().entrySet()) {
            String name = e.getKey();
            if (!TargetMatcher.matches(config, name, allLinear)) {
                continue;
            }
            int o = e.getValue()[0];
            int in = e.getValue()[1];
            int r = config.rankOf(name);
            float[] a = new float[r * in];
            double bound = 1.0 / Math.sqrt(in);
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            }
            float[] b = new float[o * r];
            if (init == Init.RANDOM) {
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (rng.nextGaussian() * bStd);
                }
            }
            out.put(name, new Module(r, in, o, a, b));
        }
        if (out.isEmpty()) {
            throw new AdapterException(
                    "target_modules "
                            + config.toJson().get("target_modules")
                            + " select no linear layer"
                            + " of the model (its layers are e.g. "
                            + sample(base.modules().keySet())
                            + ")");
        }
        ObjectNode extra = config.extra().deepCopy();
        extra.set(LoraConfig.FEWNER_BASE, baseDescription(base.config()));
        return new LoraAdapter(config.withExtra(extra), out, Map.of());
    }

    static ObjectNode baseDescription(ModelConfig c) {
        ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        o.put("model_type", c.modelType());
        o.put("hidden_size", c.hiddenSize());
        o.put("num_hidden_layers", c.numHiddenLayers());
        o.put("vocab_size", c.vocabSize());
        return o;
    }

    /**
     * The same adapter recording {@code backbone} as the base it was made for ({@code fewner_base},
     * {@link BackboneFingerprint}): what every writer of a new adapter calls, so that loading it on
     * another backbone is refused.
     */
    public LoraAdapter withBackbone(BackboneFingerprint backbone) {
        ObjectNode extra = config.extra().deepCopy();
        extra.set(LoraConfig.FEWNER_BASE, backbone.toJson());
        return new LoraAdapter(config.withExtra(extra), modules, heads);
    }

    /** The same adapter with head tensors (each with a one-line description for the config). */
    public LoraAdapter withHeads(
            Map<String, HostTensor> newHeads, Map<String, String> descriptions) {
        ObjectNode extra = config.extra().deepCopy();
        if (newHeads.isEmpty()) {
            extra.remove(LoraConfig.FEWNER_HEADS);
        } else {
            ObjectNode h = extra.putObject(LoraConfig.FEWNER_HEADS);
            h.put("file", HEADS_FILE);
            ObjectNode t = h.putObject("tensors");
            new TreeMap<>(newHeads)
                    .keySet()
                    .forEach(k -> t.put(k, descriptions.getOrDefault(k, "")));
        }
        return new LoraAdapter(config.withExtra(extra), modules, newHeads);
    }

    // ---------------------------------------------------------------------------------------------- files

    /**
     * Writes the adapter directory (config, LoRA tensors as F32, heads file if any) into a
     * temporary sibling renamed at the end ({@link org.fewner.common.AtomicFiles}), so a failure
     * leaves nothing half-written. {@code dir} must not exist, be empty, or hold an adapter (which
     * is replaced whole: a checkpoint written again); any other existing directory is refused.
     */
    public void write(Path dir) {
        if (Files.isRegularFile(dir.resolve(LoraConfig.FILE))) {
            org.fewner.common.AtomicFiles.writeDirectory(dir, true, this::writeInto);
        } else {
            org.fewner.common.AtomicFiles.writeNewDirectory(dir, this::writeInto);
        }
    }

    private void writeInto(Path dir) {
        Map<String, HostTensor> t = new TreeMap<>();
        for (Map.Entry<String, Module> e : modules.entrySet()) {
            Module m = e.getValue();
            t.put(
                    PREFIX + e.getKey() + ".lora_A.weight",
                    HostTensor.ofFloats(new long[] {m.r(), m.in()}, m.a()));
            t.put(
                    PREFIX + e.getKey() + ".lora_B.weight",
                    HostTensor.ofFloats(new long[] {m.out(), m.r()}, m.b()));
        }
        SafeTensors.write(dir.resolve(WEIGHTS_FILE), t, Map.of("format", "pt"));
        if (!heads.isEmpty()) {
            SafeTensors.write(dir.resolve(HEADS_FILE), heads, Map.of("format", "pt"));
        }
        config.write(dir);
    }

    /**
     * Reads an adapter directory; refuses what FewNER does not support, naming the file and tensor.
     */
    public static LoraAdapter read(Path dir) {
        if (Files.isRegularFile(dir)) {
            throw new AdapterException(
                    dir,
                    "is a file; expected an adapter directory (adapter_config.json and "
                            + WEIGHTS_FILE
                            + ")");
        }
        LoraConfig config = LoraConfig.read(dir);
        Path file = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(file)) {
            String hint =
                    Files.exists(dir.resolve("adapter_model.bin"))
                            ? " (adapter_model.bin found: only the safetensors format is supported; re-save with safe_serialization=True)"
                            : "";
            throw new AdapterException(file, "missing" + hint);
        }
        Map<String, HostTensor> raw = SafeTensors.readAll(file);
        Map<String, Map<String, HostTensor>> ab = new TreeMap<>();
        for (Map.Entry<String, HostTensor> e : raw.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith(PREFIX)) {
                throw new AdapterException(
                        file,
                        "tensor '"
                                + k
                                + "' does not start with '"
                                + PREFIX
                                + "' (not a PEFT adapter file)");
            }
            String rest = k.substring(PREFIX.length());
            Matcher m = LORA_KEY.matcher(rest);
            if (m.matches()) {
                if (!e.getValue().dtype().isFloating()) {
                    throw new AdapterException(
                            file,
                            "tensor '"
                                    + k
                                    + "': dtype "
                                    + e.getValue().dtype()
                                    + ", expected F32, F16 or BF16");
                }
                ab.computeIfAbsent(m.group(1), x -> new TreeMap<>()).put(m.group(2), e.getValue());
            } else if (rest.contains(".lora_embedding_")) {
                throw new AdapterException(
                        file,
                        "tensor '" + k + "': embedding LoRA is not supported (only linear layers)");
            } else if (rest.contains(".lora_magnitude_vector")) {
                throw new AdapterException(file, "tensor '" + k + "': DoRA is not supported");
            } else if (rest.matches(".*\\.lora_B\\.bias")) {
                throw new AdapterException(file, "tensor '" + k + "': lora_bias is not supported");
            } else if (rest.contains(".lora_")) {
                throw new AdapterException(
                        file,
                        "tensor '"
                                + k
                                + "': unknown LoRA tensor kind (expected <module>.lora_A.weight / lora_B.weight)");
            } else {
                throw new AdapterException(
                        file,
                        "tensor '"
                                + k
                                + "' is not a LoRA factor: full replacement tensors"
                                + " (modules_to_save, saved embeddings) are not supported");
            }
        }
        Map<String, Module> modules = new TreeMap<>();
        for (Map.Entry<String, Map<String, HostTensor>> e : ab.entrySet()) {
            HostTensor a = e.getValue().get("A");
            HostTensor b = e.getValue().get("B");
            if (a == null || b == null) {
                throw new AdapterException(
                        file,
                        "module '"
                                + e.getKey()
                                + "' needs both lora_A.weight and lora_B.weight, found only lora_"
                                + e.getValue().keySet().iterator().next());
            }
            long[] as = a.shape();
            long[] bs = b.shape();
            if (as.length != 2 || bs.length != 2 || as[0] != bs[1]) {
                throw new AdapterException(
                        file,
                        "module '"
                                + e.getKey()
                                + "': lora_A "
                                + java.util.Arrays.toString(as)
                                + " and lora_B "
                                + java.util.Arrays.toString(bs)
                                + " are not [r, in] and [out, r] with one r");
            }
            try {
                org.fewner.llm.tensors.TensorSource.checkWeight(
                        file, e.getKey() + ".lora_A.weight", a);
                org.fewner.llm.tensors.TensorSource.checkWeight(
                        file, e.getKey() + ".lora_B.weight", b);
            } catch (org.fewner.llm.tensors.TensorFileException x) {
                throw new AdapterException(x.getMessage(), x);
            }
            modules.put(
                    e.getKey(),
                    new Module((int) as[0], (int) as[1], (int) bs[0], a.toFloats(), b.toFloats()));
        }
        if (modules.isEmpty()) {
            throw new AdapterException(file, "holds no LoRA tensors");
        }
        Map<String, HostTensor> heads = Map.of();
        JsonNode h = config.extra().get(LoraConfig.FEWNER_HEADS);
        if (h != null && !h.isNull()) {
            String name = h.path("file").asText(HEADS_FILE);
            Path hf = dir.resolve(name);
            if (!Files.isRegularFile(hf)) {
                throw new AdapterException(
                        dir.resolve(LoraConfig.FILE),
                        "fewner_heads names " + name + ", which is missing");
            }
            Map<String, HostTensor> read = SafeTensors.readAll(hf);
            heads = read;
            List<String> missing = new ArrayList<>();
            h.path("tensors")
                    .fieldNames()
                    .forEachRemaining(
                            n -> {
                                if (!read.containsKey(n)) {
                                    missing.add(n);
                                }
                            });
            if (!missing.isEmpty()) {
                throw new AdapterException(
                        hf, "tensors listed in fewner_heads are missing: " + missing);
            }
        }
        return new LoraAdapter(config, modules, heads);
    }

    // ---------------------------------------------------------------------------------------------- binding

    /**
     * Checks the adapter against a base model and maps each of its modules to the model's layer,
     * with the scale. Refused (each with the module and shapes named): a {@code fewner_base} that
     * disagrees with the base's {@code model_type}, hidden size or layer count; a tensor for a
     * module the base lacks or that {@code target_modules} does not select; an embedding module;
     * A/B shapes that disagree with the layer or with {@code r} / {@code rank_pattern}. A selected
     * module without tensors counts as B = 0 (logged).
     *
     * @return model layer name → bound module, in model order
     */
    public Map<String, Bound> bind(LinearModules base) {
        JsonNode fb = config.extra().get(LoraConfig.FEWNER_BASE);
        if (fb != null && fb.isObject()) {
            ModelConfig c = base.config();
            String type = fb.path("model_type").asText(c.modelType());
            int hidden = fb.path("hidden_size").asInt(c.hiddenSize());
            int layers = fb.path("num_hidden_layers").asInt(c.numHiddenLayers());
            int vocab = fb.path("vocab_size").asInt(c.vocabSize());
            if (vocab != c.vocabSize()) {
                throw new AdapterException(
                        "adapter was made for a base with a vocabulary of "
                                + vocab
                                + " tokens (adapter_config.json fewner_base"
                                + (fb.hasNonNull("name") ? ": " + fb.get("name").asText() : "")
                                + "), but the loaded base has "
                                + c.vocabSize()
                                + " (another backbone)");
            }
            if (!type.equals(c.modelType())
                    || hidden != c.hiddenSize()
                    || layers != c.numHiddenLayers()) {
                throw new AdapterException(
                        "adapter was made for a "
                                + type
                                + " base with hidden size "
                                + hidden
                                + " and "
                                + layers
                                + " layers (adapter_config.json fewner_base), but the loaded base is "
                                + c.modelType()
                                + " with hidden size "
                                + c.hiddenSize()
                                + " and "
                                + c.numHiddenLayers()
                                + " layers");
            }
        }
        boolean prefixed = modules.keySet().stream().anyMatch(n -> n.startsWith(base.basePrefix()));
        Set<String> allLinear = allLinearKeys(base, prefixed);
        Map<String, String> byCanonical = base.byCanonical();
        Map<String, Bound> bound = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, Module> e : modules.entrySet()) {
            String key = e.getKey();
            String c = base.canonical(key);
            if (base.isEmbedding(c)) {
                throw new AdapterException(
                        "adapter module '"
                                + key
                                + "' is an embedding table: embedding LoRA is not supported");
            }
            String layer = byCanonical.get(c);
            if (layer == null && base.isUncomputed(c)) {
                LOG.warn(
                        "adapter module '{}' is not computed by this backbone (no output depends on it); skipped",
                        key);
                continue;
            }
            if (layer == null) {
                throw new AdapterException(
                        "adapter has LoRA tensors for '"
                                + key
                                + "', which is not a linear layer of the "
                                + base.config().modelType()
                                + " base (its layers are e.g. "
                                + sample(base.modules().keySet())
                                + ")");
            }
            if (!seen.add(layer)) {
                throw new AdapterException(
                        "adapter names layer '"
                                + layer
                                + "' twice (with and without the '"
                                + base.basePrefix()
                                + "' prefix)");
            }
            if (!TargetMatcher.matches(config, key, allLinear)) {
                throw new AdapterException(
                        "adapter has LoRA tensors for '"
                                + key
                                + "', which target_modules "
                                + config.toJson().get("target_modules")
                                + " does not select");
            }
            Module m = e.getValue();
            int[] shape = base.modules().get(layer);
            int r = config.rankOf(key);
            if (m.r() != r || m.in() != shape[1] || m.out() != shape[0]) {
                throw new AdapterException(
                        "module '"
                                + key
                                + "': lora_A ["
                                + m.r()
                                + ", "
                                + m.in()
                                + "] / lora_B ["
                                + m.out()
                                + ", "
                                + m.r()
                                + "] do not fit the base layer [out="
                                + shape[0]
                                + ", in="
                                + shape[1]
                                + "] with r="
                                + r);
            }
            bound.put(layer, new Bound(layer, m, (float) config.scaleOf(key)));
        }
        List<String> missing = new ArrayList<>();
        for (String layer : base.modules().keySet()) {
            String key = base.peftName(base.canonical(layer), prefixed);
            if (!bound.containsKey(layer) && TargetMatcher.matches(config, key, allLinear)) {
                missing.add(layer);
            }
        }
        if (!missing.isEmpty()) {
            LOG.warn(
                    "target_modules selects {} layer(s) the adapter has no tensors for (treated as B = 0): {}",
                    missing.size(),
                    sample(missing));
        }
        Map<String, Bound> ordered = new LinkedHashMap<>();
        base.modules().keySet().stream()
                .filter(bound::containsKey)
                .forEach(l -> ordered.put(l, bound.get(l)));
        return ordered;
    }

    /** PEFT names of every linear layer but the output layer ({@code "all-linear"}). */
    static Set<String> allLinearKeys(LinearModules base, boolean prefixed) {
        Set<String> s = new HashSet<>();
        for (String layer : base.modules().keySet()) {
            String c = base.canonical(layer);
            if (!c.equals(base.outputLayer())) {
                s.add(base.peftName(c, prefixed));
            }
        }
        return s;
    }

    private static String sample(java.util.Collection<String> names) {
        List<String> l = new ArrayList<>(names);
        return l.size() <= 4 ? l.toString() : l.subList(0, 4) + " and " + (l.size() - 4) + " more";
    }
}
