package org.fewner.ner.span;

import java.util.List;

/**
 * Word vectors of sentences at fixed layers: a frozen backbone ({@link BackboneFeatures}) or a
 * cache of them (the training code's feature store).
 */
public interface FeatureSource {
    /** The layers returned, in order. */
    int[] layers();

    /** The vector size. */
    int hidden();

    /**
     * @param sentences words of each sentence
     * @return per sentence, per layer of {@link #layers()}, the word vectors {@code [words, H]}
     */
    float[][][] features(List<List<String>> sentences);
}
