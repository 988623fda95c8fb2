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
 * LoRAHub composition (Huang et al. 2023; used by BANER for domain alignment), as sail-sg/lorahub's
 * {@code algorithm.py} does it: N adapters of one base and rank are combined element-wise per
 * module, {@code A = Σ wᵢAᵢ}, {@code B = Σ wᵢBᵢ}; the weights start at 0, stay in [−1.5, 1.5], and
 * are searched without gradients to minimise {@code taskLoss + 0.05 · mean|w|}. The search is
 * Apache Commons Math's {@link CMAESOptimizer} with {@link SimpleBounds} (LoRAHub uses nevergrad's
 * NGOpt; CMA-ES is what NGOpt picks for small continuous budgets).
 *
 * <p>Note: A and B are summed separately, so {@code ΔW = Σᵢⱼ wᵢwⱼ BᵢAⱼ} is quadratic in w, and w
 * and −w give the same adapter. Compare weights by magnitude.
 */
public final class LoraHub {
    private static final Logger LOG = LoggerFactory.getLogger(LoraHub.class);

    /** Name under which candidates are made resident while searching. */
    public static final String CANDIDATE = "lorahub.candidate";

    private LoraHub() {}

    /**
     * Search settings.
     *
     * @param maxEvaluations task-loss evaluations at most (LoRAHub's {@code max_inference_step};
     *     the w = 0 start counts)
     * @param l1 weight of the mean-|w| regulariser (LoRAHub: 0.05)
     * @param bound weights live in [−bound, bound] (LoRAHub: 1.5)
     * @param sigma CMA-ES initial step size per weight
     * @param seed CMA-ES random seed (the search is deterministic given the seed and a
     *     deterministic loss)
     */
    public record Settings(int maxEvaluations, double l1, double bound, double sigma, long seed) {
        public static Settings defaults() {
            return new Settings(100, 0.05, 1.5, 0.5, 42);
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
        compose(sources, new double[n]); // checks compatibility before any evaluation
        double[] best = new double[n];
        double[] bestVals = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY}; // objective, loss
        int[] evals = {0};
        java.util.function.Function<double[], Double> objective =
                w -> {
                    registry.add(CANDIDATE, compose(sources, w));
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
                cma.optimize(
                        new MaxEval(Math.max(1, s.maxEvaluations() - 1)),
                        new ObjectiveFunction(objective::apply),
                        GoalType.MINIMIZE,
                        new InitialGuess(new double[n]),
                        new SimpleBounds(lo, hi),
                        new CMAESOptimizer.Sigma(sigma),
                        new CMAESOptimizer.PopulationSize(population));
            } catch (TooManyEvaluationsException budgetSpent) {
                // the budget is the stopping rule, as in LoRAHub; the best point is tracked above
            }
        } finally {
            registry.remove(CANDIDATE);
        }
        LoraAdapter composed = compose(sources, best);
        ObjectNode extra = composed.config().extra().deepCopy();
        ObjectNode hub = extra.putObject("fewner_lorahub");
        ArrayNode ws = hub.putArray("weights");
        for (double x : best) {
            ws.add(x);
        }
        hub.put("task_loss", bestVals[1]);
        hub.put("start_loss", startLoss);
        hub.put("evaluations", evals[0]);
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
