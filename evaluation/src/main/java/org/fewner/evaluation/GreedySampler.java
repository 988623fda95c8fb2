package org.fewner.evaluation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.fewner.common.FewNerException;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;

/**
 * K-shot sampling as Few-NERD's greedy sampler does it ({@code util/fewshotsampler.py}, papers.md
 * 6.3), with every type of the file as a target: candidate sentences are those with at least one
 * entity; they are visited in a seeded random order, and one is accepted when adding it keeps every
 * type's entity count at most 2K and at least one of its types is still below K. Sampling stops
 * when every type has at least K entities. Counts are entities (chunks), so a type may end with up
 * to 2K.
 *
 * <p>Few-NERD's sampler redraws forever; here one seeded pass over all candidates is made, and a
 * type that cannot reach K within it is an error naming the type.
 */
public final class GreedySampler {
    private GreedySampler() {}

    /**
     * Indices into {@code sentences} of the sample, in acceptance order.
     *
     * @param types the target types (each needs at least K entities)
     */
    public static List<Integer> sample(
            List<LabeledSentence> sentences, List<String> types, int k, long seed, String file) {
        if (k < 1) throw new FewNerException("--k " + k + ": expected K >= 1");
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < sentences.size(); i++) {
            if (!sentences.get(i).mentions().isEmpty()) candidates.add(i);
        }
        Collections.shuffle(candidates, new Random(seed));
        Map<String, Integer> count = new HashMap<>();
        for (String t : types) count.put(t, 0);
        List<Integer> chosen = new ArrayList<>();
        for (int i : candidates) {
            if (done(count, k)) break;
            Map<String, Integer> add = new HashMap<>();
            for (Mention m : sentences.get(i).mentions()) add.merge(m.label(), 1, Integer::sum);
            boolean ok = true;
            boolean useful = false;
            for (var e : add.entrySet()) {
                Integer have = count.get(e.getKey());
                if (have == null || have + e.getValue() > 2 * k) {
                    ok = false;
                    break;
                }
                if (have < k) useful = true;
            }
            if (ok && useful) {
                chosen.add(i);
                add.forEach((t, n) -> count.merge(t, n, Integer::sum));
            }
        }
        List<String> short_ = new ArrayList<>();
        for (String t : types) if (count.get(t) < k) short_.add(t + " (" + count.get(t) + ")");
        if (!short_.isEmpty()) {
            throw new FewNerException(
                    file
                            + ": cannot sample "
                            + k
                            + " entities of type(s) "
                            + short_
                            + " with at most "
                            + (2 * k)
                            + " of any type per sample (Few-NERD's greedy rule)");
        }
        return chosen;
    }

    private static boolean done(Map<String, Integer> count, int k) {
        for (int c : count.values()) if (c < k) return false;
        return true;
    }
}
