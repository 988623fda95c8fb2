package org.fewner.evaluation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fewner.ner.Mention;

/**
 * True positives, false positives and false negatives of exact span matching, and the figures they
 * give. A predicted mention is correct only when its start, end and label all equal those of a gold
 * mention (each gold mention matches at most one prediction).
 *
 * <p>Precision and recall of an empty denominator are 0, and F1 is 0 when precision + recall is 0
 * (Few-NERD's {@code metrics_by_entity} uses an epsilon instead, which gives the same values to
 * within 1e-6).
 */
public record Counts(long tp, long fp, long fn) {
    public static final Counts ZERO = new Counts(0, 0, 0);

    /** Matches one sentence's predictions against its gold mentions. */
    public static Counts of(List<Mention> gold, List<Mention> predicted) {
        Map<Mention, Integer> left = new HashMap<>();
        for (Mention g : gold) left.merge(g, 1, Integer::sum);
        long tp = 0;
        for (Mention p : predicted) {
            Integer n = left.get(p);
            if (n != null && n > 0) {
                tp++;
                left.put(p, n - 1);
            }
        }
        return new Counts(tp, predicted.size() - tp, gold.size() - tp);
    }

    /** Per label, the counts of one sentence (gold and predicted mentions of that label only). */
    public static Map<String, Counts> byLabel(List<Mention> gold, List<Mention> predicted) {
        Map<String, List<Mention>> g = new HashMap<>();
        Map<String, List<Mention>> p = new HashMap<>();
        for (Mention m : gold)
            g.computeIfAbsent(m.label(), k -> new java.util.ArrayList<>()).add(m);
        for (Mention m : predicted)
            p.computeIfAbsent(m.label(), k -> new java.util.ArrayList<>()).add(m);
        Map<String, Counts> out = new HashMap<>();
        java.util.Set<String> labels = new java.util.HashSet<>(g.keySet());
        labels.addAll(p.keySet());
        for (String label : labels) {
            out.put(label, of(g.getOrDefault(label, List.of()), p.getOrDefault(label, List.of())));
        }
        return out;
    }

    public Counts plus(Counts o) {
        return new Counts(tp + o.tp, fp + o.fp, fn + o.fn);
    }

    /** tp / (tp + fp), 0 when nothing was predicted. */
    public double precision() {
        return tp + fp == 0 ? 0 : (double) tp / (tp + fp);
    }

    /** tp / (tp + fn), 0 when there is no gold mention. */
    public double recall() {
        return tp + fn == 0 ? 0 : (double) tp / (tp + fn);
    }

    /** 2PR / (P + R), 0 when both are 0. */
    public double f1() {
        double p = precision();
        double r = recall();
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }
}
