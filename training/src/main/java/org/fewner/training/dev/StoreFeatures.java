package org.fewner.training.dev;

import java.util.List;
import org.fewner.ner.span.FeatureSource;
import org.fewner.training.span.FeatureStore;

/** {@link FeatureSource} over a {@link FeatureStore} (cached sentences only). */
public final class StoreFeatures implements FeatureSource {
    private final FeatureStore store;
    private final int[] layers;

    public StoreFeatures(FeatureStore store, int[] layers) {
        this.store = store;
        this.layers = layers.clone();
        for (int l : layers) {
            store.layerIndex(l);
        }
    }

    @Override
    public int[] layers() {
        return layers.clone();
    }

    @Override
    public int hidden() {
        return store.hidden();
    }

    @Override
    public float[][][] features(List<List<String>> sentences) {
        float[][][] out = new float[sentences.size()][layers.length][];
        for (int i = 0; i < sentences.size(); i++) {
            for (int l = 0; l < layers.length; l++) {
                out[i][l] = store.get(sentences.get(i), layers[l]);
            }
        }
        return out;
    }
}
