package org.fewner.llm.lora;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.CMAESOptimizer;
import org.apache.commons.math3.random.MersenneTwister;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LoRAHub composition (Huang et al. 2023; used by BANER for domain alignment): N adapters of one
 * base and rank are combined per module with weights w searched without gradients to minimise
 * {@code taskLoss + l1 · mean|w|}, weights in [−1.5, 1.5] (sail-sg/lorahub's {@code algorithm.py}).
 * The search is Apache Commons Math's {@link CMAESOptimizer} with {@link SimpleBounds} (LoRAHub
 * uses nevergrad's NGOpt; CMA-ES is what NGOpt picks for small continuous budgets). Before it, the
 * search evaluates w = 0 (the base), every single adapter (w = eᵢ) and the uniform average (w =
 * 1/N), and CMA-ES starts from the best of these, so the result is never worse than the best single
 * adapter on the task loss.
 *
 * <p>Two combination rules ({@link Combination}): LoRAHub's own {@link Combination#LINEAR} sums A
 * and B element-wise, so {@code ΔW = Σᵢⱼ wᵢwⱼ BᵢAⱼ} is quadratic in w with cross terms BᵢAⱼ that
 * neither adapter was trained with; {@link Combination#CAT} (PEFT's {@code
 * add_weighted_adapter(..., combination_type="cat")}) concatenates the factors along the rank, so
 * {@code ΔW = Σᵢ wᵢ sᵢ BᵢAᵢ} exactly, at N times the rank. training/docs/generative.md measures
 * both on the NER loss.
 */
public final class LoraHub {
    private static final Logger LOG = LoggerFactory.getLogger(LoraHub.class);

    /** Name under which candidates are made resident while searching. */
    public static final String CANDIDATE = "lorahub.candidate";

    private LoraHub() {}

    /** How the factors of the sources are combined. */
    public enum Combination {
        /**
         * LoRAHub's rule: {@code A = Σ wᵢAᵢ}, {@code B = Σ wᵢBᵢ} (rank unchanged; ΔW quadratic in
         * w, w and −w give the same adapter).
         */
        LINEAR,
        /**
         * Rank concatenation: {@code A = [A₁; …; Aₙ]}, {@code B = [w₁B₁, …, wₙBₙ]}, so {@code ΔW =
         * Σ wᵢ sᵢ BᵢAᵢ} exactly (rank N·r).
         */
        CAT;

        /** Parses {@code linear} or {@code cat} (case-insensitive). */
        public static Combination parse(String s) {
            for (Combination c : values()) {
                if (c.name().equalsIgnoreCase(s)) {
                    return c;
                }
            }
            throw new IllegalArgumentException(
                    "unknown combination '" + s + "': expected linear or cat");
        }
    }

    /**
     * Search settings.
     *
     * @param maxEvaluations task-loss evaluations at most (LoRAHub's {@code max_inference_step};
     *     the w = 0 start, the single adapters and their average count)
     * @param l1 weight of the mean-|w| regulariser (LoRAHub: 0.05)
     * @param bound weights live in [−bound, bound] (LoRAHub: 1.5)
     * @param sigma CMA-ES initial step size per weight
     * @param seed CMA-ES random seed (the search is deterministic given the seed and a
     *     deterministic loss)
     * @param combination how the factors are combined
     */
    public record Settings(
            int maxEvaluations,
            double l1,
            double bound,
            double sigma,
            long seed,
            Combination combination) {
        public static Settings defaults() {
            return new Settings(100, 0.05, 1.5, 0.5, 42, Combination.CAT);
        }
    }

    /**
     * What the search found.
     *
     * @param weights the best weights, one per source adapter
     * @param startLoss task loss at w = 0 (the base model alone)
     * @param bestLoss task loss at {@link #weights}
     * @param objective bestLoss + l1 · mean|w|
     * @param evaluations task-loss evaluations made
     * @param adapter the composed adapter, an ordinary adapter that can be saved
     */
    public record Result(
            double[] weights,
            double startLoss,
            double bestLoss,
            double objective,
            int evaluations,
            LoraAdapter adapter) {}

    /**
     * The element-wise composition: per module {@code A = Σ wᵢAᵢ}, {@code B = Σ wᵢ (sᵢ/s₀) Bᵢ},
     * where sᵢ is source i's scale of that module (the ratio is 1 when the sources share alpha, r
     * and rsLoRA, as LoRAHub assumes). The result has source 0's config. Sources must name the same
     * modules with the same ranks.
     */
    public static LoraAdapter compose(List<LoraAdapter> sources, double[] w) {
        return compose(sources, w, Combination.LINEAR);
    }

    /** Composes by {@code rule}: {@link #compose(List, double[])} or {@link #concatenate}. */
    public static LoraAdapter compose(List<LoraAdapter> sources, double[] w, Combination rule) {
        return rule == Combination.CAT ? concatenate(sources, w) : linear(sources, w);
    }

    /**
     * The rank concatenation ({@link Combination#CAT}): per module {@code A = [A₁; …; Aₙ]} ([N·r,
     * in]) and {@code B = [c₁B₁, …, cₙBₙ]} ([out, N·r]) with {@code cᵢ = wᵢ sᵢ / s}, sᵢ source i's
     * scale of the module and s the result's, so that {@code s·B·A = Σ wᵢ sᵢ BᵢAᵢ}. The result has
     * source 0's config with every rank (r and rank_pattern) times N.
     */
    public static LoraAdapter concatenate(List<LoraAdapter> sources, double[] w) {
        checkCompatible(sources, w);
        int n = sources.size();
        LoraConfig c0 = sources.get(0).config();
        Map<String, Integer> ranks = new LinkedHashMap<>();
        c0.rankPattern().forEach((k, v) -> ranks.put(k, v * n));
        LoraConfig cat =
                new LoraConfig(
                        c0.r() * n,
                        c0.loraAlpha(),
                        c0.loraDropout(),
                        c0.targetModules(),
                        c0.useRslora(),
                        c0.layersToTransform(),
                        c0.layersPattern(),
                        c0.excludeModules(),
                        ranks,
                        c0.alphaPattern(),
                        c0.baseModelNameOrPath(),
                        c0.taskType(),
                        c0.inferenceMode(),
                        c0.extra());
        Map<String, LoraAdapter.Module> out = new LinkedHashMap<>();
        for (Map.Entry<String, LoraAdapter.Module> e : sources.get(0).modules().entrySet()) {
            LoraAdapter.Module m0 = e.getValue();
            int r = m0.r();
            int in = m0.in();
            int o = m0.out();
            double s = cat.scaleOf(e.getKey());
            float[] a = new float[n * r * in];
            float[] b = new float[o * n * r];
            for (int i = 0; i < n; i++) {
                LoraAdapter.Module m = sources.get(i).modules().get(e.getKey());
                System.arraycopy(m.a(), 0, a, i * r * in, r * in);
                double c = w[i] * sources.get(i).config().scaleOf(e.getKey()) / s;
                for (int row = 0; row < o; row++) {
                    for (int k = 0; k < r; k++) {
                        b[row * n * r + i * r + k] = (float) (c * m.b()[row * r + k]);
                    }
                }
            }
            out.put(e.getKey(), new LoraAdapter.Module(n * r, in, o, a, b));
        }
        return new LoraAdapter(cat, out, sources.get(0).heads());
    }

    private static LoraAdapter linear(List<LoraAdapter> sources, double[] w) {
        checkCompatible(sources, w);
        LoraAdapter first = sources.get(0);
        Map<String, LoraAdapter.Module> out = new LinkedHashMap<>();
        for (Map.Entry<String, LoraAdapter.Module> e : first.modules().entrySet()) {
            LoraAdapter.Module m0 = e.getValue();
            double s0 = first.config().scaleOf(e.getKey());
            double[] a = new double[m0.a().length];
            double[] b = new double[m0.b().length];
            for (int i = 0; i < sources.size(); i++) {
                LoraAdapter.Module m = sources.get(i).modules().get(e.getKey());
                double wa = w[i];
                double wb = w[i] * sources.get(i).config().scaleOf(e.getKey()) / s0;
                for (int j = 0; j < a.length; j++) {
                    a[j] += wa * m.a()[j];
                }
                for (int j = 0; j < b.length; j++) {
                    b[j] += wb * m.b()[j];
                }
            }
            out.put(
                    e.getKey(),
                    new LoraAdapter.Module(m0.r(), m0.in(), m0.out(), toFloats(a), toFloats(b)));
        }
        return new LoraAdapter(first.config(), out, first.heads());
    }

    private static void checkCompatible(List<LoraAdapter> sources, double[] w) {
        if (sources.isEmpty() || w.length != sources.size()) {
            throw new IllegalArgumentException(
                    "need one weight per adapter: "
                            + sources.size()
                            + " adapters, "
                            + w.length
                            + " weights");
        }
        LoraAdapter first = sources.get(0);
        for (int i = 1; i < sources.size(); i++) {
            LoraAdapter s = sources.get(i);
            if (!s.modules().keySet().equals(first.modules().keySet())) {
                throw new AdapterException(
                        "LoRAHub needs adapters of the same modules: adapter "
                                + i
                                + " has "
                                + s.modules().size()
                                + " modules "
                                + differences(first, s)
                                + ", adapter 0 has "
                                + first.modules().size());
            }
            for (Map.Entry<String, LoraAdapter.Module> e : s.modules().entrySet()) {
                LoraAdapter.Module m0 = first.modules().get(e.getKey());
                LoraAdapter.Module m = e.getValue();
                if (m.r() != m0.r() || m.in() != m0.in() || m.out() != m0.out()) {
                    throw new AdapterException(
                            "LoRAHub needs adapters of the same rank and shapes: module "
                                    + e.getKey()
                                    + " is r="
                                    + m.r()
                                    + " ["
                                    + m.out()
                                    + "x"
                                    + m.in()
                                    + "] in adapter "
                                    + i
                                    + " but r="
                                    + m0.r()
                                    + " ["
                                    + m0.out()
                                    + "x"
                                    + m0.in()
                                    + "] in adapter 0");
                }
            }
        }
    }

    /**
     * Searches the weights on {@code registry}'s backbone: each candidate is made resident as
     * {@link #CANDIDATE}, {@code loss} is evaluated with that name, and the candidate is removed at
     * the end.
     */
    public static Result search(
            AdapterRegistry registry, List<LoraAdapter> sources, TaskLoss loss, Settings s) {
        int n = sources.size();
        if (n == 0) {
            throw new AdapterException("LoRAHub needs at least one adapter");
        }
        checkCompatible(sources, new double[n]); // before any evaluation
        double[] best = new double[n];
        double[] bestVals = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY}; // objective, loss
        int[] evals = {0};
        java.util.function.Function<double[], Double> objective =
                w -> {
                    registry.add(CANDIDATE, compose(sources, w, s.combination()));
                    double l = loss.loss(registry.backbone(), CANDIDATE);
                    if (!Double.isFinite(l)) {
                        throw new IllegalStateException(
                                "task loss is " + l + " at weights " + Arrays.toString(w));
                    }
                    double reg = 0;
                    for (double x : w) {
                        reg += Math.abs(x);
                    }
                    double obj = l + s.l1() * reg / n;
                    evals[0]++;
                    if (obj < bestVals[0]) {
                        bestVals[0] = obj;
                        bestVals[1] = l;
                        System.arraycopy(w, 0, best, 0, n);
                    }
                    LOG.debug(
                            "LoRAHub eval {}: w={} loss={} objective={}",
                            evals[0],
                            Arrays.toString(w),
                            l,
                            obj);
                    return obj;
                };
        double startLoss;
        try {
            startLoss = objective.apply(new double[n]);
            // the single adapters and their average are candidates too: LoRAHub's search from w = 0
            // alone may miss a corner that is better than anything it finds (on the NER loss it
            // did, training/docs/generative.md); CMA-ES then starts from the best of them
            List<double[]> seeds = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double[] e = new double[n];
                e[i] = 1;
                seeds.add(e);
            }
            double[] avg = new double[n];
            Arrays.fill(avg, 1.0 / n);
            seeds.add(avg);
            for (double[] c : seeds) {
                if (evals[0] < s.maxEvaluations() - 1) {
                    objective.apply(c);
                }
            }
            double[] start = best.clone();
            double[] lo = new double[n];
            double[] hi = new double[n];
            double[] sigma = new double[n];
            Arrays.fill(lo, -s.bound());
            Arrays.fill(hi, s.bound());
            Arrays.fill(sigma, s.sigma());
            CMAESOptimizer cma =
                    new CMAESOptimizer(
                            Integer.MAX_VALUE,
                            Double.NEGATIVE_INFINITY,
                            true,
                            0,
                            0,
                            new MersenneTwister(s.seed()),
                            false,
                            null);
            int population = 4 + (int) Math.floor(3 * Math.log(n));
            try {
                if (evals[0] >= s.maxEvaluations()) {
                    throw new TooManyEvaluationsException(s.maxEvaluations());
                }
                cma.optimize(
                        new MaxEval(Math.max(1, s.maxEvaluations() - evals[0])),
                        new ObjectiveFunction(objective::apply),
                        GoalType.MINIMIZE,
                        new InitialGuess(start),
                        new SimpleBounds(lo, hi),
                        new CMAESOptimizer.Sigma(sigma),
                        new CMAESOptimizer.PopulationSize(population));
            } catch (TooManyEvaluationsException budgetSpent) {
                // the budget is the stopping rule, as in LoRAHub; the best point is tracked above
            }
        } finally {
            registry.remove(CANDIDATE);
        }
        LoraAdapter composed = compose(sources, best, s.combination());
        ObjectNode extra = composed.config().extra().deepCopy();
        ObjectNode hub = extra.putObject("fewner_lorahub");
        ArrayNode ws = hub.putArray("weights");
        for (double x : best) {
            ws.add(x);
        }
        hub.put("task_loss", bestVals[1]);
        hub.put("start_loss", startLoss);
        hub.put("evaluations", evals[0]);
        hub.put("combination", s.combination().name().toLowerCase(java.util.Locale.ROOT));
        composed =
                new LoraAdapter(
                        composed.config().withExtra(extra), composed.modules(), composed.heads());
        return new Result(best.clone(), startLoss, bestVals[1], bestVals[0], evals[0], composed);
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static String differences(LoraAdapter a, LoraAdapter b) {
        List<String> d = new ArrayList<>(b.modules().keySet());
        d.removeAll(a.modules().keySet());
        return d.isEmpty() ? "" : "(extra: " + d.subList(0, Math.min(3, d.size())) + ")";
    }
}
