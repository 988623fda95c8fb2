package org.fewner.llm.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Keys and values of every layer for the tokens seen so far, with their attention mask, so that
 * each generation step only runs the new tokens. Rows are sequences (batch entries or beams);
 * {@link #selectRows} reorders them for beam search. Keys and values sit in preallocated buffers
 * [B, kvHeads, capacity, d] owned by the cache's manager; an append writes the new positions in
 * place and returns views of the filled part, so a generation step costs no copy of the past (the
 * buffers grow by doubling when full).
 */
public final class KvCache implements AutoCloseable {
    /** Key of the cache in a forward call's params list. */
    public static final String PARAM = "fewner.kvCache";

    /** Owns the cached arrays. */
    private final NDManager manager;

    /** Positions a new buffer holds beyond the ones first written (room for a typical answer). */
    static final int HEADROOM = 64;

    /** This cache's headroom (tests use a small one to exercise growth). */
    private final int headroom;

    /** Per layer: key buffer [B, kvHeads, capacity, d]; positions 0 … filled−1 are valid. */
    private final NDArray[] keys;

    /** Per layer: value buffer [B, kvHeads, capacity, d]. */
    private final NDArray[] values;

    /** Per layer: positions written. */
    private final int[] filled;

    /** [B][S] 1 for real tokens, 0 for padding. */
    private long[][] mask;

    public KvCache(NDManager parent, int layers) {
        this(parent, layers, HEADROOM);
    }

    /** A cache whose buffers first hold {@code headroom} positions beyond the first append. */
    KvCache(NDManager parent, int layers, int headroom) {
        this.headroom = headroom;
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.filled = new int[layers];
        this.mask = null;
    }

    /** The cache named in a forward call's params, or null. */
    static KvCache of(ai.djl.util.PairList<String, Object> params) {
        return params == null ? null : (KvCache) params.get(PARAM);
    }

    /** Number of cached positions S (0 when empty). */
    public int length() {
        return mask == null ? 0 : mask[0].length;
    }

    /** Rows B, or 0 when empty. */
    public int rows() {
        return mask == null ? 0 : mask.length;
    }

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

    /**
     * Extends the mask by the new tokens' mask [B][T]; called once per forward, before the layers.
     */
    void appendMask(long[][] newMask) {
        if (mask == null) {
            mask = new long[newMask.length][];
            for (int i = 0; i < newMask.length; i++) {
                mask[i] = newMask[i].clone();
            }
            return;
        }
        if (newMask.length != mask.length) {
            throw new IllegalArgumentException(
                    "KV cache holds " + mask.length + " rows, got " + newMask.length);
        }
        for (int i = 0; i < mask.length; i++) {
            long[] m = Arrays.copyOf(mask[i], mask[i].length + newMask[i].length);
            System.arraycopy(newMask[i], 0, m, mask[i].length, newMask[i].length);
            mask[i] = m;
        }
    }

    /**
     * Writes the new keys/values of one layer after the cached ones and returns views of all of
     * them, attached to the manager of {@code k} (closing a view leaves the buffer alone).
     *
     * @param k [B, kvHeads, T, d]
     * @param v [B, kvHeads, T, d]
     * @return {keys, values}, each [B, kvHeads, S, d] (S includes the T new positions)
     */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        long t = k.getShape().get(2);
        int from = filled[layer];
        int to = Math.toIntExact(from + t);
        if (keys[layer] == null || to > keys[layer].getShape().get(2)) {
            long capacity =
                    keys[layer] == null
                            ? to + headroom
                            : Math.max(to, 2 * keys[layer].getShape().get(2));
            keys[layer] = grow(keys[layer], k, from, capacity);
            values[layer] = grow(values[layer], v, from, capacity);
        }
        NDIndex fresh = new NDIndex(":, :, {}:{}", from, to);
        keys[layer].set(fresh, k);
        values[layer].set(fresh, v);
        filled[layer] = to;
        NDIndex valid = new NDIndex(":, :, :{}", to);
        NDArray ks = keys[layer].get(valid);
        NDArray vs = values[layer].get(valid);
        ks.attach(k.getManager());
        vs.attach(k.getManager());
        return new NDArray[] {ks, vs};
    }

    /**
     * A zero buffer of {@code capacity} positions shaped like {@code like}, holding the first
     * {@code n} of {@code old}.
     */
    private NDArray grow(NDArray old, NDArray like, int n, long capacity) {
        Shape s = like.getShape();
        NDArray buf =
                manager.zeros(
                        new Shape(s.get(0), s.get(1), capacity, s.get(3)),
                        like.getDataType(),
                        like.getDevice());
        if (old != null) {
            if (n > 0) {
                buf.set(new NDIndex(":, :, :{}", n), old.get(new NDIndex(":, :, :{}", n)));
            }
            old.close();
        }
        return buf;
    }

    /**
     * Keeps rows {@code rows[0], rows[1], …} in that order (a row may repeat): beam reordering, or
     * expanding one prompt into K beams.
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
    public void close() {
        manager.close();
    }
}
