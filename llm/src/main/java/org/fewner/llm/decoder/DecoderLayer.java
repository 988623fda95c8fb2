package org.fewner.llm.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** One pre-norm decoder block: {@code x += attn(norm1(x)); x += mlp(norm2(x))}. */
final class DecoderLayer extends AbstractBlock {
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

    DecoderLayer(
            RmsNorm inputNorm,
            DecoderAttention attention,
            RmsNorm postNorm,
            DecoderMlp mlp,
            boolean sliding) {
        super((byte) 1);
        this.inputNorm = addChildBlock("input_layernorm", inputNorm);
        this.attention = addChildBlock("self_attn", attention);
        this.postNorm = addChildBlock("post_attention_layernorm", postNorm);
        this.mlp = addChildBlock("mlp", mlp);
        this.sliding = sliding;
    }

    /**
     * @param inputs {@code x} [B, T, H], {@code cos}/{@code sin} [B, 1, T, d], {@code mask} [B, 1,
     *     1, T, S] additive (the sliding-window one for a sliding layer; absent when nothing is
     *     masked)
     * @param params adapter and KV cache, passed on to the attention and every linear layer
     * @return [B, T, H]
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDList attnIn = new NDList(inputNorm.apply(ps, x), inputs.get(1), inputs.get(2));
        if (inputs.size() > 3) {
            attnIn.add(inputs.get(3));
        }
        NDArray h = x.add(attention.forward(ps, attnIn, training, params).singletonOrThrow());
        NDArray m =
                mlp.forward(ps, new NDList(postNorm.apply(ps, h)), training, params)
                        .singletonOrThrow();
        // in place only without autograd: the norm's backward still needs h
        return new NDList(Autograd.recording() ? h.add(m) : h.addi(m));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
