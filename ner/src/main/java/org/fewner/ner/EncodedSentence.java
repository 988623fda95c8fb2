package org.fewner.ner;

import java.util.List;

/**
 * The vectors of one sentence's words at the encoder's layers.
 *
 * @param layers the layers held, in the encoder's order (HF numbering)
 * @param first per layer (same order as {@code layers}), per word, the hidden state of the word's
 *     first word-piece: {@code first[l][word][h]}
 * @param last the same for each word's last word-piece, or null when the encoder does not keep it
 */
public record EncodedSentence(List<Integer> layers, float[][][] first, float[][][] last) {

    /** Number of words. */
    public int size() {
        return first.length == 0 ? 0 : first[0].length;
    }

    /** Per word, the first word-piece's state at {@code layer}: {@code [words][H]}. */
    public float[][] first(int layer) {
        return first[indexOf(layer)];
    }

    /**
     * Per word, the last word-piece's state at {@code layer}: {@code [words][H]}.
     *
     * @throws IllegalStateException when the encoder was not asked to keep last word-pieces
     */
    public float[][] last(int layer) {
        if (last == null) {
            throw new IllegalStateException(
                    "last word-piece states were not kept (construct the encoder with keepLast)");
        }
        return last[indexOf(layer)];
    }

    private int indexOf(int layer) {
        int i = layers.indexOf(layer);
        if (i < 0) {
            throw new IllegalArgumentException(
                    "layer " + layer + " was not encoded (encoder layers: " + layers + ")");
        }
        return i;
    }

    /** Approximate heap size, for the cache's byte bound. */
    public long bytes() {
        long floats = 0;
        for (float[][] l : first) {
            for (float[] w : l) floats += w.length;
        }
        if (last != null) floats *= 2;
        return 4 * floats + 64L * layers.size() * Math.max(1, size());
    }
}
