package org.fewner.ner.span;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The span method's "mixed" typing and joint decoding, as small pure functions.
 *
 * <p>Each candidate span has two representations: {@code r}, the normalised mean of its
 * typing-layer word vectors (untrained), and {@code z}, the trained projection of {@code [h_b;
 * h_e]} ({@link SpanHeads#represent}). Each type has one prototype of each kind (the normalised
 * mean of the support spans' representations). With {@code cR_c = cos(r, R_c)} and {@code cP_c =
 * cos(z, P_c)}:
 *
 * <ul>
 *   <li>the span is <b>accepted</b> when {@code max_c cR_c >= meanMargin} and {@code max_c cP_c >=
 *       projMargin} (it resembles some support entity in both spaces; otherwise it is "no type");
 *   <li>its type is {@code argmax_c s_c} with {@code s_c = (1 − mix) cR_c + mix cP_c};
 *   <li>accepted spans are selected greedily without overlap by {@code key = p + similarityWeight ·
 *       max_c s_c + lengthBonus · width} ({@code p}: detection probability), so a span the typing
 *       rejects never blocks an overlapping one it accepts, of two overlapping candidates the one
 *       more like a support entity is favoured, and of two nested candidates the longer one a
 *       little (source-trained detectors cut Few-NERD's long names short). Adapters written before
 *       the similarity weight existed (no {@code similarity_weight}) keep their key {@code p ·
 *       max_c s_c + lengthBonus · width}.
 * </ul>
 *
 * <p>Why: on Few-NERD the untrained mean vectors type gold spans better than the trained projection
 * (5-way 1~2, first 200 episodes: 67.2 % vs 61.9 % INTER, 50.8 % vs 46.0 % INTRA), while the
 * projection rejects spans of types outside the episode better; mixing both and deciding jointly
 * uses the strength of each (training/docs/span.md has the measurements).
 */
public final class SpanDecoder {
    /**
     * @param mix weight of the projection's cosine in the type score
     * @param meanMargin minimum best cosine in the mean-vector space
     * @param projMargin minimum best cosine in the projection space
     * @param lengthBonus added to the selection key per word of width
     * @param similarityWeight weight of the type score in the additive selection key; null: the
     *     older product key {@code p · score}
     */
    public record Settings(
            double mix,
            double meanMargin,
            double projMargin,
            double lengthBonus,
            Double similarityWeight) {
        public Settings {
            if (!(mix >= 0 && mix <= 1)) {
                throw new IllegalArgumentException("mix must be in [0, 1], got " + mix);
            }
        }

        /** Settings with the older product key (adapters without {@code similarity_weight}). */
        public Settings(double mix, double meanMargin, double projMargin, double lengthBonus) {
            this(mix, meanMargin, projMargin, lengthBonus, null);
        }
    }

    /**
     * A scored candidate: words {@code [start, end)}, detection probability, the best type's index
     * (or -1: rejected), its score and the selection key.
     */
    public record Scored(
            int start, int end, double probability, int type, double score, double key) {}

    private SpanDecoder() {}

    /** Dot product of two vectors of one length. */
    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /**
     * Scores one candidate.
     *
     * @param r its normalised mean vector
     * @param z its normalised projection
     * @param meanProtos the types' normalised mean-vector prototypes
     * @param projProtos the types' normalised projection prototypes (same order)
     */
    public static Scored score(
            int start,
            int end,
            double probability,
            float[] r,
            float[] z,
            List<float[]> meanProtos,
            List<float[]> projProtos,
            Settings s) {
        double bestR = Double.NEGATIVE_INFINITY;
        double bestP = Double.NEGATIVE_INFINITY;
        double best = Double.NEGATIVE_INFINITY;
        int type = -1;
        for (int c = 0; c < meanProtos.size(); c++) {
            double cr = dot(r, meanProtos.get(c));
            double cp = dot(z, projProtos.get(c));
            bestR = Math.max(bestR, cr);
            bestP = Math.max(bestP, cp);
            double sc = (1 - s.mix()) * cr + s.mix() * cp;
            if (sc > best) {
                best = sc;
                type = c;
            }
        }
        boolean accepted = type >= 0 && bestR >= s.meanMargin() && bestP >= s.projMargin();
        double key =
                (s.similarityWeight() == null
                                ? probability * best
                                : probability + s.similarityWeight() * best)
                        + s.lengthBonus() * (end - start);
        return new Scored(start, end, probability, accepted ? type : -1, best, key);
    }

    /**
     * Greedy selection: accepted candidates by descending key (ties: the earlier, then the shorter
     * span), each kept unless it overlaps one already kept; returned in word order.
     */
    public static List<Scored> select(List<Scored> candidates) {
        List<Scored> c = new ArrayList<>();
        for (Scored x : candidates) {
            if (x.type() >= 0) {
                c.add(x);
            }
        }
        c.sort(
                Comparator.comparingDouble(Scored::key)
                        .reversed()
                        .thenComparingInt(Scored::start)
                        .thenComparingInt(Scored::end));
        List<Scored> kept = new ArrayList<>();
        for (Scored x : c) {
            boolean free = true;
            for (Scored y : kept) {
                if (x.start() < y.end() && y.start() < x.end()) {
                    free = false;
                    break;
                }
            }
            if (free) {
                kept.add(x);
            }
        }
        kept.sort(Comparator.comparingInt(Scored::start));
        return kept;
    }
}
