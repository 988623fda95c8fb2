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
 * The masked-LM head (HF {@code BertOnlyMLMHead}): {@code
 * decoder(LayerNorm(act(transform.dense(x))))}, where the decoder's weight is the word-embedding
 * matrix (tied) and its bias {@code cls.predictions.bias}.
 */
public final class BertMlmHead extends AbstractBlock {
    /** Hidden size H. */
    private final int hidden;

    /** {@code hidden_act}. */
    private final String act;

    /** LayerNorm epsilon. */
    private final float eps;

    /** {@code cls.predictions.transform.dense}, H → H. */
    final LinearLayer transform;

    /** {@code cls.predictions.transform.LayerNorm.weight}, [H]. */
    final Parameter normWeight;

    /** {@code cls.predictions.transform.LayerNorm.bias}, [H]. */
    final Parameter normBias;

    /** {@code cls.predictions.decoder}, H → V (weight tied to the word embeddings). */
    final LinearLayer decoder;

    public BertMlmHead(int hidden, int vocab, String act, double eps) {
        super((byte) 1);
        this.hidden = hidden;
        this.act = act;
        this.eps = (float) eps;
        transform =
                addChildBlock(
                        "transform",
                        new LinearLayer("cls.predictions.transform.dense", hidden, hidden, true));
        normWeight = addParameter(BertEmbeddings.param("LayerNorm.weight", Parameter.Type.GAMMA));
        normBias = addParameter(BertEmbeddings.param("LayerNorm.bias", Parameter.Type.BETA));
        decoder =
                addChildBlock(
                        "decoder", new LinearLayer("cls.predictions.decoder", hidden, vocab, true));
    }

    /**
     * @param inputs the last hidden state [B, T, H]
     * @return logits [B, T, V]
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray x = inputs.singletonOrThrow();
            Shape shape = x.getShape();
            NDArray x2 =
                    x.reshape(-1, hidden); // [B·T, H]: 2-D input makes libtorch's linear one addmm
            NDArray h =
                    BertActivation.apply(
                            act,
                            transform
                                    .forward(ps, new NDList(x2), training, params)
                                    .singletonOrThrow());
            var dev = x.getDevice();
            h =
                    LayerNorm.layerNorm(
                                    h,
                                    new Shape(hidden),
                                    ps.getValue(normWeight, dev, training),
                                    ps.getValue(normBias, dev, training),
                                    eps)
                            .singletonOrThrow();
            NDArray logits =
                    decoder.forward(ps, new NDList(h), training, params)
                            .singletonOrThrow()
                            .reshape(shape.get(0), shape.get(1), decoder.outFeatures());
            NDScope.unregister(logits);
            return new NDList(logits);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].slice(0, 2).add(decoder.outFeatures())};
    }
}
