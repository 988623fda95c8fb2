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
import org.fewner.llm.nn.ForwardParams;
import org.fewner.llm.nn.FusedLinear;
import org.fewner.llm.nn.LinearLayer;

/**
 * BERT's attention sub-layer with its residual and post-LayerNorm (HF {@code BertAttention} =
 * {@code BertSelfAttention} + {@code BertSelfOutput}): {@code LayerNorm(x + dense(softmax(Q Kᵀ/√d +
 * mask) V))} with {@code Q, K, V = query(x), key(x), value(x)}.
 *
 * <p>The three projections run as one matmul through a {@link FusedLinear} built at load time
 * ({@link #fuseQkv}), the same mechanism as the decoders': the query, key and value layers hold row
 * views of the fused weight (no second copy), a selected adapter's LoRA branches are added to the
 * fused product, and only a merged adapter or a replaced weight sends the call through the three
 * layers one by one.
 *
 * <p>Shapes: x [B, T, H] and the additive key mask [B, 1, 1, T] in, [B, T, H] out.
 */
public final class BertAttention extends AbstractBlock {
    /** Hidden size H. */
    private final int hidden;

    /** Attention heads. */
    private final int heads;

    /** Head dimension d = H / heads. */
    private final int headDim;

    /** LayerNorm epsilon. */
    private final float eps;

    /** {@code attention.self.query}, H → H. */
    final LinearLayer query;

    /** {@code attention.self.key}, H → H. */
    final LinearLayer key;

    /** {@code attention.self.value}, H → H. */
    final LinearLayer value;

    /** {@code attention.output.dense}, H → H. */
    final LinearLayer dense;

    /** {@code attention.output.LayerNorm.weight}, [H]. */
    final Parameter normWeight;

    /** {@code attention.output.LayerNorm.bias}, [H]. */
    final Parameter normBias;

    /** The attention scale 1/√d. */
    private final float scale;

    /**
     * query, key and value as one matmul ([B·T, H] → [B·T, 3H]), or null before {@link #fuseQkv}.
     */
    private volatile FusedLinear qkv;

    /**
     * @param prefix HF module path of this layer, e.g. {@code bert.encoder.layer.0.}
     */
    public BertAttention(String prefix, int hidden, int heads, double eps) {
        super((byte) 1);
        this.hidden = hidden;
        this.heads = heads;
        this.headDim = hidden / heads;
        this.eps = (float) eps;
        this.scale = (float) (1 / Math.sqrt(headDim));
        query =
                addChildBlock(
                        "query",
                        new LinearLayer(prefix + "attention.self.query", hidden, hidden, true));
        key =
                addChildBlock(
                        "key",
                        new LinearLayer(prefix + "attention.self.key", hidden, hidden, true));
        value =
                addChildBlock(
                        "value",
                        new LinearLayer(prefix + "attention.self.value", hidden, hidden, true));
        dense =
                addChildBlock(
                        "dense",
                        new LinearLayer(prefix + "attention.output.dense", hidden, hidden, true));
        normWeight = addParameter(BertEmbeddings.param("LayerNorm.weight", Parameter.Type.GAMMA));
        normBias = addParameter(BertEmbeddings.param("LayerNorm.bias", Parameter.Type.BETA));
    }

    /**
     * Takes the fused query/key/value projection (built at load time from the three weights, which
     * the layers then hold as views of the fused matrix).
     */
    void fuseQkv(FusedLinear fused) {
        qkv = fused;
    }

    /**
     * @param inputs x [B, T, H] and the additive key mask [B, 1, 1, T] (0 for real tokens, a large
     *     negative value for padding), or only x when nothing is padded
     * @return [B, T, H]
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray maskBias = inputs.size() > 1 ? inputs.get(1) : null;
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        NDArray x2 =
                x.reshape(
                        b * t, hidden); // 2-D, so that libtorch's linear is one addmm (bias fused)
        NDArray ctx;
        try (NDScope scope =
                new NDScope()) { // frees q, k, v, scores and probabilities as soon as ctx exists
            scope.suppressNotUsedWarning();
            ctx = context(ps, x2, maskBias, b, t, training, params);
            NDScope.unregister(ctx);
        }
        NDScope.register(ctx); // back into the caller's scope
        NDArray out =
                dense.forward(ps, new NDList(ctx), training, params).singletonOrThrow().addi(x2);
        var dev = x.getDevice();
        return new NDList(
                LayerNorm.layerNorm(
                                out,
                                new Shape(hidden),
                                ps.getValue(normWeight, dev, training),
                                ps.getValue(normBias, dev, training),
                                eps)
                        .singletonOrThrow()
                        .reshape(b, t, hidden));
    }

    /** {@code softmax(Q Kᵀ/√d + mask) V} with heads merged back: x2 [B·T, H] → [B·T, H]. */
    private NDArray context(
            ParameterStore ps,
            NDArray x2,
            NDArray maskBias,
            long b,
            long t,
            boolean training,
            PairList<String, Object> params) {
        NDArray q;
        NDArray k;
        NDArray v;
        String adapter = ForwardParams.adapterOf(params);
        FusedLinear fused = qkv;
        if (fused != null && fused.usable(adapter)) {
            // one matmul, plus the adapter's LoRA branches: 3 × [B·T, H]
            NDList parts = fused.forward(x2, adapter, training).split(fused.splits(), 1);
            q = parts.get(0);
            k = parts.get(1);
            v = parts.get(2);
        } else {
            q = query.forward(ps, new NDList(x2), training, params).singletonOrThrow();
            k = key.forward(ps, new NDList(x2), training, params).singletonOrThrow();
            v = value.forward(ps, new NDList(x2), training, params).singletonOrThrow();
        }
        Shape heads4 = new Shape(b, t, heads, headDim);
        q = q.reshape(heads4).transpose(0, 2, 1, 3); // [B, nh, T, d]
        NDArray kT = k.reshape(heads4).transpose(0, 2, 3, 1); // [B, nh, d, T]
        v = v.reshape(heads4).transpose(0, 2, 1, 3); // [B, nh, T, d]
        NDArray scores = q.matMul(kT).muli(scale); // [B, nh, T, T], scaled as HF does
        if (maskBias != null) {
            scores.addi(maskBias);
        }
        return scores.softmax(-1)
                .matMul(v) // [B, nh, T, d]
                .transpose(0, 2, 1, 3)
                .reshape(b * t, hidden); // [B·T, H]
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
