package org.fewner.llm.bert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.fewner.common.FewNerException;
import org.fewner.llm.config.BertConfig;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.BackboneOutput;
import org.fewner.llm.nn.ForwardParams;
import org.fewner.llm.nn.LinearLayer;
import org.fewner.llm.tensors.SafeTensors;
import org.fewner.llm.tensors.TensorFileException;
import org.fewner.llm.tensors.TensorSource;
import org.fewner.llm.tokenizer.ModelTokenizer;

/**
 * A BERT-family encoder loaded from a Hugging Face model directory ({@code config.json}, {@code
 * model.safetensors} or shards, {@code tokenizer.json}/{@code vocab.txt}), with the MLM head when
 * the checkpoint has one.
 *
 * <p>Forward calls are thread-safe: weights are read-only, every array a call creates belongs to
 * the caller's {@link NDManager}, and the adapter travels in the call's params. Positions count the
 * real tokens of each row (0, 1, … after any left padding), so a padded row gives the same hidden
 * states as the unpadded sequence; for unpadded or right-padded input this is HF's {@code 0 … T-1}.
 * Token types are all 0.
 */
public final class BertModel implements Backbone {
    /** HF's additive mask value for a padded key ({@code torch.finfo(float32).min}). */
    private static final float MASKED = -Float.MAX_VALUE;

    private final Path dir;
    private final BertConfig config;
    private final Device device;
    private final NDManager manager;
    private final BertNetwork block;
    private final Map<String, LinearLayer> linearLayers;
    private final String modulePrefix;
    private volatile ModelTokenizer tokenizer;

    private BertModel(
            Path dir,
            BertConfig config,
            Device device,
            NDManager manager,
            BertNetwork block,
            String prefix) {
        this.dir = dir;
        this.config = config;
        this.device = device;
        this.manager = manager;
        this.block = block;
        this.modulePrefix = prefix;
        Map<String, LinearLayer> map = new LinkedHashMap<>();
        for (BertLayer l : block.layers) {
            for (LinearLayer ll :
                    new LinearLayer[] {
                        l.attention.query,
                        l.attention.key,
                        l.attention.value,
                        l.attention.dense,
                        l.feedForward.intermediate,
                        l.feedForward.output
                    }) {
                map.put(ll.moduleName(), ll);
            }
        }
        if (block.head != null) {
            map.put(block.head.transform.moduleName(), block.head.transform);
            map.put(block.head.decoder.moduleName(), block.head.decoder);
        }
        this.linearLayers = Collections.unmodifiableMap(map);
    }

    /**
     * Loads a BERT model directory onto {@code device}.
     *
     * @throws TensorFileException when the weights do not match the config (the message names
     *     tensor, shapes, file)
     */
    public static BertModel load(Path dir, BertConfig config, Device device) {
        return load(dir, config, device, BertLayer.DEFAULT_CHUNK_ROWS);
    }

    /**
     * {@link #load(Path, BertConfig, Device)} with the rows per group of each layer given ({@link
     * BertLayer}; 0 = whole batch at once).
     */
    public static BertModel load(Path dir, BertConfig config, Device device, int chunkRows) {
        NDManager manager = NDManager.newBaseManager(device);
        try (TensorSource source = SafeTensors.openModelDirectory(dir)) {
            String prefix = BertWeights.detectPrefix(source);
            BertNetwork block =
                    new BertNetwork(
                            prefix,
                            config.hiddenSize(),
                            config.numAttentionHeads(),
                            config.intermediateSize(),
                            config.numHiddenLayers(),
                            config.hiddenAct(),
                            config.layerNormEps(),
                            config.vocabSize(),
                            BertWeights.hasMlmHead(source),
                            chunkRows);
            Set<String> unused = BertWeights.load(source, config, manager, prefix, block);
            Set<String> extraLayers =
                    unused.stream()
                            .filter(n -> n.startsWith(prefix + "encoder.layer."))
                            .collect(Collectors.toCollection(java.util.TreeSet::new));
            if (!extraLayers.isEmpty()) {
                throw new TensorFileException(
                        source.path(),
                        "tensor '"
                                + extraLayers.iterator().next()
                                + "' belongs to a layer beyond num_hidden_layers="
                                + config.numHiddenLayers()
                                + " of config.json ("
                                + extraLayers.size()
                                + " such tensors)");
            }
            return new BertModel(dir, config, device, manager, block, prefix);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    @Override
    public BertConfig config() {
        return config;
    }

    /**
     * The tokenizer ({@code tokenizer.json}, or {@code vocab.txt}), loaded on first use so that a
     * model directory without one (random test models) can still run on ids.
     */
    @Override
    public ModelTokenizer tokenizer() {
        ModelTokenizer t = tokenizer;
        if (t == null) {
            synchronized (this) {
                if (tokenizer == null) {
                    if (!Files.isRegularFile(dir.resolve("tokenizer.json"))
                            && !Files.isRegularFile(dir.resolve("vocab.txt"))) {
                        throw new FewNerException(
                                dir + ": no tokenizer.json or vocab.txt in this model directory");
                    }
                    tokenizer = ModelTokenizer.load(dir);
                }
                t = tokenizer;
            }
        }
        return t;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public Map<String, LinearLayer> linearLayers() {
        return linearLayers;
    }

    /**
     * Whether the checkpoint has the masked-LM head (then {@link BackboneOutput#logits()} is set).
     */
    public boolean hasMlmHead() {
        return block.head != null;
    }

    /**
     * {@code "bert."} for {@code BertFor*} checkpoints, {@code ""} for {@code BertModel}: the
     * module-name prefix.
     */
    public String modulePrefix() {
        return modulePrefix;
    }

    /** The model directory. */
    public Path directory() {
        return dir;
    }

    /** The network (for inspection; do not modify its parameters). */
    public BertNetwork block() {
        return block;
    }

    @Override
    public BackboneOutput forward(
            NDManager callManager, long[][] inputIds, long[][] attentionMask, String adapter) {
        return forward(callManager, inputIds, attentionMask, adapter, true);
    }

    /**
     * A batched forward pass.
     *
     * @param callManager owns every array this call creates
     * @param inputIds [B][T] token ids
     * @param attentionMask [B][T] 1 = real token, 0 = padding
     * @param adapter LoRA adapter name or null
     * @param withHead false skips the MLM head (logits null)
     * @return L+1 hidden states [B, T, H], logits [B, T, V] or null
     * @throws IllegalArgumentException for ragged input, ids outside the vocabulary, or a sequence
     *     longer than {@code max_position_embeddings}
     */
    public BackboneOutput forward(
            NDManager callManager,
            long[][] inputIds,
            long[][] attentionMask,
            String adapter,
            boolean withHead) {
        Inputs in =
                Inputs.of(
                        inputIds,
                        attentionMask,
                        config.vocabSize(),
                        config.maxPositionEmbeddings(),
                        dir);
        int b = in.batch;
        int t = in.length;
        NDList inputs =
                new NDList(
                        onDevice(callManager.create(in.ids, new Shape(b, t))),
                        onDevice(callManager.create(in.positions, new Shape(b, t))),
                        onDevice(
                                callManager.zeros(
                                        new Shape(b, t), ai.djl.ndarray.types.DataType.INT64)));
        if (in.padded) {
            inputs.add(onDevice(callManager.create(in.maskBias, new Shape(b, 1, 1, t))));
        }
        PairList<String, Object> params = ForwardParams.withAdapter(adapter);
        if (!withHead) {
            params.add(BertNetwork.WITH_HEAD, Boolean.FALSE);
        }
        NDList out = block.forward(new ParameterStore(manager, false), inputs, false, params);
        int layers = config.numHiddenLayers() + 1;
        NDList hidden = new NDList(out.subList(0, layers));
        NDArray logits = out.size() > layers ? out.get(layers) : null;
        return new BackboneOutput(hidden, logits);
    }

    private NDArray onDevice(NDArray a) {
        return a.getDevice().equals(device) ? a : a.toDevice(device, false);
    }

    @Override
    public void close() {
        ModelTokenizer t = tokenizer;
        if (t != null) {
            t.close();
        }
        manager.close();
    }

    @Override
    public String toString() {
        return "BertModel("
                + dir
                + ", "
                + config.numHiddenLayers()
                + " layers, H="
                + config.hiddenSize()
                + (hasMlmHead() ? ", MLM head" : "")
                + ")";
    }

    /** Validated, flattened forward inputs. */
    record Inputs(
            int batch, int length, long[] ids, long[] positions, float[] maskBias, boolean padded) {
        static Inputs of(long[][] ids, long[][] mask, int vocab, int maxPositions, Path dir) {
            if (ids.length == 0) {
                throw new IllegalArgumentException("empty batch");
            }
            if (mask.length != ids.length) {
                throw new IllegalArgumentException(
                        "attention mask has " + mask.length + " rows, input ids " + ids.length);
            }
            int b = ids.length;
            int t = ids[0].length;
            long[] flatIds = new long[b * t];
            long[] pos = new long[b * t];
            float[] bias = new float[b * t];
            boolean padded = false;
            for (int r = 0; r < b; r++) {
                if (ids[r].length != t || mask[r].length != t) {
                    throw new IllegalArgumentException(
                            "row "
                                    + r
                                    + " has "
                                    + ids[r].length
                                    + " ids and "
                                    + mask[r].length
                                    + " mask entries; every row must be padded to "
                                    + t);
                }
                long real = 0;
                for (int c = 0; c < t; c++) {
                    long id = ids[r][c];
                    long m = mask[r][c];
                    if (m != 0 && m != 1) {
                        throw new IllegalArgumentException(
                                "attention mask ["
                                        + r
                                        + "]["
                                        + c
                                        + "] is "
                                        + m
                                        + "; expected 0 or 1");
                    }
                    if (m == 1 && (id < 0 || id >= vocab)) {
                        throw new FewNerException(
                                "token id "
                                        + id
                                        + " at ["
                                        + r
                                        + "]["
                                        + c
                                        + "] is outside the vocabulary of "
                                        + vocab);
                    }
                    int i = r * t + c;
                    flatIds[i] =
                            m == 1 ? id : 0; // padding ids are never looked at, but must index the
                    // table
                    pos[i] = Math.max(0, real - (m == 1 ? 0 : 1));
                    if (m == 1) {
                        pos[i] = real;
                        real++;
                    }
                    bias[i] = m == 1 ? 0f : MASKED;
                    padded |= m == 0;
                }
                if (real > maxPositions) {
                    throw new IllegalArgumentException(
                            "sequence "
                                    + r
                                    + " has "
                                    + real
                                    + " tokens, more than the "
                                    + maxPositions
                                    + " of max_position_embeddings of "
                                    + dir
                                    + " (split long texts into windows of at most "
                                    + maxPositions
                                    + " tokens)");
                }
                for (int c = 0; c < t; c++) {
                    pos[r * t + c] = Math.min(pos[r * t + c], maxPositions - 1);
                }
            }
            return new Inputs(b, t, flatIds, pos, bias, padded);
        }
    }
}
