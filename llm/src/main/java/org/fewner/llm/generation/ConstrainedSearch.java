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
        return runBatch(
                        model,
                        new long[][] {prompt},
                        List.of(constraint),
                        beams,
                        new int[] {maxNewTokens})
                .get(0);
    }

    /** The state of one prompt's search within a batch. */
    private static final class Problem {
        final SpanConstraint constraint;
        final int maxNewTokens;
        List<Hyp> live;
        final List<Hyp> done = new ArrayList<>();
        int step;
        Hyp last;

        Problem(SpanConstraint constraint, int maxNewTokens, int row) {
            this.constraint = constraint;
            this.maxNewTokens = maxNewTokens;
            this.live = List.of(new Hyp(new long[0], constraint.start(), 0, row));
        }
    }

    /**
     * Several searches at once, one per prompt, each with its own constraint and token budget:
     * every model call runs the live hypotheses of all unfinished prompts as the rows of one batch
     * (prompt i's prefill is row i; afterwards rows are renumbered every step), and each prompt's
     * search makes exactly the choices {@link #run} makes for it alone. A prompt drops out of the
     * batch when its search ends.
     *
     * @return one result per prompt, in order
     */
    public static List<Result> runBatch(
            StepModel model,
            long[][] prompts,
            List<SpanConstraint> constraints,
            int beams,
            int[] maxNewTokens) {
        if (beams < 1) {
            throw new FewNerException("beams must be >= 1, got " + beams);
        }
        if (prompts.length != constraints.size() || prompts.length != maxNewTokens.length) {
            throw new IllegalArgumentException(
                    prompts.length
                            + " prompts, "
                            + constraints.size()
                            + " constraints, "
                            + maxNewTokens.length
                            + " token budgets: need one of each per prompt");
        }
        for (int m : maxNewTokens) {
            if (m < 1) {
                throw new FewNerException("max new tokens must be >= 1, got " + m);
            }
        }
        List<Problem> problems = new ArrayList<>();
        for (int i = 0; i < prompts.length; i++) {
            problems.add(new Problem(constraints.get(i), maxNewTokens[i], i));
        }
        if (prompts.length == 0) {
            return List.of();
        }
        float[][] logits = model.prefill(prompts);
        while (true) {
            List<Integer> parents = new ArrayList<>();
            List<Long> tokens = new ArrayList<>();
            for (Problem p : problems) {
                if (p.live.isEmpty()) {
                    continue;
                }
                List<Hyp> next = advance(p, logits, beams);
                List<Hyp> renumbered = new ArrayList<>();
                for (Hyp h : next) {
                    parents.add(h.row);
                    tokens.add(h.tokens[h.tokens.length - 1]);
                    renumbered.add(new Hyp(h.tokens, h.state, h.score, parents.size() - 1));
                }
                p.live = renumbered;
            }
            if (parents.isEmpty()) {
                break;
            }
            logits =
                    model.step(
                            parents.stream().mapToInt(Integer::intValue).toArray(),
                            tokens.stream().mapToLong(Long::longValue).toArray());
        }
        List<Result> out = new ArrayList<>();
        for (Problem p : problems) {
            if (!p.done.isEmpty()) {
                Hyp best = p.done.get(0);
                out.add(new Result(best.tokens, best.state.spans(), true, best.score));
            } else {
                Hyp best =
                        p.last == null ? new Hyp(new long[0], p.constraint.start(), 0, 0) : p.last;
                out.add(new Result(best.tokens, best.state.spans(), false, best.score));
            }
        }
        return out;
    }

    /**
     * One step of one prompt's search on the current logits (rows as numbered in its live
     * hypotheses): returns the hypotheses to extend by the model, or an empty list when the search
     * has ended (its result is then in {@code done}, or {@code last} when cut).
     */
    private static List<Hyp> advance(Problem p, float[][] logits, int beams) {
        List<Hyp> cand = new ArrayList<>();
        for (Hyp h : p.live) {
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
                p.done.add(h);
            } else if (next.size() < beams) {
                next.add(h);
            }
        }
        p.done.sort(Comparator.comparingDouble(h -> -h.score));
        int step = p.step++;
        // scores only fall as tokens are added: no live hypothesis can beat a better finished one
        if (!p.done.isEmpty() && (next.isEmpty() || p.done.get(0).score >= next.get(0).score)) {
            p.last = null;
            return List.of();
        }
        if (next.isEmpty() || step == p.maxNewTokens - 1) {
            p.last = next.isEmpty() ? null : next.get(0);
            return List.of();
        }
        return next;
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
