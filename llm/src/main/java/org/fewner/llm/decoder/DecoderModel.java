package org.fewner.llm.decoder;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.config.ConfigException;
import org.fewner.llm.config.DecoderConfig;
import org.fewner.llm.config.ModelConfig;
import org.fewner.llm.config.ModelConfigs;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.BackboneOutput;
import org.fewner.llm.nn.ForwardParams;
import org.fewner.llm.nn.FusedLinear;
import org.fewner.llm.nn.LinearLayer;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;
import org.fewner.llm.tensors.TensorFileException;
import org.fewner.llm.tensors.TensorSource;
import org.fewner.llm.tokenizer.ModelTokenizer;

/**
 * A Llama-family decoder LLM (Llama 2/3, Qwen2/2.5, Mistral, SmolLM2) with Hugging Face semantics:
 * {@code x = embed_tokens[ids]}; per layer {@code x += attn(RMSNorm(x)); x += mlp(RMSNorm(x))};
 * {@code logits = lm_head(RMSNorm(x))}. Weights use HF names with or without the {@code model.}
 * prefix; every linear layer is a {@link LinearLayer} named by its HF module name so LoRA adapters
 * can wrap it.
 *
 * <p>Forward passes are batched with left or right padding (position ids come from the attention
 * mask) and can run incrementally on a {@link KvCache}.
 */
public final class DecoderModel implements Backbone {
    private final DecoderConfig config;
    private final ModelTokenizer tokenizer;
    private final Device device;
    private final NDManager manager;

    /** embed_tokens, [V, H]. */
    private final NDArray embed;

    private final List<DecoderLayer> layers;

    /** model.norm. */
    private final RmsNorm finalNorm;

    /** lm_head, [V, H] (its weight is {@link #embed} when tied). */
    private final LinearLayer lmHead;

    private final RotaryEmbedding rope;
    private final Map<String, LinearLayer> linears;

    /**
     * Whether single-token steps of up to {@link #ONE_THREAD_MAX_ROWS} rows switch the calling
     * thread to one intra-op thread (system property {@code fewner.decoder.oneThreadSteps}, default
     * true).
     */
    static final boolean ONE_THREAD_STEPS =
            Boolean.parseBoolean(System.getProperty("fewner.decoder.oneThreadSteps", "true"));

    /** Largest batch of a single-token step that runs on one thread (measured up to 8). */
    static final int ONE_THREAD_MAX_ROWS = 8;

    /** End-of-sequence ids: config.json's eos_token_id plus generation_config.json's. */
    private long[] stopTokenIds;

    private DecoderModel(
            DecoderConfig config,
            ModelTokenizer tokenizer,
            Device device,
            NDManager manager,
            NDArray embed,
            List<DecoderLayer> layers,
            RmsNorm finalNorm,
            LinearLayer lmHead,
            Map<String, LinearLayer> linears) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.device = device;
        this.manager = manager;
        this.embed = embed;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.rope = new RotaryEmbedding(config);
        this.linears = Collections.unmodifiableMap(linears);
        this.stopTokenIds =
                config.eosTokenIds().stream().mapToLong(Integer::longValue).distinct().toArray();
    }

    /** Token ids that end generation (eos_token_id of config.json and generation_config.json). */
    public long[] stopTokenIds() {
        return stopTokenIds.clone();
    }

    /** Reads generation_config.json's eos_token_id (int or list), if the file exists. */
    private static List<Long> generationEos(Path dir) {
        Path f = dir.resolve("generation_config.json");
        List<Long> out = new ArrayList<>();
        if (!Files.isRegularFile(f)) {
            return out;
        }
        JsonNode n = Json.readTree(f).path("eos_token_id");
        if (n.isArray()) {
            for (JsonNode x : n) {
                if (!x.isIntegralNumber()) {
                    throw new ConfigException(f, "eos_token_id must hold integers, found " + x);
                }
                out.add(x.asLong());
            }
        } else if (n.isIntegralNumber()) {
            out.add(n.asLong());
        } else if (!n.isMissingNode() && !n.isNull()) {
            throw new ConfigException(f, "eos_token_id must be an integer or a list, found " + n);
        }
        return out;
    }

    /**
     * Loads a model directory: {@code config.json}, {@code model.safetensors} (or a sharded
     * checkpoint with {@code model.safetensors.index.json}) and, when present, {@code
     * tokenizer.json}.
     *
     * @throws ConfigException for a config that is not a supported decoder
     * @throws TensorFileException for missing or mis-shaped weights (naming the tensor)
     * @throws IllegalArgumentException for a tokenizer whose vocabulary exceeds the embedding rows
     */
    public static DecoderModel load(Path dir, Device device) {
        ModelConfig mc = ModelConfigs.read(dir);
        if (!(mc instanceof DecoderConfig config)) {
            throw new ConfigException(
                    dir.resolve("config.json"),
                    "model_type '"
                            + mc.modelType()
                            + "' is not a decoder LLM (expected llama, qwen2 or mistral)");
        }
        Path tokFile = dir.resolve("tokenizer.json");
        ModelTokenizer tokenizer = null;
        if (Files.isRegularFile(tokFile)) {
            int tokVocab = tokenizerVocabSize(tokFile);
            if (tokVocab > config.vocabSize()) {
                throw new FewNerException(
                        tokFile
                                + ": tokenizer vocabulary has "
                                + tokVocab
                                + " ids but the model's embedding has only "
                                + config.vocabSize()
                                + " rows (vocab_size in "
                                + dir.resolve("config.json")
                                + ")");
            }
            tokenizer = ModelTokenizer.load(tokFile);
        }
        try (TensorSource source = SafeTensors.openModelDirectory(dir)) {
            DecoderModel m = build(config, source, tokenizer, device);
            List<Long> eos = generationEos(dir);
            if (!eos.isEmpty()) {
                m.stopTokenIds =
                        java.util.stream.LongStream.concat(
                                        java.util.Arrays.stream(m.stopTokenIds),
                                        eos.stream().mapToLong(Long::longValue))
                                .distinct()
                                .toArray();
            }
            return m;
        } catch (RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            throw e;
        }
    }

    /** Builds a model from a config and its weights (tokenizer optional). */
    public static DecoderModel build(
            DecoderConfig c, TensorSource source, ModelTokenizer tokenizer, Device device) {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            String prefix = source.contains("model.embed_tokens.weight") ? "model." : "";
            refuseLayersBeyondConfig(c, source, prefix);
            Weights w = new Weights(source, manager, prefix);
            NDArray embed =
                    transposedStorage(w.get("embed_tokens.weight", c.vocabSize(), c.hiddenSize()));
            Map<String, LinearLayer> linears = new LinkedHashMap<>();
            List<DecoderLayer> layers = new ArrayList<>();
            for (int i = 0; i < c.numHiddenLayers(); i++) {
                String p = "layers." + i + ".";
                DecoderAttention attn = new DecoderAttention(c, "model." + p + "self_attn.", i);
                DecoderMlp mlp = new DecoderMlp(c, "model." + p + "mlp.");
                attn.fuse(w.fused(prefix, attn.q, attn.k, attn.v));
                w.linear(attn.o, prefix);
                mlp.fuse(w.fused(prefix, mlp.gate, mlp.up));
                w.linear(mlp.down, prefix);
                for (LinearLayer l :
                        List.of(attn.q, attn.k, attn.v, attn.o, mlp.gate, mlp.up, mlp.down)) {
                    linears.put(l.moduleName(), l);
                }
                layers.add(
                        new DecoderLayer(
                                new RmsNorm(
                                        w.get(p + "input_layernorm.weight", c.hiddenSize()),
                                        c.rmsNormEps()),
                                attn,
                                new RmsNorm(
                                        w.get(
                                                p + "post_attention_layernorm.weight",
                                                c.hiddenSize()),
                                        c.rmsNormEps()),
                                mlp,
                                c.slidingWindow() > 0 && c.slidingLayers().get(i)));
            }
            RmsNorm norm = new RmsNorm(w.get("norm.weight", c.hiddenSize()), c.rmsNormEps());
            LinearLayer head = new LinearLayer("lm_head", c.hiddenSize(), c.vocabSize(), false);
            if (c.tieWordEmbeddings() && !source.contains("lm_head.weight")) {
                head.setWeights(embed, null);
            } else {
                head.setWeights(
                        transposedStorage(w.exact("lm_head.weight", c.vocabSize(), c.hiddenSize())),
                        null);
            }
            linears.put("lm_head", head);
            return new DecoderModel(
                    c, tokenizer, device, manager, embed, layers, norm, head, linears);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * The same [V, H] matrix as a view of a contiguous [H, V] copy (the input is closed): the
     * head's one-row products in a decode step read this layout about twice as fast (MKL GEMV, 11 →
     * 22 GB/s for 49152 × 576 here); the embedding lookup gathers strided rows of it, which costs
     * nothing measurable.
     */
    static NDArray transposedStorage(NDArray w) {
        Shape s = w.getShape();
        NDArray stored;
        try (NDArray t = w.transpose();
                NDArray flat = t.flatten()) { // flatten copies in row-major order
            stored = flat.reshape(s.get(1), s.get(0));
        }
        stored.attach(w.getManager());
        NDArray view = stored.transpose();
        view.attach(w.getManager());
        w.close();
        return view;
    }

    /** Largest token id + 1 in a tokenizer.json (model vocabulary and added tokens). */
    static int tokenizerVocabSize(Path file) {
        {
            JsonNode root = Json.readTree(file);
            int max = -1;
            JsonNode vocab = root.path("model").path("vocab");
            if (vocab.isObject()) {
                for (Iterator<JsonNode> it = vocab.elements(); it.hasNext(); ) {
                    max = Math.max(max, it.next().asInt());
                }
            } else if (vocab.isArray()) {
                max = vocab.size() - 1;
            }
            for (JsonNode t : root.path("added_tokens")) {
                max = Math.max(max, t.path("id").asInt());
            }
            return max + 1;
        }
    }

    @Override
    public DecoderConfig config() {
        return config;
    }

    /** The tokenizer, or an error when the model directory had no tokenizer.json. */
    @Override
    public ModelTokenizer tokenizer() {
        if (tokenizer == null) {
            throw new IllegalStateException(
                    "this decoder model was loaded without a tokenizer.json");
        }
        return tokenizer;
    }

    /** Whether a tokenizer was loaded with the model. */
    public boolean hasTokenizer() {
        return tokenizer != null;
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
        return linears;
    }

    @Override
    public BackboneOutput forward(
            NDManager callManager, long[][] inputIds, long[][] attentionMask, String adapter) {
        Result r = forward(callManager, inputIds, attentionMask, null, adapter, true, false);
        return new BackboneOutput(r.hiddenStates(), r.logits());
    }

    /**
     * What {@link #forward(NDManager, long[][], long[][], KvCache, String, boolean, boolean)}
     * returns.
     *
     * @param hiddenStates L+1 arrays [B, T, H] when requested, else null
     * @param logits [B, T, V], or [B, V] for the last position only
     */
    public record Result(NDList hiddenStates, NDArray logits) {}

    /**
     * A forward pass over new tokens, optionally continuing a KV cache.
     *
     * @param callManager owns the returned arrays
     * @param inputIds [B][T] new token ids
     * @param attentionMask [B][T] 1 real, 0 padding
     * @param cache cache to read and extend (its rows must be B), or null
     * @param adapter LoRA adapter name or null
     * @param keepHidden whether to return every layer's hidden states
     * @param lastOnly logits for the last position only ([B, V]); callers using this pad on the
     *     left
     */
    public Result forward(
            NDManager callManager,
            long[][] inputIds,
            long[][] attentionMask,
            KvCache cache,
            String adapter,
            boolean keepHidden,
            boolean lastOnly) {
        int b = inputIds.length;
        if (b == 0 || attentionMask.length != b) {
            throw new IllegalArgumentException(
                    "input ids and attention mask need the same non-zero batch size");
        }
        int t = inputIds[0].length;
        for (int i = 0; i < b; i++) {
            if (inputIds[i].length != t || attentionMask[i].length != t) {
                throw new IllegalArgumentException(
                        "row "
                                + i
                                + " of the batch has length "
                                + inputIds[i].length
                                + " (mask "
                                + attentionMask[i].length
                                + "), expected "
                                + t
                                + ": pad every row to one length");
            }
            for (long id : inputIds[i]) {
                if (id < 0 || id >= config.vocabSize()) {
                    throw new FewNerException(
                            "token id "
                                    + id
                                    + " is outside the vocabulary (0.."
                                    + (config.vocabSize() - 1)
                                    + ")");
                }
            }
        }
        int past = cache == null ? 0 : cache.length();
        if (cache != null && past > 0 && cache.rows() != b) {
            throw new IllegalArgumentException(
                    "KV cache holds " + cache.rows() + " rows, got a batch of " + b);
        }
        // position ids from the mask: real tokens count 0, 1, 2, … (so left padding works); padding
        // gets 1 (HF)
        long[][] positions = new long[b][t];
        for (int i = 0; i < b; i++) {
            long n = cache == null ? 0 : cache.realCount(i);
            for (int j = 0; j < t; j++) {
                if (attentionMask[i][j] != 0) {
                    positions[i][j] = n++;
                } else {
                    positions[i][j] = 1;
                }
            }
            if (n > config.maxPositionEmbeddings()) {
                throw new IllegalArgumentException(
                        "sequence of "
                                + n
                                + " tokens is longer than the model's"
                                + " max_position_embeddings "
                                + config.maxPositionEmbeddings());
            }
        }
        long[][] fullMask;
        if (cache != null) {
            cache.appendMask(attentionMask);
            fullMask = cache.mask();
        } else {
            fullMask = attentionMask;
        }
        // A single-token step of at most 8 rows (decoding, beams) runs on one intra-op thread: its
        // skinny GEMMs do not
        // get faster with a second thread, while every parallel region must wake it (futex;
        // OMP_WAIT_POLICY=PASSIVE):
        // one thread took 0.82x (B=1), 0.72x (B=2), 0.81x (B=4), 0.89x (B=8) the time of two here,
        // a 64-token prefill
        // 1.02x (llm/docs/decoder.md). The count is the calling thread's (libtorch's OpenMP and MKL
        // settings are per
        // thread) and is restored afterwards.
        int threads =
                t == 1
                                && b <= ONE_THREAD_MAX_ROWS
                                && ONE_THREAD_STEPS
                                && "cpu".equals(device.getDeviceType())
                        ? JniUtils.getNumThreads()
                        : 1;
        if (threads > 1) {
            JniUtils.setNumThreads(1);
        }
        try {
            NDManager mm = callManager;
            ParameterStore ps = new ParameterStore(mm, false);
            PairList<String, Object> params = ForwardParams.withAdapter(adapter);
            if (cache != null) {
                params.add(KvCache.PARAM, cache);
            }
            NDArray[] cs = rope.tables(mm, positions);
            NDArray mask = additiveMask(mm, fullMask, past, t, 0);
            NDArray slidingMask =
                    config.slidingWindow() > 0
                            ? additiveMask(mm, fullMask, past, t, config.slidingWindow())
                            : null;

            long[] flat = new long[b * t];
            for (int i = 0; i < b; i++) {
                System.arraycopy(inputIds[i], 0, flat, i * t, t);
            }
            NDArray x = embed.get(mm.create(flat)).reshape(b, t, config.hiddenSize());
            x.attach(mm);
            NDList hidden = keepHidden ? new NDList(x) : null;
            for (DecoderLayer layer : layers) {
                // each block's intermediates live in a sub-manager closed right after it: memory
                // holds one block's
                // activations, not all of them (ops put their results in the manager of the array
                // they are called on)
                try (NDManager lm = mm.newSubManager()) {
                    if (keepHidden) {
                        x.tempAttach(lm);
                    } else {
                        x.attach(lm);
                    }
                    NDArray layerMask = layer.sliding ? slidingMask : mask;
                    NDList in =
                            layerMask == null
                                    ? new NDList(x, cs[0], cs[1])
                                    : new NDList(x, cs[0], cs[1], layerMask);
                    NDArray y = layer.forward(ps, in, false, params).singletonOrThrow();
                    y.attach(mm);
                    x = y;
                }
                if (keepHidden) {
                    hidden.add(x);
                }
            }
            NDArray last = lastOnly ? x.get(":, -1, :") : x;
            NDArray logits =
                    lmHead.forward(ps, new NDList(finalNorm.apply(ps, last)), false, params)
                            .singletonOrThrow();
            return new Result(hidden, logits);
        } finally {
            if (threads > 1) {
                JniUtils.setNumThreads(threads);
            }
        }
    }

    /**
     * The input embeddings of token ids (a gather of {@code embed_tokens}, no gradient to the
     * table): what {@link #forwardEmbeddings} starts from, so a trainer can perturb them (FGM/PGD).
     *
     * @param inputIds [B][T]
     * @return [B, T, H] in {@code mm}
     */
    public NDArray embedTokens(NDManager mm, long[][] inputIds) {
        int b = inputIds.length;
        int t = inputIds[0].length;
        long[] flat = new long[b * t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(inputIds[i], 0, flat, i * t, t);
        }
        NDArray x = embed.get(mm.create(flat)).reshape(b, t, config.hiddenSize());
        x.attach(mm);
        return x;
    }

    /**
     * A training forward pass from input embeddings, without a KV cache, keeping every intermediate
     * in {@code mm} (autograd needs them): right padding, position ids from the mask.
     *
     * @param inputEmbeds [B, T, H] (e.g. {@link #embedTokens} plus a perturbation)
     * @param attentionMask [B][T] 1 real, 0 padding
     * @param adapter LoRA adapter name or null
     * @return L+1 hidden states [B, T, H] (index 0: the input embeddings) and, last, the final
     *     RMS-normed states [B, T, H] that {@link #lmHeadLogits} turns into logits
     */
    public NDList forwardEmbeddings(
            NDManager mm, NDArray inputEmbeds, long[][] attentionMask, String adapter) {
        int b = attentionMask.length;
        int t = attentionMask[0].length;
        long[][] positions = new long[b][t];
        for (int i = 0; i < b; i++) {
            long n = 0;
            for (int j = 0; j < t; j++) {
                positions[i][j] = attentionMask[i][j] != 0 ? n++ : 1;
            }
        }
        ParameterStore ps = new ParameterStore(mm, false);
        PairList<String, Object> params = ForwardParams.withAdapter(adapter);
        NDArray[] cs = rope.tables(mm, positions);
        NDArray mask = additiveMask(mm, attentionMask, 0, t, 0);
        NDArray slidingMask =
                config.slidingWindow() > 0
                        ? additiveMask(mm, attentionMask, 0, t, config.slidingWindow())
                        : null;
        NDList out = new NDList(inputEmbeds);
        NDArray x = inputEmbeds;
        for (DecoderLayer layer : layers) {
            NDArray layerMask = layer.sliding ? slidingMask : mask;
            NDList in =
                    layerMask == null
                            ? new NDList(x, cs[0], cs[1])
                            : new NDList(x, cs[0], cs[1], layerMask);
            x = layer.forward(ps, in, false, params).singletonOrThrow();
            out.add(x);
        }
        out.add(finalNorm.apply(ps, x));
        return out;
    }

    /**
     * The output layer on final-normed states (adapter's LoRA included when it targets {@code
     * lm_head}).
     *
     * @param normed [..., H]
     * @return logits [..., V]
     */
    public NDArray lmHeadLogits(NDManager mm, NDArray normed, String adapter) {
        ParameterStore ps = new ParameterStore(mm, false);
        return lmHead.forward(ps, new NDList(normed), false, ForwardParams.withAdapter(adapter))
                .singletonOrThrow();
    }

    /**
     * Additive attention mask: 0 where query t (at cache index past + t) may read key s, else a
     * large negative. A key is readable when it is a real token, not in the future and, with a
     * window w &gt; 0, when {@code (past + t) − s < w}.
     *
     * @return [B, 1, 1, T, S], or null when every query may read every key (one new token, no
     *     padding, no window reached): the attention then skips the mask op
     */
    static NDArray additiveMask(NDManager mm, long[][] fullMask, int past, int t, int window) {
        int b = fullMask.length;
        int s = fullMask[0].length;
        boolean none = true;
        float[] m = new float[b * t * s];
        for (int i = 0; i < b; i++) {
            for (int q = 0; q < t; q++) {
                int qi = past + q;
                int base = (i * t + q) * s;
                for (int k = 0; k < s; k++) {
                    boolean ok = fullMask[i][k] != 0 && k <= qi && (window <= 0 || qi - k < window);
                    m[base + k] = ok ? 0f : -1e30f;
                    none &= ok;
                }
            }
        }
        return none ? null : mm.create(m, new Shape(b, 1, 1, t, s));
    }

    /**
     * Refuses tensors of layers that config.json does not have ({@code num_hidden_layers} smaller
     * than the checkpoint): they would be silently ignored, and the model would compute something
     * else than the one that was saved.
     */
    private static void refuseLayersBeyondConfig(
            DecoderConfig c, TensorSource source, String prefix) {
        java.util.regex.Pattern layer =
                java.util.regex.Pattern.compile(
                        java.util.regex.Pattern.quote(prefix) + "layers\\.(\\d{1,9})\\..*");
        List<String> extra = new ArrayList<>();
        for (String name : source.names()) {
            java.util.regex.Matcher m = layer.matcher(name);
            if (m.matches() && Integer.parseInt(m.group(1)) >= c.numHiddenLayers()) {
                extra.add(name);
            }
        }
        if (!extra.isEmpty()) {
            throw new TensorFileException(
                    source.path(),
                    "tensor "
                            + org.fewner.common.FewNerException.quote(extra.get(0))
                            + " belongs to a layer beyond num_hidden_layers="
                            + c.numHiddenLayers()
                            + " of config.json ("
                            + extra.size()
                            + " such tensors)");
        }
    }

    @Override
    public void close() {
        manager.close();
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    /**
     * Weight lookup with the optional {@code model.} prefix and shape checks that name the tensor.
     */
    private static final class Weights {
        private final TensorSource source;
        private final NDManager manager;
        private final String prefix;

        Weights(TensorSource source, NDManager manager, String prefix) {
            this.source = source;
            this.manager = manager;
            this.prefix = prefix;
        }

        NDArray get(String name, long... shape) {
            return exact(prefix + name, shape);
        }

        NDArray exact(String full, long... shape) {
            if (!source.contains(full)) {
                throw new TensorFileException(source.path(), "weight '" + full + "' is missing");
            }
            HostTensor h = source.weight(full);
            if (!java.util.Arrays.equals(h.shape(), shape)) {
                throw new TensorFileException(
                        source.path(),
                        "weight '"
                                + full
                                + "' has shape "
                                + java.util.Arrays.toString(h.shape())
                                + ", expected "
                                + java.util.Arrays.toString(shape));
            }
            return h.toNDArray(manager);
        }

        /** Reads the parts' weights and fuses them (each part gets a view of the fused matrix). */
        FusedLinear fused(String prefix, LinearLayer... parts) {
            NDArray[] ws = new NDArray[parts.length];
            NDArray[] bs = new NDArray[parts.length];
            for (int i = 0; i < parts.length; i++) {
                String base = prefix + parts[i].moduleName().substring("model.".length());
                ws[i] = exact(base + ".weight", parts[i].outFeatures(), parts[i].inFeatures());
                bs[i] =
                        parts[i].bias() == null
                                ? null
                                : exact(base + ".bias", parts[i].outFeatures());
            }
            return new FusedLinear(parts, ws, bs);
        }

        void linear(LinearLayer l, String prefix) {
            String base = prefix + l.moduleName().substring("model.".length());
            NDArray w = exact(base + ".weight", l.outFeatures(), l.inFeatures());
            NDArray bias = l.bias() == null ? null : exact(base + ".bias", l.outFeatures());
            l.setWeights(w, bias);
        }
    }
}
