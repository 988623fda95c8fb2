package org.fewner.llm.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** One post-LN transformer encoder block (HF {@code BertLayer}): attention sub-layer, then feed-forward sub-layer. */
public final class BertLayer extends AbstractBlock {
    /** Self-attention + dense + LayerNorm. */
    final BertAttention attention;
    /** intermediate + act + output + LayerNorm. */
    final BertFeedForward feedForward;

    /** @param prefix e.g. {@code bert.encoder.layer.3.} */
    public BertLayer(String prefix, int hidden, int heads, int intermediateSize, String act, double eps) {
        super((byte) 1);
        attention = addChildBlock("attention", new BertAttention(prefix, hidden, heads, eps));
        feedForward = addChildBlock("feedForward", new BertFeedForward(prefix, hidden, intermediateSize, act, eps));
    }

    /**
     * Intermediate arrays are freed when the block returns (an {@link NDScope}); only the output stays.
     *
     * @param inputs x [B, T, H] and the additive key mask [B, 1, 1, T]
     * @return [B, T, H]
     */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray a = attention.forward(ps, inputs, training, params).singletonOrThrow();
            NDList out = feedForward.forward(ps, new NDList(a), training, params);
            NDScope.unregister(out);
            return out;
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
