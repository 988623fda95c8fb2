package org.fewner.llm.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.fewner.llm.config.BertConfig;
import org.fewner.llm.nn.FusedLinear;
import org.fewner.llm.nn.LinearLayer;
import org.fewner.llm.tensors.TensorFileException;
import org.fewner.llm.tensors.TensorSource;

/**
 * Copies a Hugging Face BERT checkpoint ({@code BertModel} or {@code BertForMaskedLM} names, with
 * or without the {@code bert.} prefix; Google's legacy {@code LayerNorm.gamma/beta} accepted) into
 * a {@link BertNetwork}, checking every tensor's shape against the config. A missing tensor or a
 * wrong shape is a {@link TensorFileException} naming the tensor, the expected and found shapes and
 * the file.
 */
final class BertWeights {
    private final TensorSource source;
    private final BertConfig config;
    private final NDManager manager;

    /** {@code "bert."} or {@code ""}, as found in the checkpoint. */
    private final String prefix;

    /** Names read so far (to report unused tensors). */
    private final Set<String> used = new LinkedHashSet<>();

    private BertWeights(TensorSource source, BertConfig config, NDManager manager, String prefix) {
        this.source = source;
        this.config = config;
        this.manager = manager;
        this.prefix = prefix;
    }

    /**
     * The checkpoint's name prefix: {@code "bert."} ({@code BertFor*}) or {@code ""} ({@code
     * BertModel}).
     */
    static String detectPrefix(TensorSource source) {
        if (source.contains("bert.embeddings.word_embeddings.weight")) {
            return "bert.";
        }
        if (source.contains("embeddings.word_embeddings.weight")) {
            return "";
        }
        throw new TensorFileException(
                source.path(),
                "not a BERT checkpoint: no tensor "
                        + "'bert.embeddings.word_embeddings.weight' or 'embeddings.word_embeddings.weight'");
    }

    /** Whether the checkpoint has the masked-LM head ({@code cls.predictions.*}). */
    static boolean hasMlmHead(TensorSource source) {
        return source.contains("cls.predictions.transform.dense.weight");
    }

    /**
     * Loads every tensor of {@code block}; returns the names of checkpoint tensors that were not
     * used.
     */
    static Set<String> load(
            TensorSource source,
            BertConfig config,
            NDManager manager,
            String prefix,
            BertNetwork block) {
        BertWeights w = new BertWeights(source, config, manager, prefix);
        int h = config.hiddenSize();
        String e = prefix + "embeddings.";
        w.set(block.embeddings.word, e + "word_embeddings.weight", config.vocabSize(), h);
        w.set(
                block.embeddings.position,
                e + "position_embeddings.weight",
                config.maxPositionEmbeddings(),
                h);
        w.set(
                block.embeddings.tokenType,
                e + "token_type_embeddings.weight",
                config.typeVocabSize(),
                h);
        w.norm(block.embeddings.normWeight, block.embeddings.normBias, e + "LayerNorm");
        for (BertLayer layer : block.layers) {
            BertAttention at = layer.attention;
            at.fuseQkv(w.fused(at.query, at.key, at.value));
            w.linear(layer.attention.dense);
            String p = layer.attention.dense.moduleName().replace(".dense", "");
            w.norm(layer.attention.normWeight, layer.attention.normBias, p + ".LayerNorm");
            w.linear(layer.feedForward.intermediate);
            w.linear(layer.feedForward.output);
            String o = layer.feedForward.output.moduleName().replace(".dense", "");
            w.norm(layer.feedForward.normWeight, layer.feedForward.normBias, o + ".LayerNorm");
            // The tensors just copied were memory-mapped; their pages count in the process's RSS
            // until the mapping
            // is collected. Collecting after every layer keeps at most one layer's mapping
            // resident, so loading
            // BERT-base peaks at weights + one layer instead of twice the weights.
            System.gc();
        }
        if (block.head != null) {
            w.linear(block.head.transform);
            w.norm(
                    block.head.normWeight,
                    block.head.normBias,
                    "cls.predictions.transform.LayerNorm");
            String decoderWeight = "cls.predictions.decoder.weight";
            NDArray dw =
                    !config.tieWordEmbeddings() && source.contains(decoderWeight)
                            ? w.tensor(decoderWeight, config.vocabSize(), h)
                            : block.embeddings.word.getArray();
            if (source.contains(decoderWeight)) {
                w.used.add(decoderWeight); // tied copy of the word embeddings
            }
            String biasName =
                    source.contains("cls.predictions.bias")
                            ? "cls.predictions.bias"
                            : "cls.predictions.decoder.bias";
            NDArray db = w.tensor(biasName, config.vocabSize());
            if (source.contains("cls.predictions.decoder.bias")) {
                w.used.add("cls.predictions.decoder.bias");
            }
            block.head.decoder.setWeights(dw, db);
        }
        Set<String> unused = new LinkedHashSet<>(source.names());
        unused.removeAll(w.used);
        return unused;
    }

    /**
     * Reads the parts' weights and fuses them: each part gets a row view of the fused matrix (no
     * weight is stored twice).
     */
    private FusedLinear fused(LinearLayer... parts) {
        NDArray[] ws = new NDArray[parts.length];
        NDArray[] bs = new NDArray[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String n = parts[i].moduleName();
            ws[i] = tensor(n + ".weight", parts[i].outFeatures(), parts[i].inFeatures());
            bs[i] = tensor(n + ".bias", parts[i].outFeatures());
        }
        return new FusedLinear(parts, ws, bs);
    }

    private void linear(LinearLayer layer) {
        String n = layer.moduleName();
        layer.setWeights(
                tensor(n + ".weight", layer.outFeatures(), layer.inFeatures()),
                tensor(n + ".bias", layer.outFeatures()));
    }

    private void norm(Parameter weight, Parameter bias, String module) {
        int h = config.hiddenSize();
        boolean legacy = !source.contains(module + ".weight") && source.contains(module + ".gamma");
        weight.setArray(tensor(module + (legacy ? ".gamma" : ".weight"), h));
        bias.setArray(tensor(module + (legacy ? ".beta" : ".bias"), h));
    }

    private void set(Parameter p, String name, long... shape) {
        p.setArray(tensor(name, shape));
    }

    /**
     * The tensor as float32 on the model's device, after checking that it exists and has {@code
     * shape}.
     */
    private NDArray tensor(String name, long... shape) {
        if (!source.contains(name)) {
            throw new TensorFileException(
                    source.path(),
                    "missing tensor '"
                            + name
                            + "' (expected shape "
                            + Arrays.toString(shape)
                            + " from config.json: "
                            + describeConfig()
                            + ")");
        }
        long[] found = source.info(name).shape();
        if (!Arrays.equals(found, shape)) {
            throw new TensorFileException(
                    source.path(),
                    "tensor '"
                            + name
                            + "' has shape "
                            + Arrays.toString(found)
                            + " but config.json ("
                            + describeConfig()
                            + ") needs "
                            + Arrays.toString(shape));
        }
        used.add(name);
        NDArray a = source.weight(name).toNDArray(manager);
        a.setName(name);
        return a;
    }

    private String describeConfig() {
        return "vocab_size="
                + config.vocabSize()
                + ", hidden_size="
                + config.hiddenSize()
                + ", intermediate_size="
                + config.intermediateSize()
                + ", num_hidden_layers="
                + config.numHiddenLayers()
                + ", max_position_embeddings="
                + config.maxPositionEmbeddings()
                + ", type_vocab_size="
                + config.typeVocabSize();
    }
}
