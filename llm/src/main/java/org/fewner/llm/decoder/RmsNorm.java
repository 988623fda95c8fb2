package org.fewner.llm.decoder;

import ai.djl.ndarray.NDArray;

/** RMSNorm: {@code w · x / √(mean(x²) + eps)} over the last axis (no mean subtraction, no bias). */
final class RmsNorm {
    /** Weight, [H]. */
    private final NDArray weight;
    /** Epsilon inside the square root ({@code rms_norm_eps}). */
    private final float eps;

    RmsNorm(NDArray weight, double eps) {
        this.weight = weight;
        this.eps = (float) eps;
    }

    /**
     * @param x [..., H]
     * @return [..., H]
     */
    NDArray forward(NDArray x) {
        NDArray ms = x.square().mean(new int[] {-1}, true);
        return x.div(ms.addi(eps).sqrt()).muli(weight);
    }
}
