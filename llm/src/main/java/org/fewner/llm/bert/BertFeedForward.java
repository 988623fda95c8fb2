package org.fewner.llm.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.fewner.llm.nn.LinearLayer;

/**
 * BERT's feed-forward sub-layer with residual and post-LayerNorm (HF {@code BertIntermediate} +
 * {@code BertOutput}): {@code LayerNorm(x + output.dense(act(intermediate.dense(x))))}.
 */
public final class BertFeedForward extends AbstractBlock {
    /** Hidden size H. */
    private final int hidden;

    /** {@code hidden_act}. */
    private final String act;

    /** LayerNorm epsilon. */
    private final float eps;

    /** {@code intermediate.dense}, H → I. */
    final LinearLayer intermediate;

    /** {@code output.dense}, I → H. */
    final LinearLayer output;

    /** {@code output.LayerNorm.weight}, [H]. */
    final Parameter normWeight;

    /** {@code output.LayerNorm.bias}, [H]. */
    final Parameter normBias;

    public BertFeedForward(
            String prefix, int hidden, int intermediateSize, String act, double eps) {
        super((byte) 1);
        this.hidden = hidden;
        this.act = act;
        this.eps = (float) eps;
        intermediate =
                addChildBlock(
                        "intermediate",
                        new LinearLayer(
                                prefix + "intermediate.dense", hidden, intermediateSize, true));
        output =
                addChildBlock(
                        "output",
                        new LinearLayer(prefix + "output.dense", intermediateSize, hidden, true));
        normWeight = addParameter(BertEmbeddings.param("LayerNorm.weight", Parameter.Type.GAMMA));
        normBias = addParameter(BertEmbeddings.param("LayerNorm.bias", Parameter.Type.BETA));
    }

    /**
     * @param inputs x [B, T, H]
     * @return [B, T, H]
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape shape = x.getShape();
        NDArray x2 = x.reshape(-1, hidden); // [B·T, H]: 2-D input makes libtorch's linear one addmm
        NDArray out;
        try (NDScope scope =
                new NDScope()) { // frees the [B·T, I] arrays as soon as the output exists
            scope.suppressNotUsedWarning();
            NDArray h =
                    intermediate
                            .forward(ps, new NDList(x2), training, params)
                            .singletonOrThrow(); // [B·T, I]
            h = BertActivation.apply(act, h);
            out =
                    output.forward(ps, new NDList(h), training, params)
                            .singletonOrThrow()
                            .addi(x2); // [B·T, H]
            NDScope.unregister(out);
        }
        NDScope.register(out); // back into the caller's scope
        var dev = x.getDevice();
        return new NDList(
                LayerNorm.layerNorm(
                                out,
                                new Shape(hidden),
                                ps.getValue(normWeight, dev, training),
                                ps.getValue(normBias, dev, training),
                                eps)
                        .singletonOrThrow()
                        .reshape(shape));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
