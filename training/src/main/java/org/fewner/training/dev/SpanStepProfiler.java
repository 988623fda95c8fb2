package org.fewner.training.dev;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.common.Json;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.training.data.TrainingExample;
import org.fewner.training.span.FeatureStore;
import org.fewner.training.span.SpanBatch;
import org.fewner.training.span.SpanLosses;
import org.fewner.training.span.SpanTrainer;
import org.fewner.training.span.SpanTrainingConfig;

/**
 * Where the time of one span-training step goes: replays {@link SpanTrainer#trainStep} phase by
 * phase (the same calls in the same order: batch, features, the clean pass, the FGM/PGD passes,
 * AdamW) with a clock around each phase, for {@code fewner bench span-train}. The replay is checked
 * against the trainer itself: after the same steps both must hold bit-identical heads ({@link
 * #heads()} against {@link SpanTrainer#heads()}), so a change of {@code trainStep} that the replay
 * does not follow shows up as a failed check rather than as wrong figures.
 *
 * <p>Phases (nanoseconds, summed over the step's passes): {@code batch} (episode sampling and the
 * candidate lists, plain Java), {@code features} (bfloat16 cache rows to float arrays, plain Java),
 * {@code upload} (parameters and inputs into libtorch), {@code forward} ({@link SpanLosses#compute}
 * and the weighted total: libtorch ops through DJL plus the Java that builds index arrays), {@code
 * backward} (autograd), {@code download} (gradients and loss values back to Java, accumulated),
 * {@code free} (closing the pass's arrays), {@code perturb} (the adversarial δ, plain Java), {@code
 * optimiser} (clipping and AdamW, plain Java).
 */
public final class SpanStepProfiler {
    /** Phase names in the order of a step. */
    public static final List<String> PHASES =
            List.of(
                    "batch",
                    "features",
                    "upload",
                    "forward",
                    "backward",
                    "download",
                    "free",
                    "perturb",
                    "optimiser");

    /**
     * One step's figures.
     *
     * @param nanos nanoseconds per phase ({@link #PHASES})
     * @param words word rows of the batch (the tokens of tokens/s)
     * @param sentences sentences of the batch
     * @param candidates detection candidates
     * @param spans typing rows
     * @param passes forward/backward passes (1 + adversarial passes)
     * @param matmulFlops FLOPs of the step's matrix products, forward and backward, all passes
     *     ({@link #matmulFlops})
     */
    public record Step(
            Map<String, Long> nanos,
            int words,
            int sentences,
            int candidates,
            int spans,
            int passes,
            double matmulFlops) {
        public long totalNanos() {
            return nanos.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final SpanTrainer trainer;
    private final SpanTrainingConfig config;
    private final FeatureStore store;

    public SpanStepProfiler(
            SpanTrainingConfig config, List<TrainingExample> examples, FeatureStore store) {
        this.trainer = new SpanTrainer(config, examples, store);
        this.config = config;
        this.store = store;
    }

    /** A plain trainer on the same data, to time {@link SpanTrainer#trainStep} as it runs. */
    public static SpanTrainer trainer(
            SpanTrainingConfig config, List<TrainingExample> examples, FeatureStore store) {
        return new SpanTrainer(config, examples, store);
    }

    /** Runs one real training step of {@code t} and returns its wall nanoseconds. */
    public static long timeTrainStep(SpanTrainer t, NDManager root) {
        long t0 = System.nanoTime();
        t.trainStep(root);
        return System.nanoTime() - t0;
    }

    /** The batch shapes of step {@code s} as JSON, for the PyTorch baseline (same shapes). */
    public static ObjectNode batchJson(SpanTrainer t, int s) {
        SpanBatch b = t.batch(s);
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("rows", b.rows);
        o.put("sentences", b.sentences.size());
        o.put("ways", b.ways);
        ArrayNode c = o.putArray("candidates");
        for (int i = 0; i < b.candidates.size(); i++) {
            int[] x = b.candidates.get(i);
            c.addArray().add(x[0]).add(x[1]).add(x[2]).add((int) (float) b.candidateLabels.get(i));
        }
        ArrayNode sp = o.putArray("spans");
        for (int[] x : b.spans) {
            sp.addArray().add(x[0]).add(x[1]).add(x[2]).add(x[3]);
        }
        ArrayNode bp = o.putArray("boundary_pairs");
        for (int[] x : b.boundaryPairs) {
            bp.addArray().add(x[0]).add(x[1]).add(x[2]);
        }
        return o;
    }

    /**
     * What the PyTorch baseline's numeric check needs: the heads before step 0, the word vectors
     * and the batch of step 0, the loss terms of step 0 as {@code trainStep} logs them, and the
     * heads after it.
     */
    public record CheckData(
            Map<String, HostTensor> before,
            ObjectNode batch,
            float[] detectFeatures,
            float[] typeFeatures,
            Map<String, Double> losses,
            Map<String, HostTensor> after) {}

    /** Runs step 0 of a fresh trainer and records {@link CheckData}. */
    public static CheckData checkData(
            SpanTrainingConfig config,
            List<TrainingExample> examples,
            FeatureStore store,
            NDManager root) {
        SpanStepProfiler p = new SpanStepProfiler(config, examples, store);
        SpanTrainer t = p.trainer;
        Map<String, HostTensor> before = t.heads();
        SpanBatch b = t.batch(t.step());
        ObjectNode bj = batchJson(t, t.step());
        float[] xd = p.features(b, config.detectLayer());
        float[] xl = p.features(b, config.typeLayer());
        t.trainStep(root);
        return new CheckData(before, bj, xd, xl, new LinkedHashMap<>(t.lastLosses()), t.heads());
    }

    /** The replaying trainer's heads (to check against a trainer run with trainStep). */
    public Map<String, HostTensor> heads() {
        return trainer.heads();
    }

    public int step() {
        return trainer.step();
    }

    /** One training step, timed phase by phase; the same arithmetic as {@code trainStep}. */
    public Step step(NDManager root) {
        Map<String, Long> ns = new LinkedHashMap<>();
        PHASES.forEach(p -> ns.put(p, 0L));
        long t0 = System.nanoTime();
        SpanBatch b = trainer.batch(trainer.step());
        long t1 = System.nanoTime();
        float[] xd = features(b, config.detectLayer());
        float[] xl = features(b, config.typeLayer());
        long t2 = System.nanoTime();
        ns.merge("batch", t1 - t0, Long::sum);
        ns.merge("features", t2 - t1, Long::sum);
        Map<String, float[]> grads = trainer.loop().optimiser().zeroGradients();
        Map<String, Double> values = new LinkedHashMap<>();
        boolean adv = !config.adv().equals("none") && config.advEps() > 0;
        float[][] inGrads = adv ? new float[2][] : null;
        int passes = 1;
        pass(root, b, xd, xl, grads, inGrads, values, ns);
        if (adv) {
            int k = config.adv().equals("pgd") ? Math.max(1, config.pgdSteps()) : 1;
            double eps = config.advEps();
            double alpha = config.adv().equals("pgd") ? eps / k : eps;
            float[] dd = new float[xd.length];
            float[] dl = new float[xl.length];
            for (int it = 0; it < k; it++) {
                long p0 = System.nanoTime();
                SpanTrainer.step(dd, inGrads[0], alpha, eps);
                SpanTrainer.step(dl, inGrads[1], alpha, eps);
                float[] pd = SpanTrainer.add(xd, dd);
                float[] pl = SpanTrainer.add(xl, dl);
                boolean last = it == k - 1;
                Map<String, float[]> g2 = last ? grads : trainer.loop().optimiser().zeroGradients();
                ns.merge("perturb", System.nanoTime() - p0, Long::sum);
                pass(
                        root,
                        b,
                        pd,
                        pl,
                        g2,
                        last ? null : inGrads,
                        last ? new LinkedHashMap<>() : null,
                        ns);
                passes++;
            }
        }
        long o0 = System.nanoTime();
        trainer.loop().update(grads);
        trainer.loop().advance(null);
        ns.merge("optimiser", System.nanoTime() - o0, Long::sum);
        double flops = matmulFlops(b, store.hidden(), config, adv);
        for (int i = 1; i < passes; i++) {
            flops += matmulFlops(b, store.hidden(), config, i < passes - 1);
        }
        return new Step(
                ns, b.rows, b.sentences.size(), b.candidates.size(), b.spans.size(), passes, flops);
    }

    /**
     * FLOPs (2·m·k·n per product) of the matrix products of one pass of {@link SpanLosses}, forward
     * and backward: per product Y = A·B the backward computes dB, and dA where A needs a gradient
     * (always, except the cached inputs when no input gradient is asked for and the constant
     * averaging matrix of the prototypes). Gathers, sums and elementwise ops are not counted.
     */
    static double matmulFlops(SpanBatch b, int hidden, SpanTrainingConfig c, boolean inputGrad) {
        double n = b.rows;
        double cand = b.candidates.size();
        double d = c.detectDim();
        double k = c.typeDim();
        double in = inputGrad ? 3 : 2; // forward, dW, and dX when asked
        // detection: x·W_s, x·W_e [N,H]x[H,d]; h·v [C,d]x[d,1] (h needs its gradient)
        double f = in * 2 * (2 * n * hidden * d) + 3 * (2 * cand * d);
        if (!c.trainsTyping() || b.spans.isEmpty()) {
            return f;
        }
        double s = b.spans.size();
        double q = 0;
        double kept = 0;
        for (int[] x : b.spans) {
            q += x[3] == SpanBatch.QUERY ? 1 : 0;
            kept += x[3] != SpanBatch.SHIFTED ? 1 : 0;
        }
        double w = b.ways;
        f += in * (2 * s * 2 * hidden * k); // [S,2H]x[2H,k]
        f += 2 * (2 * w * s * k); // prototypes [n,S]x[S,k]: forward and dz
        if (c.episodeWeight() > 0) {
            f += 3 * (2 * q * k * w); // [Q,k]x[k,n]
        }
        if (c.infonceWeight() > 0) {
            f += 3 * (2 * kept * kept * k); // [K,k]x[k,K]
        }
        return f;
    }

    private float[] features(SpanBatch b, int layer) {
        int hidden = store.hidden();
        float[] x = new float[b.rows * hidden];
        for (int s = 0; s < b.sentences.size(); s++) {
            float[] f = store.get(b.sentences.get(s).words(), layer);
            System.arraycopy(f, 0, x, b.offsets.get(s) * hidden, f.length);
        }
        return x;
    }

    private void pass(
            NDManager root,
            SpanBatch b,
            float[] xd,
            float[] xl,
            Map<String, float[]> grads,
            float[][] inputGrads,
            Map<String, Double> values,
            Map<String, Long> ns) {
        int hidden = store.hidden();
        long c0 = System.nanoTime();
        NDManager m = root.newSubManager();
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : trainer.loop().optimiser().parameters().entrySet()) {
            NDArray a =
                    m.create(
                            e.getValue(),
                            new Shape(trainer.loop().optimiser().shapes().get(e.getKey())));
            a.setRequiresGradient(true);
            p.put(e.getKey(), a);
        }
        NDArray axd = m.create(xd, new Shape(b.rows, hidden));
        NDArray axl = m.create(xl, new Shape(b.rows, hidden));
        if (inputGrads != null) {
            axd.setRequiresGradient(true);
            axl.setRequiresGradient(true);
        }
        long c1 = System.nanoTime();
        SpanLosses.Terms t;
        long c2;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            t = SpanLosses.compute(m, p, axd, axl, b, config);
            NDArray total = t.total(config);
            c2 = System.nanoTime();
            gc.backward(total);
        }
        long c3 = System.nanoTime();
        for (Map.Entry<String, NDArray> e : p.entrySet()) {
            float[] g = e.getValue().getGradient().toFloatArray();
            float[] acc = grads.get(e.getKey());
            for (int i = 0; i < g.length; i++) {
                acc[i] += g[i];
            }
        }
        if (inputGrads != null) {
            inputGrads[0] = axd.getGradient().toFloatArray();
            inputGrads[1] = axl.getGradient().toFloatArray();
        }
        if (values != null) {
            values.putAll(t.values());
        }
        long c4 = System.nanoTime();
        m.close();
        long c5 = System.nanoTime();
        ns.merge("upload", c1 - c0, Long::sum);
        ns.merge("forward", c2 - c1, Long::sum);
        ns.merge("backward", c3 - c2, Long::sum);
        ns.merge("download", c4 - c3, Long::sum);
        ns.merge("free", c5 - c4, Long::sum);
    }
}
