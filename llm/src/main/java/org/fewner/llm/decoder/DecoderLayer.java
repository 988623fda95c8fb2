package org.fewner.llm.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** One pre-norm decoder block: {@code x += attn(norm1(x)); x += mlp(norm2(x))}. */
final class DecoderLayer {
    /** input_layernorm. */
    final RmsNorm inputNorm;
    /** self_attn. */
    final DecoderAttention attention;
    /** post_attention_layernorm. */
    final RmsNorm postNorm;
    /** mlp. */
    final DecoderMlp mlp;
    /** Whether this layer uses the sliding-window mask. */
    final boolean sliding;

    DecoderLayer(RmsNorm inputNorm, DecoderAttention attention, RmsNorm postNorm, DecoderMlp mlp, boolean sliding) {
        this.inputNorm = inputNorm;
        this.attention = attention;
        this.postNorm = postNorm;
        this.mlp = mlp;
        this.sliding = sliding;
    }

    /**
     * @param x    [B, T, H]
     * @param mask [B, 1, 1, T, S] additive
     * @return [B, T, H]
     */
    NDArray forward(ParameterStore ps, NDArray x, NDArray cos, NDArray sin, NDArray mask, KvCache cache,
                    PairList<String, Object> params) {
        NDArray h = x.add(attention.forward(ps, inputNorm.forward(x), cos, sin, mask, cache, params));
        return h.addi(mlp.forward(ps, postNorm.forward(h), params));
    }
}
