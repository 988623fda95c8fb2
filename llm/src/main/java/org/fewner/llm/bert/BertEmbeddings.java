package org.fewner.llm.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * BERT's embedding layer: {@code LayerNorm(word[ids] + position[pos] + token_type[tt])} (HF {@code
 * BertEmbeddings}; dropout is off at inference).
 */
public final class BertEmbeddings extends AbstractBlock {
    /** Hidden size H. */
    private final int hidden;

    /** LayerNorm epsilon ({@code layer_norm_eps}). */
    private final float eps;

    /** {@code word_embeddings.weight}, [V, H]. */
    final Parameter word;

    /** {@code position_embeddings.weight}, [P, H]. */
    final Parameter position;

    /** {@code token_type_embeddings.weight}, [TV, H]. */
    final Parameter tokenType;

    /** {@code LayerNorm.weight}, [H]. */
    final Parameter normWeight;

    /** {@code LayerNorm.bias}, [H]. */
    final Parameter normBias;

    public BertEmbeddings(int hidden, double eps) {
        super((byte) 1);
        this.hidden = hidden;
        this.eps = (float) eps;
        word = addParameter(param("word_embeddings.weight", Parameter.Type.WEIGHT));
        position = addParameter(param("position_embeddings.weight", Parameter.Type.WEIGHT));
        tokenType = addParameter(param("token_type_embeddings.weight", Parameter.Type.WEIGHT));
        normWeight = addParameter(param("LayerNorm.weight", Parameter.Type.GAMMA));
        normBias = addParameter(param("LayerNorm.bias", Parameter.Type.BETA));
    }

    static Parameter param(String name, Parameter.Type type) {
        return Parameter.builder().setName(name).setType(type).optRequiresGrad(false).build();
    }

    /**
     * @param inputs ids [B, T], positions [B, T], token types [B, T] (all int64)
     * @return the embedding output [B, T, H] ({@code hidden.0})
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        var dev = ids.getDevice();
        NDArray x = lookup(ids, ps.getValue(word, dev, training));
        x.addi(lookup(inputs.get(1), ps.getValue(position, dev, training)));
        x.addi(lookup(inputs.get(2), ps.getValue(tokenType, dev, training)));
        return LayerNorm.layerNorm(
                x,
                new Shape(hidden),
                ps.getValue(normWeight, dev, training),
                ps.getValue(normBias, dev, training),
                eps);
    }

    /**
     * {@code table[ids]}: ids [B, T], table [N, H] → [B, T, H] (one libtorch {@code embedding}
     * call).
     */
    private static NDArray lookup(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal()
                .embedding(ids, table, SparseFormat.DENSE)
                .singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(hidden)};
    }
}
