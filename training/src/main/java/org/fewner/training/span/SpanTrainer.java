package org.fewner.training.span;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.fewner.common.FewNerException;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.ner.Mention;
import org.fewner.ner.span.SpanHeads;
import org.fewner.training.data.TrainingExample;
import org.fewner.training.loop.TrainingLoop;
import org.fewner.training.optim.AdamW;

/**
 * Trains the span method's heads on cached word vectors of a frozen backbone.
 *
 * <p>Each step: one N-way K~2K episode from one source corpus (Few-NERD's greedy sampler, {@link
 * EpisodeSampler}) plus {@code extraSentences} random source sentences; losses from {@link
 * SpanLosses}; optional FGM/PGD on the heads' input features (the backbone is frozen, so the
 * perturbation is applied to the cached word vectors the heads read, not to the embeddings); AdamW.
 *
 * <p>Determinism: all randomness of step {@code s} comes from {@code new Random(seed, s)}, so the
 * data position is the step number, and a resumed run replays exactly the steps an uninterrupted
 * one would. The step counter, AdamW, the schedule, clipping, the log and the checkpoints are the
 * trainers' one {@link TrainingLoop}.
 */
public final class SpanTrainer {
    private final SpanTrainingConfig config;
    private final List<TrainingExample> examples;
    private final FeatureStore store;
    private final int hidden;
    private final TrainingLoop<SpanTrainingConfig> loop;
    private final AdamW optimiser;
    private final Map<String, float[]> params;
    private final Map<String, long[]> shapes;
    private final List<String> corpora = new ArrayList<>();
    private final Map<String, EpisodeSampler> samplers = new LinkedHashMap<>();
    private final Map<String, List<Integer>> corpusExamples = new LinkedHashMap<>();
    private final Map<String, List<String>> corpusTypes = new LinkedHashMap<>();

    public SpanTrainer(
            SpanTrainingConfig config, List<TrainingExample> examples, FeatureStore store) {
        this.config = config;
        this.examples = examples;
        this.store = store;
        this.hidden = store.hidden();
        this.loop =
                new TrainingLoop<>(
                        new TrainingLoop.Settings(
                                "train span",
                                config.lr(),
                                config.warmup(),
                                config.maxSteps(),
                                config.weightDecay(),
                                config.clipNorm(),
                                config.checkpointSteps()),
                        config,
                        SpanTrainingConfig.class,
                        SpanTrainer::progressMessage);
        this.optimiser = loop.optimiser();
        this.params = optimiser.parameters();
        this.shapes = optimiser.shapes();
        store.layerIndex(config.detectLayer());
        store.layerIndex(config.typeLayer());
        indexCorpora();
        initParams();
    }

    private void indexCorpora() {
        Map<String, List<Map<String, Integer>>> counts = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> typeTotals = new LinkedHashMap<>();
        for (int i = 0; i < examples.size(); i++) {
            TrainingExample ex = examples.get(i);
            if (!store.contains(ex.words())) {
                throw new FewNerException(
                        "training: sentence " + ex.id() + " has no cached features");
            }
            corpusExamples.computeIfAbsent(ex.corpus(), k -> new ArrayList<>()).add(i);
            Map<String, Integer> c = new TreeMap<>();
            for (Mention m : ex.mentions()) {
                c.merge(ex.qualifiedType(m), 1, Integer::sum);
                typeTotals
                        .computeIfAbsent(ex.corpus(), k -> new TreeMap<>())
                        .merge(ex.qualifiedType(m), 1, Integer::sum);
            }
            counts.computeIfAbsent(ex.corpus(), k -> new ArrayList<>()).add(c);
        }
        int need = 2 * (config.shots() + config.queryShots());
        for (String corpus : counts.keySet()) {
            List<String> types = new ArrayList<>();
            typeTotals
                    .getOrDefault(corpus, Map.of())
                    .forEach(
                            (t, n) -> {
                                if (n >= need) {
                                    types.add(t);
                                }
                            });
            if (types.size() >= 2) {
                corpora.add(corpus);
                corpusTypes.put(corpus, types);
                samplers.put(corpus, new EpisodeSampler(counts.get(corpus)));
            }
        }
    }

    /** Registers a parameter; weight decay applies to matrices only. */
    private void param(String name, long[] shape, float[] init) {
        optimiser.add(name, shape, init, init.length > 1 && shape.length == 2);
    }

    private static float[] uniform(Random r, int n, double bound) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
        }
        return a;
    }

    /** A detection matrix {@code [H, d]} on word vectors, uniform in ±1/sqrt(H) (draws from r). */
    private void wordWeights(Random r, String name, int d) {
        param(name, new long[] {hidden, d}, uniform(r, hidden * d, 1 / Math.sqrt(hidden)));
    }

    private void initParams() {
        Random r = new Random(config.seed());
        int d = config.detectDim();
        wordWeights(r, SpanHeads.DETECT_START, d);
        wordWeights(r, SpanHeads.DETECT_END, d);
        param(
                SpanHeads.DETECT_WIDTH,
                new long[] {config.maxWidth(), d},
                uniform(r, config.maxWidth() * d, 0.02));
        param(SpanHeads.DETECT_BIAS, new long[] {d}, new float[d]);
        if (config.detectContext()) {
            wordWeights(r, SpanHeads.DETECT_LEFT, d);
            wordWeights(r, SpanHeads.DETECT_RIGHT, d);
            param(SpanHeads.DETECT_EDGES, new long[] {2, d}, new float[2 * d]);
        }
        param(SpanHeads.DETECT_OUT, new long[] {d}, uniform(r, d, 1 / Math.sqrt(d)));
        param(SpanHeads.DETECT_OUT_BIAS, new long[] {1}, new float[] {-2f});
        if (config.trainsTyping()) {
            int k = config.typeDim();
            int in = config.typeInputs();
            param(
                    SpanHeads.TYPE_PROJ,
                    new long[] {(long) in * hidden, k},
                    uniform(r, in * hidden * k, 1 / Math.sqrt((double) in * hidden)));
            param(SpanHeads.TYPE_PROJ_BIAS, new long[] {k}, new float[k]);
            param(SpanHeads.TYPE_SCALE, new long[] {1}, new float[] {10f});
            param(SpanHeads.TYPE_NONE, new long[] {1}, new float[] {0.3f});
        }
    }

    public int step() {
        return loop.step();
    }

    /** The training loop (optimiser, step counter, checkpoints): the step profiler's view. */
    public TrainingLoop<SpanTrainingConfig> loop() {
        return loop;
    }

    public Map<String, Double> lastLosses() {
        return loop.lastLosses();
    }

    /** Corpora that episodes are drawn from (at least two types with enough entities). */
    public List<String> episodeCorpora() {
        return List.copyOf(corpora);
    }

    /** The heads as tensors, for the adapter. */
    public Map<String, HostTensor> heads() {
        Map<String, HostTensor> out = new TreeMap<>();
        params.forEach((n, v) -> out.put(n, HostTensor.ofFloats(shapes.get(n), v.clone())));
        return out;
    }

    /** The settings the heads are used with. */
    public SpanHeads.Config headsConfig() {
        return new SpanHeads.Config(
                config.detectLayer(),
                config.typeLayer(),
                config.maxWidth(),
                config.threshold(),
                config.rejection(),
                config.margin());
    }

    /** Learning rate of step {@code s} (0-based): linear warm-up, then linear decay to 0. */
    double learningRate(int s) {
        return loop.learningRate(s);
    }

    /** Builds the batch of step {@code s}: everything random is drawn from its own generator. */
    public SpanBatch batch(int s) {
        Random rng = new Random(config.seed() * 1_000_003L + s);
        SpanBatch b = new SpanBatch();
        if (config.trainsTyping() && !corpora.isEmpty()) {
            for (int attempt = 0; attempt < 10 && b.sentences.isEmpty(); attempt++) {
                String corpus = corpora.get(rng.nextInt(corpora.size()));
                EpisodeSampler.Episode e =
                        samplers.get(corpus)
                                .sample(
                                        corpusTypes.get(corpus),
                                        config.ways(),
                                        config.shots(),
                                        config.queryShots(),
                                        config.strictEpisodes(),
                                        rng,
                                        5);
                if (e == null) {
                    continue;
                }
                List<Integer> ids = corpusExamples.get(corpus);
                List<Integer> sup = new ArrayList<>();
                List<Integer> qry = new ArrayList<>();
                for (int i : e.support()) {
                    sup.add(b.addSentence(examples.get(ids.get(i))));
                }
                for (int i : e.query()) {
                    qry.add(b.addSentence(examples.get(ids.get(i))));
                }
                b.addEpisodeSpans(
                        e.types(),
                        sup,
                        qry,
                        List.of(),
                        config.boundaryWeight() > 0,
                        config.maxWidth(),
                        rng);
            }
        }
        for (int i = 0; i < config.extraSentences(); i++) {
            b.addSentence(examples.get(rng.nextInt(examples.size())));
        }
        b.addDetectionCandidates(config.maxWidth());
        return b;
    }

    private float[] features(SpanBatch b, int layer) {
        float[] x = new float[b.rows * hidden];
        for (int s = 0; s < b.sentences.size(); s++) {
            float[] f = store.get(b.sentences.get(s).words(), layer);
            System.arraycopy(f, 0, x, b.offsets.get(s) * hidden, f.length);
        }
        return x;
    }

    /** One forward/backward at inputs {@code xd, xl}; adds the gradients into {@code grads}. */
    private SpanLosses.Terms pass(
            NDManager root,
            SpanBatch b,
            float[] xd,
            float[] xl,
            Map<String, float[]> grads,
            float[][] inputGrads,
            Map<String, Double> values) {
        try (NDManager m = root.newSubManager()) {
            Map<String, NDArray> p = new LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : params.entrySet()) {
                NDArray a = m.create(e.getValue(), new Shape(shapes.get(e.getKey())));
                a.setRequiresGradient(true);
                p.put(e.getKey(), a);
            }
            NDArray axd = m.create(xd, new Shape(b.rows, hidden));
            NDArray axl = m.create(xl, new Shape(b.rows, hidden));
            if (inputGrads != null) {
                axd.setRequiresGradient(true);
                axl.setRequiresGradient(true);
            }
            SpanLosses.Terms t;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                t = SpanLosses.compute(m, p, axd, axl, b, config);
                gc.backward(t.total(config));
            }
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
            return t;
        }
    }

    private static double norm(float[] g) {
        double s = 0;
        for (float v : g) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    /** One training step (no log, no checkpoint): the step the loop runs next. */
    public void trainStep(NDManager root) {
        loop.trainStep(root, this::step);
    }

    /** Step {@code step}: batch, losses, adversarial passes, AdamW; returns the loss terms. */
    private Map<String, Double> step(NDManager root, int step) {
        SpanBatch b = batch(step);
        float[] xd = features(b, config.detectLayer());
        float[] xl = features(b, config.typeLayer());
        Map<String, float[]> grads = new LinkedHashMap<>();
        params.forEach((n, v) -> grads.put(n, new float[v.length]));
        Map<String, Double> values = new LinkedHashMap<>();
        boolean adv = !config.adv().equals("none") && config.advEps() > 0;
        float[][] inGrads = adv ? new float[2][] : null;
        pass(root, b, xd, xl, grads, inGrads, values);
        if (adv) {
            int k = config.adv().equals("pgd") ? Math.max(1, config.pgdSteps()) : 1;
            double eps = config.advEps();
            double alpha = config.adv().equals("pgd") ? eps / k : eps;
            float[] dd = new float[xd.length];
            float[] dl = new float[xl.length];
            for (int it = 0; it < k; it++) {
                // delta += alpha * g / ||g||, projected back onto the eps-ball (FGM: one step)
                step(dd, inGrads[0], alpha, eps);
                step(dl, inGrads[1], alpha, eps);
                float[] pd = add(xd, dd);
                float[] pl = add(xl, dl);
                boolean last = it == k - 1;
                Map<String, float[]> g2 = grads;
                if (!last) {
                    g2 = new LinkedHashMap<>();
                    for (Map.Entry<String, float[]> e : params.entrySet()) {
                        g2.put(e.getKey(), new float[e.getValue().length]);
                    }
                }
                Map<String, Double> advValues = last ? new LinkedHashMap<>() : null;
                pass(root, b, pd, pl, g2, last ? null : inGrads, advValues);
                if (last) {
                    double advTotal = 0;
                    for (Double v : advValues.values()) {
                        advTotal += v == null ? 0 : v;
                    }
                    values.put("adv_detect", advValues.get("detect"));
                    values.put("adv_sum", advTotal);
                }
            }
        }
        values.put("lr", loop.update(grads));
        return values;
    }

    public static void step(float[] delta, float[] g, double alpha, double eps) {
        double n = norm(g);
        if (n == 0 || !Double.isFinite(n)) {
            return;
        }
        for (int i = 0; i < delta.length; i++) {
            delta[i] += (float) (alpha * g[i] / n);
        }
        double dn = norm(delta);
        if (dn > eps) {
            float s = (float) (eps / dn);
            for (int i = 0; i < delta.length; i++) {
                delta[i] *= s;
            }
        }
    }

    public static float[] add(float[] a, float[] b) {
        float[] o = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = a[i] + b[i];
        }
        return o;
    }

    // ------------------------------------------------------------------------------- checkpoints

    /** Writes parameters, AdamW moments, step and losses atomically into {@code dir}. */
    public void checkpoint(Path dir, double elapsedSeconds) {
        loop.checkpoint(dir, elapsedSeconds);
    }

    /** Restores a checkpoint written by {@link #checkpoint}; the config must be the same. */
    public void restore(Path dir) {
        loop.restore(dir);
    }

    public double elapsedBefore() {
        return loop.elapsedBefore();
    }

    /**
     * Runs to {@code maxSteps} in the {@link TrainingLoop}: progress bar with the loss terms, one
     * JSON line per step in {@code log}, a checkpoint into {@code ckptDir} every {@code
     * checkpointSteps} steps or 10 minutes.
     *
     * @param stopAfter stop (as if killed) after this many steps of this call; -1 = never (tests)
     * @param afterStep called after each step (tests), may be null
     */
    public void run(
            NDManager root, Path log, Path ckptDir, int stopAfter, Consumer<Integer> afterStep) {
        loop.run(root, log, ckptDir, stopAfter, afterStep, this::step);
    }

    private static String progressMessage(Map<String, Double> lastLosses) {
        StringBuilder sb = new StringBuilder();
        for (String k : List.of("detect", "episode", "infonce", "boundary")) {
            Double v = lastLosses.get(k);
            if (v != null) {
                sb.append(k, 0, 3).append('=').append(String.format("%.3f", v)).append(' ');
            }
        }
        return sb.toString().trim();
    }
}
