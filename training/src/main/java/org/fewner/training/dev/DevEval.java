package org.fewner.training.dev;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.WordSentence;
import org.fewner.ner.span.SpanHeads;
import org.fewner.ner.span.SpanMethod;
import org.fewner.training.source.Episodes;
import org.fewner.training.span.FeatureStore;

/**
 * The span method's development loop on cached episode features: Few-NERD's micro F1 (counts summed
 * over all query sentences of all episodes), and for error analysis the exact-boundary detection
 * recall (gold query spans among the detected spans, type ignored) and the typing accuracy of gold
 * query spans (nearest prototype, rejection ignored).
 */
public final class DevEval {
    private DevEval() {}

    /** The figures of one run. */
    public record Result(
            int episodes,
            long tp,
            long fp,
            long fn,
            double precision,
            double recall,
            double f1,
            double detectionRecall,
            double detectionPrecisionAnyGold,
            double goldTypingAccuracy) {}

    public static Result run(SpanHeads heads, FeatureStore store, List<Episodes.Episode> episodes) {
        return run(
                heads, null, org.fewner.ner.span.DetectionAdaptation.Options.NONE, store, episodes);
    }

    public static Result run(
            SpanHeads heads,
            org.fewner.ner.span.SpanDecoder.Settings decoding,
            org.fewner.ner.span.DetectionAdaptation.Options adaptation,
            FeatureStore store,
            List<Episodes.Episode> episodes) {
        int[] layers =
                heads.config().detectLayer() == heads.config().typeLayer()
                        ? new int[] {heads.config().detectLayer()}
                        : new int[] {heads.config().detectLayer(), heads.config().typeLayer()};
        StoreFeatures f = new StoreFeatures(store, layers);
        SpanMethod method = new SpanMethod(f, heads, decoding, adaptation, null);
        int ti = layers.length == 1 ? 0 : 1;
        long tp = 0;
        long fp = 0;
        long fn = 0;
        long goldSpans = 0;
        long detectedGold = 0;
        long detected = 0;
        long typedRight = 0;
        // -Dfewner.dump=FILE: one JSON line per query sentence for error analysis
        String dumpTo = System.getProperty("fewner.dump");
        StringBuilder dump = new StringBuilder();
        int episodeIndex = -1;
        for (Episodes.Episode e : episodes) {
            episodeIndex++;
            SpanMethod.Adapted r = method.adapt(e.support(), 0);
            SpanHeads detector = r.heads();
            List<WordSentence> qs = new ArrayList<>();
            for (LabeledSentence q : e.query()) {
                qs.add(q.sentence());
            }
            List<List<ScoredMention>> pred = r.recognize(qs);
            // prototypes again for the typing diagnosis (same arithmetic as adapt)
            Map<String, List<float[]>> byType = new LinkedHashMap<>();
            e.support().types().forEach(t -> byType.put(t, new ArrayList<>()));
            for (LabeledSentence s : e.support().sentences()) {
                float[] x = f.features(List.of(s.sentence().words()))[0][ti];
                for (Mention m : s.mentions()) {
                    byType.get(m.label())
                            .add(heads.represent(x, store.hidden(), m.start(), m.end()));
                }
            }
            Map<String, float[]> protos = heads.prototypes(byType);
            for (int i = 0; i < qs.size(); i++) {
                Set<Mention> gold = new HashSet<>(e.query().get(i).mentions());
                // Few-NERD scores IO tags: predictions become IO labels, entities maximal runs
                List<String> io = new ArrayList<>();
                for (int w = 0; w < qs.get(i).size(); w++) {
                    io.add("O");
                }
                for (ScoredMention sm : pred.get(i)) {
                    for (int w = sm.mention().start(); w < sm.mention().end(); w++) {
                        io.set(w, sm.mention().label());
                    }
                }
                Set<Mention> p = new HashSet<>(Episodes.ioChunks(io));
                for (Mention m : p) {
                    if (gold.contains(m)) {
                        tp++;
                    } else {
                        fp++;
                    }
                }
                for (Mention m : gold) {
                    if (!p.contains(m)) {
                        fn++;
                    }
                }
                float[][] x = f.features(List.of(qs.get(i).words()))[0];
                Set<Long> goldKeys = new HashSet<>();
                for (Mention m : gold) {
                    goldKeys.add(((long) m.start() << 32) | m.end());
                }
                Set<Long> det = new HashSet<>();
                for (SpanHeads.Candidate c : detector.detect(x[0], qs.get(i).size())) {
                    long k = ((long) c.start() << 32) | c.end();
                    det.add(k);
                    detected++;
                }
                if (dumpTo != null) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("episode", episodeIndex);
                    row.put("types", e.support().types());
                    row.put("words", qs.get(i).words());
                    List<Object> g = new ArrayList<>();
                    for (Mention m : e.query().get(i).mentions()) {
                        g.add(List.of(m.start(), m.end(), m.label()));
                    }
                    row.put("gold", g);
                    List<Object> pr = new ArrayList<>();
                    for (ScoredMention sm : pred.get(i)) {
                        pr.add(
                                List.of(
                                        sm.mention().start(),
                                        sm.mention().end(),
                                        sm.mention().label(),
                                        sm.confidence()));
                    }
                    row.put("pred", pr);
                    List<Object> cands = new ArrayList<>();
                    for (SpanHeads.Candidate c : detector.scoreSpans(x[0], qs.get(i).size())) {
                        if (c.probability() >= 0.01) {
                            float[] z =
                                    r.heads().represent(x[ti], store.hidden(), c.start(), c.end());
                            List<Object> cos = new ArrayList<>();
                            for (float[] pv : r.prototypes().values()) {
                                double sc = 0;
                                for (int k = 0; k < z.length; k++) {
                                    sc += z[k] * pv[k];
                                }
                                cos.add(Math.round(sc * 1000) / 1000.0);
                            }
                            cands.add(
                                    List.of(
                                            c.start(),
                                            c.end(),
                                            Math.round(c.probability() * 1000) / 1000.0,
                                            cos));
                        }
                    }
                    row.put("cands", cands);
                    dump.append(org.fewner.common.Json.line(row)).append('\n');
                }
                for (Mention m : gold) {
                    goldSpans++;
                    if (det.contains(((long) m.start() << 32) | m.end())) {
                        detectedGold++;
                    }
                    float[] z = heads.represent(x[ti], store.hidden(), m.start(), m.end());
                    String best = nearest(heads, z, protos);
                    if (m.label().equals(best)) {
                        typedRight++;
                    }
                }
            }
        }
        if (dumpTo != null) {
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(dumpTo), dump.toString());
            } catch (java.io.IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        }
        double prec = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
        double rec = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
        double f1 = 2 * prec * rec / (prec + rec + 1e-6);
        return new Result(
                episodes.size(),
                tp,
                fp,
                fn,
                100 * prec,
                100 * rec,
                100 * f1,
                100.0 * detectedGold / Math.max(1, goldSpans),
                100.0 * detectedGold / Math.max(1, detected),
                100.0 * typedRight / Math.max(1, goldSpans));
    }

    private static String nearest(SpanHeads heads, float[] z, Map<String, float[]> protos) {
        SpanHeads.Config c = heads.config();
        SpanHeads noReject = heads; // typing without rejection: compare the type logits only
        String best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, float[]> e : protos.entrySet()) {
            double s = 0;
            float[] p = e.getValue();
            if (heads.hasProjection()) {
                for (int i = 0; i < z.length; i++) {
                    s += z[i] * p[i];
                }
            } else {
                for (int i = 0; i < z.length; i++) {
                    double d = z[i] - p[i];
                    s -= d * d;
                }
            }
            if (s > bestScore) {
                bestScore = s;
                best = e.getKey();
            }
        }
        return best;
    }
}
