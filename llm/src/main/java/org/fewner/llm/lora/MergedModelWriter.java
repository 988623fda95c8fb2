package org.fewner.llm.lora;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.fewner.common.AtomicFiles;
import org.fewner.common.FewNerException;
import org.fewner.llm.config.BertConfig;
import org.fewner.llm.config.ModelConfig;
import org.fewner.llm.config.ModelConfigs;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;
import org.fewner.llm.tensors.TensorSource;

/**
 * Writes a model directory with an adapter merged into its weights, without loading a backbone: for
 * every adapted layer {@code W' = W + scale · B · A}, computed in double precision and rounded once
 * to float32 (merged weights are always written as F32; untouched tensors keep their bytes and
 * dtype). A LoRA on a tied output layer ({@code lm_head} / BERT's MLM decoder) materialises that
 * layer and sets {@code tie_word_embeddings} false, so the input embeddings stay unchanged. Writes
 * {@code config.json}, one {@code model.safetensors} and copies every other file of the model
 * directory (tokenizer files etc.).
 */
public final class MergedModelWriter {
    private MergedModelWriter() {}

    /**
     * @return the names of the merged weight tensors
     */
    public static List<String> write(Path modelDir, LoraAdapter adapter, Path outDir) {
        LinearModules base = LinearModules.of(modelDir);
        Map<String, LoraAdapter.Bound> bound = adapter.bind(base);
        ModelConfig config = base.config();
        ObjectNode raw = config.raw().deepCopy();
        boolean tied =
                config instanceof BertConfig b
                        ? b.tieWordEmbeddings()
                        : ((org.fewner.llm.config.DecoderConfig) config).tieWordEmbeddings();
        if (outDir.toAbsolutePath().normalize().equals(modelDir.toAbsolutePath().normalize())) {
            throw new FewNerException(
                    "output directory " + outDir + " is the model directory; choose another");
        }
        List<String> merged = new java.util.ArrayList<>();
        // written into a temporary sibling and renamed at the end: a failure leaves nothing
        AtomicFiles.writeNewDirectory(
                outDir, dir -> writeMerged(modelDir, bound, base, raw, tied, dir, merged));
        return merged;
    }

    private static void writeMerged(
            Path modelDir,
            Map<String, LoraAdapter.Bound> bound,
            LinearModules base,
            ObjectNode raw,
            boolean tied,
            Path outDir,
            List<String> merged)
            throws IOException {
        try (TensorSource src = SafeTensors.openModelDirectory(modelDir)) {
            Map<String, HostTensor> out = new TreeMap<>();
            for (String n : src.names()) {
                out.put(n, src.get(n));
            }
            String embedding =
                    src.names().stream()
                            .filter(
                                    n -> {
                                        String c = base.canonical(n);
                                        return c.equals("embed_tokens.weight")
                                                || c.equals("embeddings.word_embeddings.weight");
                                    })
                            .findFirst()
                            .orElse(null);
            for (LoraAdapter.Bound b : bound.values()) {
                String name = b.layer() + ".weight";
                boolean output = base.canonical(b.layer()).equals(base.outputLayer());
                HostTensor w = out.get(name);
                if (output && (tied || w == null)) {
                    if (embedding == null) {
                        throw new FewNerException(
                                modelDir
                                        + ": output layer "
                                        + b.layer()
                                        + " is tied but no embedding table was found");
                    }
                    w = out.get(embedding);
                    raw.put("tie_word_embeddings", false);
                }
                TensorSource.checkWeight(src.path(), name, w);
                out.put(
                        name,
                        HostTensor.ofFloats(
                                w.shape(), mergeWeight(w.toFloats(), b.module(), b.scale())));
                merged.add(name);
            }
            SafeTensors.write(outDir.resolve("model.safetensors"), out, Map.of("format", "pt"));
        }
        ModelConfigs.write(outDir.resolve("config.json"), raw);
        try (Stream<Path> files = Files.list(modelDir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String n = f.getFileName().toString();
                if (Files.isRegularFile(f)
                        && !n.endsWith(".safetensors")
                        && !n.equals(SafeTensors.INDEX_FILE)
                        && !n.equals("config.json")) {
                    Files.copy(f, outDir.resolve(n), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** {@code W + scale · B · A} for W [out, in] row-major, in double, rounded once. */
    static float[] mergeWeight(float[] w, LoraAdapter.Module m, double scale) {
        int out = m.out();
        int in = m.in();
        int r = m.r();
        float[] res = new float[w.length];
        double[] row = new double[in];
        for (int o = 0; o < out; o++) {
            java.util.Arrays.fill(row, 0);
            for (int k = 0; k < r; k++) {
                double bk = m.b()[o * r + k];
                if (bk == 0) {
                    continue;
                }
                for (int i = 0; i < in; i++) {
                    row[i] += bk * m.a()[k * in + i];
                }
            }
            for (int i = 0; i < in; i++) {
                res[o * in + i] = (float) (w[o * in + i] + scale * row[i]);
            }
        }
        return res;
    }
}
