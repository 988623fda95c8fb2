package org.fewner.llm.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.fewner.llm.config.DecoderConfig;
import org.fewner.llm.nn.ForwardParams;
import org.fewner.llm.nn.FusedLinear;
import org.fewner.llm.nn.LinearLayer;

/**
 * Causal grouped-query self-attention with rotary embeddings (Llama / Qwen2 / Mistral): {@code
 * o_proj(softmax(q kᵀ / √d + mask) v)}; query head j reads key/value head ⌊j / (heads / kvHeads)⌋.
 */
final class DecoderAttention extends AbstractBlock {
    /** q_proj [heads·d, H], k_proj / v_proj [kvHeads·d, H], o_proj [H, heads·d]. */
    final LinearLayer q;

    final LinearLayer k;
    final LinearLayer v;
    final LinearLayer o;

    /** Query heads, key/value heads, head dimension. */
    private final int heads;

    private final int kvHeads;
    private final int headDim;

    /** Layer index (for the KV cache). */
    private final int layer;

    /** q/k/v as one matmul when no adapter touches them. */
    private FusedLinear qkv;

    DecoderAttention(DecoderConfig c, String prefix, int layer) {
        super((byte) 1);
        this.heads = c.numAttentionHeads();
        this.kvHeads = c.numKeyValueHeads();
        this.headDim = c.headDim();
        this.layer = layer;
        int h = c.hiddenSize();
        q =
                addChildBlock(
                        "q_proj",
                        new LinearLayer(prefix + "q_proj", h, heads * headDim, c.attentionBias()));
        k =
                addChildBlock(
                        "k_proj",
                        new LinearLayer(
                                prefix + "k_proj", h, kvHeads * headDim, c.attentionBias()));
        v =
                addChildBlock(
                        "v_proj",
                        new LinearLayer(
                                prefix + "v_proj", h, kvHeads * headDim, c.attentionBias()));
        o =
                addChildBlock(
                        "o_proj",
                        new LinearLayer(prefix + "o_proj", heads * headDim, h, c.outputBias()));
    }

    void fuse(FusedLinear f) {
        this.qkv = f;
    }

    /**
     * @param inputs {@code x} [B, T, H] normalised input, {@code cos} and {@code sin} [B, 1, T, d],
     *     {@code mask} [B, 1, 1, T, S] additive (0 or a large negative; absent when nothing is
     *     masked), S = cached + T
     * @param params the adapter ({@link ForwardParams#ADAPTER}) and the KV cache to read and extend
     *     ({@link KvCache#PARAM}; absent: S = T)
     * @return [B, T, H]
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray cos = inputs.get(1);
        NDArray sin = inputs.get(2);
        NDArray mask = inputs.size() > 3 ? inputs.get(3) : null;
        KvCache cache = KvCache.of(params);
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        NDArray qh;
        NDArray kh;
        NDArray vh;
        if (qkv != null && qkv.usable(ForwardParams.adapterOf(params))) {
            // one matmul, one rotary pass over the q and k heads together: [B, heads + 2 kvHeads,
            // T, d]
            NDArray all =
                    qkv.forward(x, ForwardParams.adapterOf(params), training)
                            .reshape(b, t, heads + 2L * kvHeads, headDim)
                            .transpose(0, 2, 1, 3);
            NDList qkAndV = all.split(new long[] {heads + kvHeads}, 1);
            NDList qk = RotaryEmbedding.apply(qkAndV.get(0), cos, sin).split(new long[] {heads}, 1);
            qh = qk.get(0);
            kh = qk.get(1);
            vh = qkAndV.get(1);
        } else {
            qh = linear(ps, q, x, params).reshape(b, t, heads, headDim).transpose(0, 2, 1, 3);
            kh = linear(ps, k, x, params).reshape(b, t, kvHeads, headDim).transpose(0, 2, 1, 3);
            vh = linear(ps, v, x, params).reshape(b, t, kvHeads, headDim).transpose(0, 2, 1, 3);
            qh = RotaryEmbedding.apply(qh, cos, sin);
            kh = RotaryEmbedding.apply(kh, cos, sin);
        }
        if (cache != null) {
            NDArray[] kv = cache.append(layer, kh, vh);
            kh = kv[0];
            vh = kv[1];
        }
        long s = kh.getShape().get(2);
        int group = heads / kvHeads;
        // query head j = kvHead·group + g reads kv head ⌊j / group⌋: with the group folded into the
        // query rows,
        // [B, kvHeads, group·T, d] x [B, kvHeads, d, S] is a plain batched matmul (a broadcast over
        // a group axis of
        // K/V made libtorch's matmul copy K and V group times: 30% of a B=8 decode step)
        NDArray q4 = qh.reshape(b, kvHeads, group * t, headDim);
        boolean grad = Autograd.recording(); // no in-place op under autograd
        NDArray raw = q4.matMul(kh.transpose(0, 1, 3, 2));
        float scale = (float) (1.0 / Math.sqrt(headDim));
        // under autograd the scale is an array that lives as long as the call's manager (see
        // LinearLayer#loraDelta: a temporary scalar operand would be freed before backward)
        NDArray scores = grad ? raw.mul(raw.getManager().create(scale)) : raw.muli(scale);
        NDArray probs;
        if (mask == null) {
            probs = scores.softmax(-1);
        } else {
            NDArray r = scores.reshape(b, kvHeads, group, t, s);
            probs =
                    (grad ? r.add(mask) : r.addi(mask))
                            .softmax(-1)
                            .reshape(b, kvHeads, group * t, s);
        }
        NDArray out = probs.matMul(vh); // [B, kvHeads, group·T, d]
        out =
                out.reshape(b, heads, t, headDim)
                        .transpose(0, 2, 1, 3)
                        .reshape(b, t, (long) heads * headDim);
        return new NDList(linear(ps, o, out, params));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    static NDArray linear(
            ParameterStore ps, LinearLayer layer, NDArray x, PairList<String, Object> params) {
        return layer.forward(ps, new NDList(x), false, params).singletonOrThrow();
    }
}
