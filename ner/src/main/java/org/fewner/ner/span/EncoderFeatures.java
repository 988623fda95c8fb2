package org.fewner.ner.span;

import java.util.ArrayList;
import java.util.List;
import org.fewner.ner.EncodedSentence;
import org.fewner.ner.WordEncoder;
import org.fewner.ner.WordSentence;

/**
 * {@link FeatureSource} over the shared {@link WordEncoder} (first word-piece states; the encoder
 * batches, windows long sentences and caches per distinct sentence).
 */
public final class EncoderFeatures implements FeatureSource {
    private final WordEncoder encoder;
    private final int[] layers;

    /**
     * @param layers the layers to return, each one the encoder keeps
     */
    public EncoderFeatures(WordEncoder encoder, int[] layers) {
        this.encoder = encoder;
        this.layers = layers.clone();
        for (int l : layers) {
            if (!encoder.layers().contains(l)) {
                throw new IllegalArgumentException(
                        "layer " + l + " is not kept by the encoder (" + encoder.layers() + ")");
            }
        }
    }

    public WordEncoder encoder() {
        return encoder;
    }

    @Override
    public int[] layers() {
        return layers.clone();
    }

    @Override
    public int hidden() {
        return encoder.hiddenSize();
    }

    @Override
    public float[][][] features(List<List<String>> sentences) {
        List<WordSentence> ws = new ArrayList<>(sentences.size());
        for (int i = 0; i < sentences.size(); i++) {
            ws.add(new WordSentence("s" + i, sentences.get(i)));
        }
        List<EncodedSentence> enc = encoder.encode(ws);
        int h = encoder.hiddenSize();
        float[][][] out = new float[sentences.size()][layers.length][];
        for (int i = 0; i < enc.size(); i++) {
            for (int l = 0; l < layers.length; l++) {
                float[][] words = enc.get(i).first(layers[l]);
                float[] flat = new float[words.length * h];
                for (int w = 0; w < words.length; w++) {
                    System.arraycopy(words[w], 0, flat, w * h, h);
                }
                out[i][l] = flat;
            }
        }
        return out;
    }
}
