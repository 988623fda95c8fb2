package org.fewner.training.span;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Few-NERD's greedy N-way K~2K-shot sampler ({@code util/fewshotsampler.py}, papers.md §6.3) over
 * the sentences of one corpus.
 *
 * <p>Draw N target classes; repeatedly draw a random candidate sentence and accept it when it is
 * not chosen yet, adding it keeps every target class at most 2K entities, and at least one of its
 * target classes is still below K; stop when every class has K. The query is sampled the same way
 * from the remaining sentences. In <em>strict</em> mode (Few-NERD's) a candidate may carry only
 * target classes; in <em>relaxed</em> mode (our default for source training) it may also carry
 * other classes, whose entities then count as non-entities of the episode, as entities of other
 * types do in Few-NERD's test episodes. Counts are entities (spans) per class.
 */
public final class EpisodeSampler {
    /** Tries per greedy set before giving up on a class draw. */
    static final int MAX_TRIES = 2000;

    private final List<Map<String, Integer>> counts;

    /**
     * @param counts per sentence, entities per class (empty map: a sentence without entities)
     */
    public EpisodeSampler(List<Map<String, Integer>> counts) {
        this.counts = counts;
    }

    /** A sampled episode: target classes, support and query sentence indices. */
    public record Episode(List<String> types, List<Integer> support, List<Integer> query) {}

    /**
     * Samples one episode; null when {@code attempts} class draws all failed.
     *
     * @param classes the classes to draw from
     * @param n ways (capped at the number of classes)
     * @param k shots (each class gets K to 2K entities)
     * @param q query shots
     */
    public Episode sample(
            List<String> classes, int n, int k, int q, boolean strict, Random rng, int attempts) {
        int ways = Math.min(n, classes.size());
        for (int a = 0; a < attempts; a++) {
            List<String> pool = new ArrayList<>(classes);
            Collections.shuffle(pool, rng);
            List<String> targets = new ArrayList<>(pool.subList(0, ways));
            Set<String> targetSet = new HashSet<>(targets);
            List<Integer> candidates = new ArrayList<>();
            for (int i = 0; i < counts.size(); i++) {
                Map<String, Integer> c = counts.get(i);
                if (c.isEmpty()) {
                    continue;
                }
                boolean anyTarget = false;
                boolean allTargets = true;
                for (String t : c.keySet()) {
                    if (targetSet.contains(t)) {
                        anyTarget = true;
                    } else {
                        allTargets = false;
                    }
                }
                if (anyTarget && (!strict || allTargets)) {
                    candidates.add(i);
                }
            }
            if (candidates.isEmpty()) {
                continue;
            }
            List<Integer> support = greedy(candidates, targets, k, Set.of(), rng);
            if (support == null) {
                continue;
            }
            List<Integer> query = greedy(candidates, targets, q, new HashSet<>(support), rng);
            if (query == null) {
                continue;
            }
            return new Episode(targets, support, query);
        }
        return null;
    }

    /** One greedy K~2K set from {@code candidates}, or null. */
    List<Integer> greedy(
            List<Integer> candidates,
            List<String> targets,
            int k,
            Set<Integer> exclude,
            Random rng) {
        Map<String, Integer> have = new LinkedHashMap<>();
        targets.forEach(t -> have.put(t, 0));
        List<Integer> chosen = new ArrayList<>();
        Set<Integer> chosenSet = new HashSet<>();
        for (int tries = 0; tries < MAX_TRIES && !complete(have, k); tries++) {
            int i = candidates.get(rng.nextInt(candidates.size()));
            if (exclude.contains(i) || chosenSet.contains(i)) {
                continue;
            }
            Map<String, Integer> c = counts.get(i);
            boolean fits = true;
            boolean helps = false;
            for (String t : targets) {
                int add = c.getOrDefault(t, 0);
                if (have.get(t) + add > 2 * k) {
                    fits = false;
                }
                if (add > 0 && have.get(t) < k) {
                    helps = true;
                }
            }
            if (!fits || !helps) {
                continue;
            }
            chosen.add(i);
            chosenSet.add(i);
            for (String t : targets) {
                have.merge(t, c.getOrDefault(t, 0), Integer::sum);
            }
        }
        return complete(have, k) ? chosen : null;
    }

    private static boolean complete(Map<String, Integer> have, int k) {
        for (int v : have.values()) {
            if (v < k) {
                return false;
            }
        }
        return true;
    }
}
