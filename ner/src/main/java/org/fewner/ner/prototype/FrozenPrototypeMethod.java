package org.fewner.ner.prototype;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import org.fewner.common.FewNerException;
import org.fewner.llm.device.DeviceSpec;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.Models;
import org.fewner.ner.EncodedSentence;
import org.fewner.ner.EncoderStats;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.FewShotMethods;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.MethodOptions;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordEncoder;
import org.fewner.ner.WordSentence;
import org.fewner.ner.encode.BackboneWordEncoder;

/**
 * {@code frozen-prototype}: nearest-prototype word classification on a frozen encoder, with no
 * training at all (the ProtoBERT-without-training floor, defined exactly so that other
 * implementations can be compared with it).
 *
 * <ul>
 *   <li>A word is represented by its <b>first</b> word-piece's hidden state at layer {@code L} (HF
 *       numbering: 0 = embedding output, 12 = BERT-base's last layer).
 *   <li>Per support set, one prototype per label, <b>{@code O} included</b>: the mean of the
 *       vectors of all support words carrying that label (a word inside a mention of type {@code T}
 *       carries {@code T}; every other word carries {@code O}). A support set without any {@code O}
 *       word has no {@code O} prototype.
 *   <li>Each query word takes the label of the nearest prototype by squared Euclidean distance
 *       (ties: the first label in the order {@code O}, then the support set's types).
 *   <li>Entities are maximal runs of consecutive words with the same non-{@code O} label.
 *   <li>Confidence: per word, the softmax over the negative squared distances to all prototypes,
 *       {@code p_k = exp(-d_k) / sum_j exp(-d_j)}, evaluated at the chosen label; a mention's
 *       confidence is the mean of its words' values. (Distances in BERT space are large, so these
 *       values are close to 0 or 1; they rank, they are not calibrated.)
 * </ul>
 *
 * <p>Nothing is learnt: the seed is unused and recognisers share only the encoder's cache of
 * sentence vectors, which does not depend on the episode.
 */
public final class FrozenPrototypeMethod implements FewShotMethod {
    public static final String NAME = "frozen-prototype";

    /** The label of words outside every mention. */
    public static final String OUTSIDE = "O";

    private final WordEncoder encoder;
    private final int layer;
    private final boolean ownsEncoder;

    /**
     * @param encoder gives word vectors; must provide {@code layer}
     * @param layer layer to read (HF numbering)
     * @param ownsEncoder close the encoder with this method
     */
    public FrozenPrototypeMethod(WordEncoder encoder, int layer, boolean ownsEncoder) {
        if (!encoder.layers().contains(layer)) {
            throw new IllegalArgumentException(
                    "encoder provides layers " + encoder.layers() + ", not " + layer);
        }
        this.encoder = encoder;
        this.layer = layer;
        this.ownsEncoder = ownsEncoder;
    }

    @Override
    public String name() {
        return NAME;
    }

    public int layer() {
        return layer;
    }

    /** The counters of the encoder (forward time, sentences, windowed sentences). */
    public EncoderStats stats() {
        return encoder.stats();
    }

    @Override
    public Recognizer adapt(SupportSet support, long seed) {
        List<String> labels = new ArrayList<>();
        labels.add(OUTSIDE);
        labels.addAll(support.types());
        int h = encoder.hiddenSize();
        double[][] sums = new double[labels.size()][h];
        long[] counts = new long[labels.size()];
        List<WordSentence> sentences = new ArrayList<>();
        for (LabeledSentence s : support.sentences()) sentences.add(s.sentence());
        List<EncodedSentence> encoded = encoder.encode(sentences);
        for (int s = 0; s < sentences.size(); s++) {
            int[] label = wordLabels(support.sentences().get(s), labels);
            float[][] vectors = encoded.get(s).first(layer);
            for (int w = 0; w < label.length; w++) {
                counts[label[w]]++;
                double[] sum = sums[label[w]];
                float[] v = vectors[w];
                for (int d = 0; d < h; d++) sum[d] += v[d];
            }
        }
        List<String> missing = new ArrayList<>();
        for (int k = 1; k < labels.size(); k++) {
            if (counts[k] == 0) missing.add(labels.get(k));
        }
        if (!missing.isEmpty()) {
            throw new FewNerException(
                    "support set: no example of type(s) "
                            + missing
                            + " (every type needs at least one labelled mention)");
        }
        List<String> kept = new ArrayList<>();
        List<double[]> prototypes = new ArrayList<>();
        for (int k = 0; k < labels.size(); k++) {
            if (counts[k] == 0) continue; // only O can be empty here
            double[] p = sums[k];
            for (int d = 0; d < h; d++) p[d] /= counts[k];
            kept.add(labels.get(k));
            prototypes.add(p);
        }
        return new PrototypeRecognizer(
                encoder, layer, kept.toArray(String[]::new), prototypes.toArray(double[][]::new));
    }

    /** Each word's label index in {@code labels} (0 = O). */
    static int[] wordLabels(LabeledSentence s, List<String> labels) {
        int[] label = new int[s.sentence().size()];
        for (Mention m : s.mentions()) {
            int k = labels.indexOf(m.label());
            for (int w = m.start(); w < m.end(); w++) label[w] = k;
        }
        return label;
    }

    @Override
    public void close() {
        if (ownsEncoder) encoder.close();
    }

    /** Labels query words by their nearest prototype. */
    static final class PrototypeRecognizer implements Recognizer {
        private final WordEncoder encoder;
        private final int layer;
        private final String[] labels;
        private final double[][] prototypes;

        PrototypeRecognizer(WordEncoder encoder, int layer, String[] labels, double[][] protos) {
            this.encoder = encoder;
            this.layer = layer;
            this.labels = labels;
            this.prototypes = protos;
        }

        @Override
        public List<List<ScoredMention>> recognize(List<WordSentence> sentences) {
            List<EncodedSentence> encoded = encoder.encode(sentences);
            List<List<ScoredMention>> out = new ArrayList<>(sentences.size());
            for (EncodedSentence e : encoded) {
                float[][] words = e.first(layer);
                int[] chosen = new int[words.length];
                double[] confidence = new double[words.length];
                for (int w = 0; w < words.length; w++) {
                    double[] d = new double[prototypes.length];
                    for (int k = 0; k < prototypes.length; k++) {
                        d[k] = squaredDistance(words[w], prototypes[k]);
                    }
                    chosen[w] = argmin(d);
                    confidence[w] = softmaxOfNegative(d, chosen[w]);
                }
                out.add(runs(chosen, confidence, labels));
            }
            return out;
        }
    }

    static double squaredDistance(float[] x, double[] p) {
        double sum = 0;
        for (int d = 0; d < p.length; d++) {
            double diff = x[d] - p[d];
            sum += diff * diff;
        }
        return sum;
    }

    /** Index of the smallest value; the first one on ties. */
    static int argmin(double[] d) {
        int best = 0;
        for (int k = 1; k < d.length; k++) {
            if (d[k] < d[best]) best = k;
        }
        return best;
    }

    /** {@code exp(-d[k]) / sum_j exp(-d[j])}, computed stably. */
    static double softmaxOfNegative(double[] d, int k) {
        double min = d[argmin(d)];
        double sum = 0;
        for (double v : d) sum += Math.exp(-(v - min));
        return Math.exp(-(d[k] - min)) / sum;
    }

    /**
     * Maximal runs of one non-{@code O} label as mentions; a mention's confidence is the mean of
     * its words' confidences.
     *
     * @param chosen per word, the index into {@code labels}
     * @param confidence per word
     * @param labels label names; {@value #OUTSIDE} marks words outside mentions
     */
    public static List<ScoredMention> runs(int[] chosen, double[] confidence, String[] labels) {
        List<ScoredMention> out = new ArrayList<>();
        int w = 0;
        while (w < chosen.length) {
            String label = labels[chosen[w]];
            int end = w + 1;
            while (end < chosen.length && chosen[end] == chosen[w]) end++;
            if (!label.equals(OUTSIDE)) {
                double sum = 0;
                for (int i = w; i < end; i++) sum += confidence[i];
                out.add(new ScoredMention(new Mention(w, end, label), sum / (end - w)));
            }
            w = end;
        }
        return out;
    }

    /**
     * Options: {@code model} (default {@code default}), {@code device} ({@code cpu}), {@code layer}
     * (default {@value #DEFAULT_LAYER}), {@code cache-bytes} (the sentence cache, default 1 GiB); a
     * shared encoder or backbone in the options is used instead of loading one, with a shared
     * backbone the forward passes name the resident adapter {@code resident-adapter} (unset: the
     * base model).
     */
    public static final class Provider implements FewShotMethods.Provider {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public String description() {
            return "no training: nearest prototype (O included) of first word-piece states at --layer";
        }

        @Override
        public FewShotMethod create(MethodOptions options) {
            int layer = options.getInt(MethodOptions.LAYER, DEFAULT_LAYER);
            if (options.encoder().isPresent()) {
                WordEncoder shared = options.encoder().get();
                if (!shared.layers().contains(layer)) {
                    throw new FewNerException(
                            "--layer "
                                    + layer
                                    + ": the shared encoder has layers "
                                    + shared.layers());
                }
                return new FrozenPrototypeMethod(shared, layer, false);
            }
            BackboneWordEncoder.Options eo = BackboneWordEncoder.Options.of(List.of(layer));
            eo = eo.withCacheBytes(options.getLong(MethodOptions.CACHE_BYTES, eo.cacheBytes()));
            if (options.backbone().isPresent()) {
                eo = eo.withAdapter(options.get(MethodOptions.RESIDENT_ADAPTER).orElse(null));
                return new FrozenPrototypeMethod(
                        new BackboneWordEncoder(options.backbone().get(), eo, false), layer, true);
            }
            Device device;
            try {
                device = DeviceSpec.parse(options.get(MethodOptions.DEVICE, "cpu"));
            } catch (IllegalArgumentException e) {
                throw new FewNerException("--device: " + e.getMessage(), e);
            }
            Backbone backbone = Models.load(options.modelDirectory(), device);
            try {
                return new FrozenPrototypeMethod(
                        new BackboneWordEncoder(backbone, eo, true), layer, true);
            } catch (RuntimeException e) {
                backbone.close();
                throw e;
            }
        }
    }

    /** Default {@code --layer}: the last layer of BERT-base. */
    public static final int DEFAULT_LAYER = 12;
}
