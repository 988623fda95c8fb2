package org.fewner.evaluation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.fewner.ner.Mention;

/**
 * Accumulates scored sentences, grouped by episode (a Few-NERD episode, a cross-dataset support
 * sample, a K-shot run), and gives both aggregates:
 *
 * <ul>
 *   <li><b>pooled</b> (Few-NERD's rule, {@code util/framework.py}): true positives, false positives
 *       and false negatives summed over all query sentences of all episodes, then P, R, F1;
 *   <li><b>per episode</b>: P, R, F1 of each episode, their mean and sample standard deviation (the
 *       cross-dataset protocol reports the mean over its 10 support samples).
 * </ul>
 *
 * Episodes are kept in the order first seen.
 */
public final class Tally {
    private final Map<String, Counts> episodes = new LinkedHashMap<>();
    private final Map<String, Counts> perType = new TreeMap<>();
    private Counts pooled = Counts.ZERO;
    private long sentences;

    /** Adds one query sentence of episode {@code episode}. */
    public void add(String episode, List<Mention> gold, List<Mention> predicted) {
        Counts c = Counts.of(gold, predicted);
        episodes.merge(episode, c, Counts::plus);
        pooled = pooled.plus(c);
        Counts.byLabel(gold, predicted)
                .forEach((label, k) -> perType.merge(label, k, Counts::plus));
        sentences++;
    }

    /** Registers an episode that has no query sentence (it still counts in the episode mean). */
    public void addEpisode(String episode) {
        episodes.putIfAbsent(episode, Counts.ZERO);
    }

    public Counts pooled() {
        return pooled;
    }

    public long sentences() {
        return sentences;
    }

    public Map<String, Counts> episodes() {
        return episodes;
    }

    public Map<String, Counts> perType() {
        return perType;
    }

    /** Mean and sample standard deviation (n - 1) of a per-episode figure, in percent. */
    public record Spread(double mean, double std, long n) {}

    public Spread episodePrecision() {
        return spread(Counts::precision);
    }

    public Spread episodeRecall() {
        return spread(Counts::recall);
    }

    public Spread episodeF1() {
        return spread(Counts::f1);
    }

    private Spread spread(java.util.function.ToDoubleFunction<Counts> f) {
        SummaryStatistics s = new SummaryStatistics();
        for (Counts c : episodes.values()) s.addValue(100 * f.applyAsDouble(c));
        return new Spread(
                s.getN() == 0 ? 0 : s.getMean(),
                s.getN() < 2 ? 0 : s.getStandardDeviation(),
                s.getN());
    }

    /** Per-episode F1 in percent, in episode order. */
    public List<Double> episodeF1s() {
        List<Double> out = new ArrayList<>();
        for (Counts c : episodes.values()) out.add(100 * c.f1());
        return out;
    }

    /** {@code precision}, {@code recall}, {@code f1} in percent, and the raw counts. */
    public static Map<String, Object> figures(Counts c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("precision", round(100 * c.precision()));
        m.put("recall", round(100 * c.recall()));
        m.put("f1", round(100 * c.f1()));
        m.put("tp", c.tp());
        m.put("fp", c.fp());
        m.put("fn", c.fn());
        return m;
    }

    /** Rounds to 4 decimals (results files stay readable; 0.01 F1 is the agreement asked for). */
    public static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    /**
     * Every figure as a JSON-ready map. {@code aggregation} picks the top-level {@code micro}:
     * {@link Aggregation#POOLED} (Few-NERD, K-shot) or {@link Aggregation#MEAN_OVER_EPISODES}
     * (cross-dataset: mean of the per-sample figures).
     */
    public Map<String, Object> summary(Aggregation aggregation) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> micro;
        if (aggregation == Aggregation.POOLED) {
            micro = figures(pooled);
        } else {
            micro = new LinkedHashMap<>();
            micro.put("precision", round(episodePrecision().mean()));
            micro.put("recall", round(episodeRecall().mean()));
            micro.put("f1", round(episodeF1().mean()));
            micro.put("f1_std", round(episodeF1().std()));
        }
        m.put("aggregation", aggregation.id);
        m.put("micro", micro);
        m.put("pooled", figures(pooled));
        Map<String, Object> ep = new LinkedHashMap<>();
        ep.put("n", episodes.size());
        ep.put("f1_mean", round(episodeF1().mean()));
        ep.put("f1_std", round(episodeF1().std()));
        ep.put("precision_mean", round(episodePrecision().mean()));
        ep.put("recall_mean", round(episodeRecall().mean()));
        m.put("episodes", ep);
        m.put("query_sentences", sentences);
        Map<String, Object> types = new LinkedHashMap<>();
        perType.forEach((t, c) -> types.put(t, figures(c)));
        m.put("per_type", types);
        return m;
    }

    /** Which figure is the headline {@code micro}. */
    public enum Aggregation {
        /** TP/FP/FN summed over all query sentences of all episodes (Few-NERD's rule). */
        POOLED("pooled"),
        /** Mean over episodes (support samples) of each one's pooled figures. */
        MEAN_OVER_EPISODES("mean_over_episodes");

        public final String id;

        Aggregation(String id) {
            this.id = id;
        }

        public static Aggregation of(String id) {
            for (Aggregation a : values()) if (a.id.equals(id)) return a;
            throw new IllegalArgumentException("unknown aggregation '" + id + "'");
        }
    }
}
