package org.fewner.llm.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One post-LN transformer encoder block (HF {@code BertLayer}): attention sub-layer, then
 * feed-forward sub-layer.
 *
 * <p>Large batches (more than 4·{@code chunkRows} rows) run in groups of whole sequences of at most
 * {@code chunkRows} rows (B·T) each, concatenated once at the end: every sequence is independent in
 * a BERT layer, so this is the same computation, but each group's temporaries (Q/K/V [rows, 3H],
 * scores, the [rows, I] feed-forward activations) stay small enough for glibc to reuse them from
 * its heap instead of mapping fresh, zero-filled pages for every op (llm/docs/encoder.md).
 */
public final class BertLayer extends AbstractBlock {
    /**
     * Rows (B·T) per group; system property {@code fewner.bert.chunkRows}, 0 = whole batch at once.
     * A group holds at least one sequence. 256 rows keep BERT-base's largest temporary ([256, 3072]
     * f32, 3 MB) under the 4 MB mmap threshold that {@code ./fewner} sets.
     */
    public static final int DEFAULT_CHUNK_ROWS = Integer.getInteger("fewner.bert.chunkRows", 256);

    /** Rows per group of this layer ({@link #DEFAULT_CHUNK_ROWS} unless given). */
    private final int chunkRows;

    /** Self-attention + dense + LayerNorm. */
    final BertAttention attention;

    /** intermediate + act + output + LayerNorm. */
    final BertFeedForward feedForward;

    /**
     * @param prefix e.g. {@code bert.encoder.layer.3.}
     */
    public BertLayer(
            String prefix, int hidden, int heads, int intermediateSize, String act, double eps) {
        this(prefix, hidden, heads, intermediateSize, act, eps, DEFAULT_CHUNK_ROWS);
    }

    /**
     * @param chunkRows rows (B·T) per group, 0 = the whole batch at once
     */
    public BertLayer(
            String prefix,
            int hidden,
            int heads,
            int intermediateSize,
            String act,
            double eps,
            int chunkRows) {
        super((byte) 1);
        this.chunkRows = chunkRows;
        attention = addChildBlock("attention", new BertAttention(prefix, hidden, heads, eps));
        feedForward =
                addChildBlock(
                        "feedForward",
                        new BertFeedForward(prefix, hidden, intermediateSize, act, eps));
    }

    /**
     * Intermediate arrays are freed when the block returns (an {@link NDScope}); only the output
     * stays.
     *
     * @param inputs x [B, T, H] and the additive key mask [B, 1, 1, T]
     * @return [B, T, H]
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int rows = chunkRows;
        // groups only for more than 4 groups' worth of rows: at 8x128 (4 groups) they measured
        // 0-10% slower
        long group =
                rows <= 0 || b * t <= 4L * rows ? b : Math.max(1, rows / t); // sequences per group
        if (group >= b) {
            return whole(ps, inputs, training, params);
        }
        NDArray mask = inputs.size() > 1 ? inputs.get(1) : null;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDList parts = new NDList();
            for (long s = 0; s < b; s += group) {
                NDIndex seqs = new NDIndex("{}:{}", s, Math.min(b, s + group));
                NDList in =
                        mask == null
                                ? new NDList(x.get(seqs))
                                : new NDList(x.get(seqs), mask.get(seqs));
                parts.add(whole(ps, in, training, params).singletonOrThrow()); // [g, T, H]
            }
            NDArray out = NDArrays.concat(parts, 0); // [B, T, H]
            NDScope.unregister(out);
            return new NDList(out);
        }
    }

    /** The layer on all rows of {@code inputs} at once. */
    private NDList whole(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
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
