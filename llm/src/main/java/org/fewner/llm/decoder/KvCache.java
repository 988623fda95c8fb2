package org.fewner.llm.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Arrays;

/**
 * Keys and values of every layer for the tokens seen so far, with their attention mask, so that each generation
 * step only runs the new tokens. Rows are sequences (batch entries or beams); {@link #selectRows} reorders them
 * for beam search. The arrays live in the cache's own manager and are replaced (old ones closed) on each append.
 */
public final class KvCache implements AutoCloseable {
    /** Key of the cache in a forward call's params list. */
    public static final String PARAM = "fewner.kvCache";

    /** Owns the cached arrays. */
    private final NDManager manager;
    /** Per layer: keys [B, kvHeads, S, d]. */
    private final NDArray[] keys;
    /** Per layer: values [B, kvHeads, S, d]. */
    private final NDArray[] values;
    /** [B][S] 1 for real tokens, 0 for padding. */
    private long[][] mask;

    public KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.mask = null;
    }

    /** The cache named in a forward call's params, or null. */
    static KvCache of(ai.djl.util.PairList<String, Object> params) {
        return params == null ? null : (KvCache) params.get(PARAM);
    }

    /** Number of cached positions S (0 when empty). */
    public int length() { return mask == null ? 0 : mask[0].length; }

    /** Rows B, or 0 when empty. */
    public int rows() { return mask == null ? 0 : mask.length; }

    /** The cached attention mask [B][S] (a copy). */
    public long[][] mask() {
        if (mask == null) {
            return null;
        }
        long[][] m = new long[mask.length][];
        for (int i = 0; i < m.length; i++) {
            m[i] = mask[i].clone();
        }
        return m;
    }

    /** Real (non-padding) tokens cached for each row. */
    long realCount(int row) {
        if (mask == null) {
            return 0;
        }
        long n = 0;
        for (long v : mask[row]) {
            n += v;
        }
        return n;
    }

    /** Extends the mask by the new tokens' mask [B][T]; called once per forward, before the layers. */
    void appendMask(long[][] newMask) {
        if (mask == null) {
            mask = new long[newMask.length][];
            for (int i = 0; i < newMask.length; i++) {
                mask[i] = newMask[i].clone();
            }
            return;
        }
        if (newMask.length != mask.length) {
            throw new IllegalArgumentException("KV cache holds " + mask.length + " rows, got " + newMask.length);
        }
        for (int i = 0; i < mask.length; i++) {
            long[] m = Arrays.copyOf(mask[i], mask[i].length + newMask[i].length);
            System.arraycopy(newMask[i], 0, m, mask[i].length, newMask[i].length);
            mask[i] = m;
        }
    }

    /**
     * Appends the new keys/values of one layer and returns the full ones.
     *
     * @param k [B, kvHeads, T, d]
     * @param v [B, kvHeads, T, d]
     * @return {keys, values}, each [B, kvHeads, S, d] (S includes the T new positions)
     */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        NDArray nk = keys[layer] == null ? k.duplicate() : keys[layer].concat(k, 2);
        NDArray nv = values[layer] == null ? v.duplicate() : values[layer].concat(v, 2);
        nk.attach(manager);
        nv.attach(manager);
        if (keys[layer] != null) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = nk;
        values[layer] = nv;
        return new NDArray[] {nk, nv};
    }

    /**
     * Keeps rows {@code rows[0], rows[1], …} in that order (a row may repeat): beam reordering, or expanding one
     * prompt into K beams.
     */
    public void selectRows(int[] rows) {
        long[][] m = new long[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            m[i] = mask[rows[i]].clone();
        }
        mask = m;
        long[] idx = Arrays.stream(rows).asLongStream().toArray();
        try (NDManager tmp = manager.newSubManager()) {
            NDArray index = tmp.create(idx);
            for (int l = 0; l < keys.length; l++) {
                if (keys[l] == null) {
                    continue;
                }
                NDArray nk = keys[l].get(index);
                NDArray nv = values[l].get(index);
                nk.attach(manager);
                nv.attach(manager);
                keys[l].close();
                values[l].close();
                keys[l] = nk;
                values[l] = nv;
            }
        }
    }

    @Override
    public void close() { manager.close(); }
}
