package org.fewner.llm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.core.Linear;

/**
 * Several linear layers on the same input run as one matmul (BERT's and the decoders' q/k/v, the
 * decoders' gate/up): fewer DJL calls and one larger GEMM. The one fusion mechanism of FewNER. The
 * parts keep their own {@link LinearLayer}s (so LoRA can wrap them by name), whose weights become
 * row views of the fused matrix; no weight is stored twice. The fused path is only taken when it is
 * exact: no adapter on any part for this call, nothing merged, and every part still holds the view
 * it was given.
 *
 * <p>The fused matrix is stored transposed, [in, sum of out] row-major, and used as the transposed
 * view: the product is the same {@code x · Wᵀ} and the parts' weights are still [out_i, in]
 * (strided views), but with one input row (a decode step) MKL's GEMV reads this layout at 15–24
 * GB/s against 10–11 GB/s for [out, in] on this machine (llm/docs/decoder.md).
 */
public final class FusedLinear {
    private final LinearLayer[] parts;

    /** [sum of out, in]: the transposed view of a contiguous [in, sum of out] array. */
    private final NDArray weight;

    /** [sum of out], or null. */
    private final NDArray bias;

    /** The views handed to the parts, to detect a replaced weight. */
    private final NDArray[] views;

    /** Split points along the last axis of the output. */
    private final long[] splits;

    /**
     * Concatenates the parts' weights and hands each part its row view (each part's weight is set
     * here, once).
     *
     * @param weights per part [out_i, in]
     * @param biases per part [out_i], or all null
     */
    public FusedLinear(LinearLayer[] parts, NDArray[] weights, NDArray[] biases) {
        this.parts = parts;
        NDManager owner = weights[0].getManager();
        NDList transposed = new NDList();
        for (NDArray w : weights) {
            transposed.add(w.transpose());
        }
        NDArray stored = NDArrays.concat(transposed, 1); // contiguous [in, sum of out]
        stored.attach(owner);
        transposed.close();
        this.weight = stored.transpose();
        this.weight.attach(owner);
        this.bias = biases[0] == null ? null : NDArrays.concat(new NDList(biases), 0);
        if (bias != null) {
            bias.attach(owner);
        }
        this.views = new NDArray[parts.length];
        this.splits = new long[parts.length - 1];
        long row = 0;
        for (int i = 0; i < parts.length; i++) {
            long n = parts[i].outFeatures();
            NDArray w = weight.get(new NDIndex("{}:{}", row, row + n));
            NDArray b = bias == null ? null : bias.get(new NDIndex("{}:{}", row, row + n));
            w.attach(owner);
            if (b != null) {
                b.attach(owner);
            }
            parts[i].setWeights(w, b);
            views[i] = w;
            weights[i].close();
            if (biases[i] != null) {
                biases[i].close();
            }
            row += n;
            if (i < splits.length) {
                splits[i] = row;
            }
        }
    }

    /** Split points along the last axis of the output (for {@code NDArray.split}). */
    public long[] splits() {
        return splits.clone();
    }

    /**
     * Whether the fused matmul gives exactly the parts' base products: every part still holds its
     * view and nothing is merged. Adapters do not prevent it: {@link #forward(NDArray, String,
     * boolean)} adds their LoRA branches, so a zero-B adapter gives exactly the base output.
     */
    public boolean usable(String adapter) {
        for (int i = 0; i < parts.length; i++) {
            LinearLayer p = parts[i];
            if (p.weight().getArray() != views[i] || p.mergedAdapter() != null) {
                return false;
            }
        }
        return true;
    }

    /**
     * The fused base product plus each part's LoRA branch for {@code adapter} (zeros for parts
     * without one).
     *
     * @param x [..., in]
     * @return [..., sum of out]
     */
    public NDArray forward(NDArray x, String adapter, boolean training) {
        NDArray y = forward(x);
        if (adapter == null) {
            return y;
        }
        NDArray[] deltas = new NDArray[parts.length];
        boolean any = false;
        for (int i = 0; i < parts.length; i++) {
            deltas[i] = parts[i].loraDelta(x, adapter, training);
            any |= deltas[i] != null;
        }
        if (!any) {
            return y;
        }
        for (int i = 0; i < parts.length; i++) {
            if (deltas[i] == null) {
                ai.djl.ndarray.types.Shape s = x.getShape();
                deltas[i] =
                        x.getManager()
                                .zeros(
                                        s.slice(0, s.dimension() - 1).add(parts[i].outFeatures()),
                                        x.getDataType(),
                                        x.getDevice());
            }
        }
        return y.add(NDArrays.concat(new NDList(deltas), -1));
    }

    /**
     * @param x [..., in]
     * @return [..., sum of out]
     */
    public NDArray forward(NDArray x) {
        return Linear.linear(x, weight, bias).singletonOrThrow();
    }
}
