package org.fewner.llm.generation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.fewner.common.FewNerException;

/**
 * Greedy (beams = 1) and beam search under a {@link SpanConstraint}: at each step only the
 * automaton's allowed tokens are candidates; scores are sums of the model's log-probabilities
 * (softmax over the full vocabulary). Search stops when the best finished answer beats every live
 * hypothesis, or after {@code maxNewTokens}.
 */
public final class ConstrainedSearch {
    private ConstrainedSearch() {}

    /**
     * The result of a search.
     *
     * @param tokens generated token ids (end token included when finished)
     * @param spans the answer's spans with character offsets
     * @param finished whether the answer reached an end token (false: cut at maxNewTokens; the
     *     spans completed so far are still exact)
     * @param score sum of log-probabilities
     */
    public record Result(long[] tokens, List<Span> spans, boolean finished, double score) {}

    private record Hyp(long[] tokens, ConstraintState state, double score, int row) {}

    public static Result run(
            StepModel model,
            long[] prompt,
            SpanConstraint constraint,
            int beams,
            int maxNewTokens) {
        if (beams < 1) {
            throw new FewNerException("beams must be >= 1, got " + beams);
        }
        if (maxNewTokens < 1) {
            throw new FewNerException("max new tokens must be >= 1, got " + maxNewTokens);
        }
        float[][] logits = {model.prefill(prompt)};
        List<Hyp> live = List.of(new Hyp(new long[0], constraint.start(), 0, 0));
        List<Hyp> done = new ArrayList<>();
        for (int step = 0; step < maxNewTokens && !live.isEmpty(); step++) {
            List<Hyp> cand = new ArrayList<>();
            for (Hyp h : live) {
                double[] lp = logSoftmax(logits[h.row]);
                long[] allowed = h.state.allowed();
                // keep the best `beams` extensions of each hypothesis
                List<long[]> ext = new ArrayList<>();
                for (long t : allowed) {
                    ext.add(new long[] {t});
                }
                ext.sort(Comparator.comparingDouble(e -> -lp[(int) e[0]]));
                for (int i = 0; i < Math.min(beams, ext.size()); i++) {
                    long t = ext.get(i)[0];
                    long[] toks = java.util.Arrays.copyOf(h.tokens, h.tokens.length + 1);
                    toks[toks.length - 1] = t;
                    cand.add(new Hyp(toks, h.state.next(t), h.score + lp[(int) t], h.row));
                }
            }
            cand.sort(Comparator.comparingDouble(h -> -h.score));
            List<Hyp> next = new ArrayList<>();
            for (Hyp h : cand) {
                if (h.state.isDone()) {
                    done.add(h);
                } else if (next.size() < beams) {
                    next.add(h);
                }
            }
            done.sort(Comparator.comparingDouble(h -> -h.score));
            // scores only fall as tokens are added: no live hypothesis can beat a better finished
            // one
            if (!done.isEmpty() && (next.isEmpty() || done.get(0).score >= next.get(0).score)) {
                live = List.of();
                break;
            }
            if (next.isEmpty() || step == maxNewTokens - 1) {
                live = next;
                break;
            }
            int[] parents = new int[next.size()];
            long[] tokens = new long[next.size()];
            List<Hyp> renumbered = new ArrayList<>();
            for (int r = 0; r < next.size(); r++) {
                Hyp h = next.get(r);
                parents[r] = h.row;
                tokens[r] = h.tokens[h.tokens.length - 1];
                renumbered.add(new Hyp(h.tokens, h.state, h.score, r));
            }
            logits = model.step(parents, tokens);
            live = renumbered;
        }
        if (!done.isEmpty()) {
            Hyp best = done.get(0);
            return new Result(best.tokens, best.state.spans(), true, best.score);
        }
        Hyp best = live.isEmpty() ? new Hyp(new long[0], constraint.start(), 0, 0) : live.get(0);
        return new Result(best.tokens, best.state.spans(), false, best.score);
    }

    static double[] logSoftmax(float[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : x) {
            sum += Math.exp(v - max);
        }
        double log = max + Math.log(sum);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - log;
        }
        return out;
    }
}
