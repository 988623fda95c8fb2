package org.fewner.training.span;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.fewner.ner.Mention;
import org.fewner.training.data.TrainingExample;

/**
 * What one training step sees: the sentences' word rows, the detection candidates with their
 * labels, and the typing spans with their roles. Built in plain Java from an episode; the losses
 * ({@link SpanLosses}) turn it into tensors.
 */
public final class SpanBatch {
    /** Roles of typing rows. */
    public static final int SUPPORT = 0;

    public static final int QUERY = 1;

    /** A boundary-shifted negative of a query span (BANER's loss only). */
    public static final int SHIFTED = 2;

    public final List<TrainingExample> sentences = new ArrayList<>();
    public final List<Integer> offsets = new ArrayList<>();
    public int rows;

    // detection candidates (global word rows)
    // {b, e, width, b - 1, e + 1}; the last two are -1 outside the sentence
    public final List<int[]> candidates = new ArrayList<>();
    public final List<Float> candidateLabels = new ArrayList<>();

    // typing rows: global b, e (inclusive), class (-1 = none), role
    public final List<int[]> spans = new ArrayList<>();

    /** For BANER's loss: {query row, shifted row, class}. */
    public final List<int[]> boundaryPairs = new ArrayList<>();

    public int ways;

    int addSentence(TrainingExample ex) {
        sentences.add(ex);
        offsets.add(rows);
        rows += ex.words().size();
        return sentences.size() - 1;
    }

    /** Every span of width up to {@code maxWidth} of every sentence, labelled 1 when gold. */
    void addDetectionCandidates(int maxWidth) {
        for (int s = 0; s < sentences.size(); s++) {
            TrainingExample ex = sentences.get(s);
            int off = offsets.get(s);
            Set<Long> gold = new HashSet<>();
            for (Mention m : ex.mentions()) {
                gold.add(((long) m.start() << 32) | (m.end() - 1));
            }
            int t = ex.words().size();
            for (int b = 0; b < t; b++) {
                for (int w = 0; w < maxWidth && b + w < t; w++) {
                    int e = b + w;
                    candidates.add(
                            new int[] {
                                off + b,
                                off + e,
                                w,
                                b > 0 ? off + b - 1 : -1,
                                e + 1 < t ? off + e + 1 : -1
                            });
                    candidateLabels.add(gold.contains(((long) b << 32) | e) ? 1f : 0f);
                }
            }
        }
    }

    /**
     * The typing rows of an episode: support and query gold spans of the targets, and as "none"
     * query rows the query's other-class entities, boundary-shifted versions of its gold spans and
     * two random non-entity spans per query sentence; BANER's shifted negatives (start−1, start−2,
     * end+1, end+2) as {@link #SHIFTED} rows.
     */
    void addEpisodeSpans(
            List<String> types,
            List<Integer> supportIdx,
            List<Integer> queryIdx,
            List<String> qualifiedTypesSentence,
            boolean boundary,
            int maxWidth,
            Random rng) {
        ways = types.size();
        for (int s : supportIdx) {
            TrainingExample ex = sentences.get(s);
            for (Mention m : ex.mentions()) {
                int c = types.indexOf(ex.qualifiedType(m));
                if (c >= 0) {
                    spans.add(
                            new int[] {
                                offsets.get(s) + m.start(), offsets.get(s) + m.end() - 1, c, SUPPORT
                            });
                }
            }
        }
        for (int s : queryIdx) {
            TrainingExample ex = sentences.get(s);
            int off = offsets.get(s);
            int t = ex.words().size();
            Set<Long> gold = new HashSet<>();
            for (Mention m : ex.mentions()) {
                gold.add(((long) m.start() << 32) | (m.end() - 1));
            }
            Set<Long> used = new HashSet<>(gold);
            for (Mention m : ex.mentions()) {
                int c = types.indexOf(ex.qualifiedType(m));
                int b = m.start();
                int e = m.end() - 1;
                int row = spans.size();
                spans.add(new int[] {off + b, off + e, c, QUERY});
                if (c < 0) {
                    continue;
                }
                // boundary errors as "none" rows of the episode loss
                int[][] shifts = {{b - 1, e}, {b + 1, e}, {b, e - 1}, {b, e + 1}};
                for (int[] sh : shifts) {
                    long key = ((long) sh[0] << 32) | sh[1];
                    if (sh[0] >= 0
                            && sh[1] < t
                            && sh[0] <= sh[1]
                            && sh[1] - sh[0] < maxWidth
                            && used.add(key)) {
                        spans.add(new int[] {off + sh[0], off + sh[1], -1, QUERY});
                    }
                }
                if (boundary) {
                    int[][] banner = {{b - 1, e}, {b - 2, e}, {b, e + 1}, {b, e + 2}};
                    for (int[] sh : banner) {
                        long key = ((long) sh[0] << 32) | sh[1];
                        if (sh[0] >= 0 && sh[1] < t && !gold.contains(key)) {
                            int r = spans.size();
                            spans.add(new int[] {off + sh[0], off + sh[1], -1, SHIFTED});
                            boundaryPairs.add(new int[] {row, r, c});
                        }
                    }
                }
            }
            for (int r = 0; r < 2 && t > 0; r++) {
                int b = rng.nextInt(t);
                int e = Math.min(t - 1, b + rng.nextInt(3));
                long key = ((long) b << 32) | e;
                if (used.add(key)) {
                    spans.add(new int[] {off + b, off + e, -1, QUERY});
                }
            }
        }
    }
}
