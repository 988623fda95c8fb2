package org.fewner.llm.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** RMSNorm: {@code w · x / √(mean(x²) + eps)} over the last axis (no mean subtraction, no bias). */
final class RmsNorm extends AbstractBlock {
    /** Weight, [H]. */
    private final Parameter weight;

    /** Epsilon inside the square root ({@code rms_norm_eps}). */
    private final float eps;

    RmsNorm(NDArray weight, double eps) {
        super((byte) 1);
        this.weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.GAMMA)
                                .build());
        this.weight.setArray(weight);
        this.eps = (float) eps;
    }

    /**
     * @param inputs {@code x} [..., H]
     * @return [..., H]
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray ms = x.square().mean(new int[] {-1}, true);
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        if (Autograd.recording()) { // no in-place op under autograd
            return new NDList(x.div(ms.add(eps).sqrt()).mul(w));
        }
        return new NDList(x.div(ms.addi(eps).sqrt()).muli(w));
    }

    /** Shortcut for {@link #forward(ParameterStore, NDList, boolean, PairList)} on one array. */
    NDArray apply(ParameterStore ps, NDArray x) {
        return forward(ps, new NDList(x), false, null).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
