package org.fewner.llm.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.fewner.llm.config.DecoderConfig;

/**
 * Rotary position embeddings as Hugging Face applies them: non-interleaved ({@code rotate_half}:
 * dimension i is paired with i + d/2), {@code cos/sin = cat(freqs, freqs)}, inverse frequencies
 * from {@code rope_theta} and {@code rope_scaling} (see {@link
 * org.fewner.llm.config.RopeScaling#inverseFrequencies}). Angles are computed in double precision
 * in Java and rounded once to float.
 */
final class RotaryEmbedding {
    /** Inverse frequencies, [d/2]. */
    private final double[] invFreq;

    /** Head dimension d. */
    private final int headDim;

    RotaryEmbedding(DecoderConfig config) {
        this.headDim = config.headDim();
        this.invFreq = config.ropeScaling().inverseFrequencies(headDim, config.ropeTheta());
    }

    /**
     * cos and sin tables for the given positions.
     *
     * @param positions [B][T] position ids
     * @return {cos, sin}, each [B, 1, T, d] (broadcast over heads)
     */
    NDArray[] tables(NDManager manager, long[][] positions) {
        int b = positions.length;
        int t = positions[0].length;
        int half = headDim / 2;
        float[] cos = new float[b * t * headDim];
        float[] sin = new float[b * t * headDim];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                int base = (i * t + j) * headDim;
                for (int k = 0; k < half; k++) {
                    double a = positions[i][j] * invFreq[k];
                    float c = (float) Math.cos(a);
                    float s = (float) Math.sin(a);
                    cos[base + k] = c;
                    cos[base + half + k] = c;
                    sin[base + k] = s;
                    sin[base + half + k] = s;
                }
            }
        }
        Shape shape = new Shape(b, 1, t, headDim);
        return new NDArray[] {manager.create(cos, shape), manager.create(sin, shape)};
    }

    /**
     * {@code x · cos + rotate_half(x) · sin}, with {@code rotate_half(x) = cat(−x[d/2:], x[:d/2])}.
     *
     * @param x [B, heads, T, d]
     * @param cos [B, 1, T, d]
     * @param sin [B, 1, T, d]
     * @return [B, heads, T, d]
     */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        NDList halves = x.split(2, 3);
        NDArray rotated = NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), 3);
        if (Autograd.recording()) { // no in-place op under autograd
            return x.mul(cos).add(rotated.mul(sin));
        }
        return x.mul(cos).addi(rotated.muli(sin));
    }
}
