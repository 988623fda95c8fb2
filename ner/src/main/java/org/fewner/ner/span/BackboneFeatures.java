package org.fewner.ner.span;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link FeatureSource} over {@link WordFeatures}, with a bounded cache per distinct sentence (many
 * sentences repeat across the episodes of one evaluation run). Thread-safe.
 */
public final class BackboneFeatures implements FeatureSource {
    private final WordFeatures encoder;
    private final Map<String, float[][]> cache;

    /**
     * @param maxCached sentences kept (least recently used dropped first)
     */
    public BackboneFeatures(WordFeatures encoder, int maxCached) {
        this.encoder = encoder;
        this.cache =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, float[][]> e) {
                        return size() > maxCached;
                    }
                };
    }

    @Override
    public int[] layers() {
        return encoder.layers();
    }

    @Override
    public int hidden() {
        return encoder.hiddenSize();
    }

    @Override
    public float[][][] features(List<List<String>> sentences) {
        float[][][] out = new float[sentences.size()][][];
        List<Integer> missing = new ArrayList<>();
        List<List<String>> todo = new ArrayList<>();
        synchronized (cache) {
            for (int i = 0; i < sentences.size(); i++) {
                float[][] f = cache.get(String.join(" ", sentences.get(i)));
                if (f == null) {
                    missing.add(i);
                    todo.add(sentences.get(i));
                } else {
                    out[i] = f;
                }
            }
        }
        if (!todo.isEmpty()) {
            float[][][] f = encoder.encode(todo);
            synchronized (cache) {
                for (int j = 0; j < todo.size(); j++) {
                    out[missing.get(j)] = f[j];
                    cache.put(String.join(" ", todo.get(j)), f[j]);
                }
            }
        }
        return out;
    }
}
