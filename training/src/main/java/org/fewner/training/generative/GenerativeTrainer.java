package org.fewner.training.generative;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.lora.AdapterRegistry;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.lora.LoraConfig;
import org.fewner.llm.nn.LoraWeights;
import org.fewner.training.loop.TrainingLoop;
import org.fewner.training.optim.AdamW;
import org.fewner.training.optim.TrainingCheckpoint;

/**
 * LoRA instruction tuning of a decoder on {@link GenerativeLosses} with optional FGM/PGD on the
 * input embeddings, AdamW, checkpoints and exact resume.
 *
 * <p>The trainable parameters are the LoRA factors only (the base is frozen); they are kept here as
 * float arrays (the master copy) and made resident on the backbone as adapter {@link #NAME} before
 * each pass, so that a pass sees exactly the current values and DJL computes their gradients. The
 * same loop as the span trainer ({@link TrainingLoop}): the shared plain-Java {@link AdamW} (its
 * moments are checkpointed, {@link TrainingCheckpoint}), every random choice of step s derived from
 * (seed, s) so that a resumed run replays the steps an uninterrupted one would, atomic checkpoints,
 * one JSON line per step.
 *
 * <p>Adversarial training (FGM, Miyato et al.): with g = ∂L/∂e at the input embeddings e of the
 * batch, δ = ε·g/‖g‖₂ (the norm over the whole batch), and the gradient of L(e + δ) is added to the
 * clean one. PGD: k steps of size ε/k, each projected back on the ε-ball; only the last perturbed
 * pass contributes to the update.
 */
public final class GenerativeTrainer {
    /** Name of the adapter made resident while training. */
    public static final String NAME = "fewner.train.generative";

    private final GenerativeTrainingConfig config;
    private final DecoderModel model;
    private final AdapterRegistry registry;
    private final List<GenerativeLosses.Encoded> examples;
    private final int layer;
    private final LoraAdapter init;

    /** PEFT module key → model layer name. */
    private final Map<String, String> layerOf = new LinkedHashMap<>();

    private final TrainingLoop<GenerativeTrainingConfig> loop;
    private final AdamW optimiser;
    private final Map<String, float[]> params;
    private long tokensSeen;

    public GenerativeTrainer(
            GenerativeTrainingConfig config,
            DecoderModel model,
            AdapterRegistry registry,
            List<GenerativeLosses.Encoded> examples) {
        if (examples.isEmpty()) {
            throw new FewNerException("training: no instruction example");
        }
        this.config = config;
        this.loop =
                new TrainingLoop<>(
                        new TrainingLoop.Settings(
                                "train generative",
                                config.lr(),
                                config.warmup(),
                                config.maxSteps(),
                                config.weightDecay(),
                                config.maxGradNorm(),
                                config.checkpointSteps()),
                        config,
                        GenerativeTrainingConfig.class,
                        l -> {
                            Double a = l.get("answer");
                            return a == null ? "" : String.format("ans=%.3f", a);
                        });
        this.optimiser = loop.optimiser();
        this.params = optimiser.parameters();
        this.model = model;
        this.registry = registry;
        this.examples = examples;
        this.layer = config.layerFor(model.config().numHiddenLayers());
        if (layer < 0 || layer > model.config().numHiddenLayers()) {
            throw new FewNerException(
                    "--infonce-layer "
                            + layer
                            + ": the model has layers 0.."
                            + model.config().numHiddenLayers());
        }
        if (!List.of("mean", "boundary").contains(config.pooling())) {
            throw new FewNerException(
                    "--pooling " + config.pooling() + ": expected mean or boundary");
        }
        if (!List.of("none", "fgm", "pgd").contains(config.adv())) {
            throw new FewNerException("--adv " + config.adv() + ": expected none, fgm or pgd");
        }
        LoraConfig lc = loraConfig(config);
        this.init = LoraAdapter.init(registry.base(), lc, config.seed(), LoraAdapter.Init.ZERO, 0);
        init.bind(registry.base()).forEach((k, b) -> layerOf.put(k, b.layer()));
        for (Map.Entry<String, LoraAdapter.Module> e : init.modules().entrySet()) {
            put(e.getKey() + ".A", e.getValue().a().clone());
            put(e.getKey() + ".B", e.getValue().b().clone());
        }
    }

    /** The adapter config of a run: rank, alpha and PEFT target names ({@code all-linear} too). */
    static LoraConfig loraConfig(GenerativeTrainingConfig c) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("peft_type", "LORA");
        n.put("r", c.loraRank());
        n.put("lora_alpha", c.loraAlpha());
        n.put("lora_dropout", 0.0);
        if (c.loraTargets().size() == 1 && c.loraTargets().get(0).equals("all-linear")) {
            n.put("target_modules", "all-linear");
        } else {
            n.set("target_modules", Json.MAPPER.valueToTree(c.loraTargets()));
        }
        return LoraConfig.parse(Path.of("--lora-targets"), n);
    }

    private void put(String name, float[] v) {
        optimiser.add(name, new long[] {v.length}, v, true);
    }

    public int step() {
        return loop.step();
    }

    /** The training loop (optimiser, step counter, checkpoints, resume). */
    public TrainingLoop<GenerativeTrainingConfig> loop() {
        return loop;
    }

    public Map<String, Double> lastLosses() {
        return loop.lastLosses();
    }

    public double elapsedBefore() {
        return loop.elapsedBefore();
    }

    /** Answer tokens trained on by this process (not counting a resumed run's earlier steps). */
    public long tokensSeen() {
        return tokensSeen;
    }

    /** The InfoNCE layer actually used. */
    public int layer() {
        return layer;
    }

    /** The adapter before training (B = 0). */
    public LoraAdapter init() {
        return init;
    }

    /** The adapter as trained so far (the init's config, the current factors). */
    public LoraAdapter adapter() {
        Map<String, LoraAdapter.Module> mods = new TreeMap<>();
        init.modules()
                .forEach(
                        (k, m) ->
                                mods.put(
                                        k,
                                        new LoraAdapter.Module(
                                                m.r(),
                                                m.in(),
                                                m.out(),
                                                params.get(k + ".A").clone(),
                                                params.get(k + ".B").clone())));
        return new LoraAdapter(init.config(), mods, Map.of());
    }

    /** Learning rate of step {@code s}: linear warm-up, then linear decay to 0. */
    double learningRate(int s) {
        return loop.learningRate(s);
    }

    /**
     * The examples of step {@code s}: positions s·B … s·B+B−1 of an endless sequence of epochs,
     * each epoch a permutation drawn from (seed, epoch).
     */
    List<GenerativeLosses.Encoded> batch(int s) {
        int n = examples.size();
        List<GenerativeLosses.Encoded> out = new ArrayList<>();
        int[] perm = null;
        long permEpoch = -1;
        for (long q = (long) s * config.batchSize(); out.size() < config.batchSize(); q++) {
            long epoch = q / n;
            if (epoch != permEpoch) {
                perm = permutation(n, new Random(config.seed() * 1_000_003L + epoch));
                permEpoch = epoch;
            }
            out.add(examples.get(perm[(int) (q % n)]));
        }
        return out;
    }

    static int[] permutation(int n, Random r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The current factors as a resident adapter whose arrays require gradients. */
    private Map<String, LoraWeights> resident() {
        registry.add(NAME, adapter());
        registry.trainableParameters(NAME);
        return registry.weights(NAME);
    }

    /**
     * One forward/backward pass at embeddings {@code e + delta}; adds the factor gradients into
     * {@code grads} (when not null) and returns the gradient at the embeddings (when asked).
     */
    Pass pass(
            NDManager root,
            GenerativeLosses.Batch b,
            float[] delta,
            Map<String, float[]> grads,
            boolean wantInputGrad) {
        Map<String, LoraWeights> w = resident();
        try (NDManager m = root.newSubManager()) {
            NDArray e = model.embedTokens(m, b.ids);
            if (delta != null) {
                e = e.add(m.create(delta, e.getShape()));
            }
            if (wantInputGrad) {
                e.setRequiresGradient(true);
            }
            GenerativeLosses.Terms t;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                t =
                        GenerativeLosses.compute(
                                m,
                                model,
                                NAME,
                                b,
                                e,
                                layer,
                                config.infonceWeight(),
                                config.pooling(),
                                config.tau(),
                                config.boundaryWeight());
                gc.backward(t.total());
            }
            if (grads != null) {
                for (Map.Entry<String, String> k : layerOf.entrySet()) {
                    LoraWeights lw = w.get(k.getValue());
                    addInto(grads.get(k.getKey() + ".A"), lw.a().getGradient().toFloatArray());
                    addInto(grads.get(k.getKey() + ".B"), lw.b().getGradient().toFloatArray());
                }
            }
            float[] g = wantInputGrad ? e.getGradient().toFloatArray() : null;
            return new Pass(
                    t.answer().getFloat(),
                    t.infonce() == null ? null : (double) t.infonce().getFloat(),
                    t.boundary() == null ? null : (double) t.boundary().getFloat(),
                    t.total().getFloat(),
                    g);
        }
    }

    /** What one pass gives. */
    record Pass(double answer, Double infonce, Double boundary, double total, float[] inputGrad) {}

    private static void addInto(float[] acc, float[] g) {
        for (int i = 0; i < g.length; i++) {
            acc[i] += g[i];
        }
    }

    /** The batch of step {@code s}, tokenised and padded. */
    GenerativeLosses.Batch batchOf(int s) {
        return new GenerativeLosses.Batch(batch(s));
    }

    /** One training step (no log, no checkpoint): the step the loop runs next. */
    void trainStep(NDManager root) {
        loop.trainStep(root, this::step);
    }

    /** Step {@code step}: clean pass, optional FGM/PGD passes, AdamW; returns the loss terms. */
    private Map<String, Double> step(NDManager root, int step) {
        GenerativeLosses.Batch b = batchOf(step);
        Map<String, float[]> grads = new LinkedHashMap<>();
        params.forEach((n, v) -> grads.put(n, new float[v.length]));
        boolean adv = !config.adv().equals("none") && config.advEps() > 0;
        Pass clean = pass(root, b, null, grads, adv);
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("answer", clean.answer());
        values.put("infonce", clean.infonce());
        if (config.boundaryWeight() > 0) {
            values.put("boundary", clean.boundary());
        }
        values.put("total", clean.total());
        if (adv) {
            int k = config.adv().equals("pgd") ? Math.max(1, config.pgdSteps()) : 1;
            double alpha = config.adv().equals("pgd") ? config.advEps() / k : config.advEps();
            float[] delta = new float[clean.inputGrad().length];
            float[] g = clean.inputGrad();
            for (int it = 0; it < k; it++) {
                perturb(delta, g, alpha, config.advEps());
                boolean last = it == k - 1;
                Pass p = pass(root, b, delta, last ? grads : null, !last);
                g = p.inputGrad();
                if (last) {
                    values.put("adv_total", p.total());
                }
            }
        }
        if (!Double.isFinite(clean.total())) {
            throw new FewNerException(
                    "training diverged at step "
                            + step
                            + ": the loss is "
                            + clean.total()
                            + "; lower --lr or the LoRA alpha");
        }
        double norm = AdamW.globalNorm(grads);
        values.put("grad_norm", norm);
        if (!Double.isFinite(norm)) {
            throw new FewNerException(
                    "training diverged at step " + step + ": the gradient norm is " + norm);
        }
        // global gradient-norm clipping (HF Trainer's max_grad_norm, 1.0 by default)
        values.put("lr", loop.update(grads, norm));
        values.put("answer_tokens", (double) b.answerTokens);
        tokensSeen += (long) b.rows() * b.length();
        return values;
    }

    /** δ += α·g/‖g‖₂, then projected back on the ε-ball (FGM: one step with α = ε). */
    static void perturb(float[] delta, float[] g, double alpha, double eps) {
        double n = 0;
        for (float v : g) {
            n += (double) v * v;
        }
        n = Math.sqrt(n);
        if (n == 0 || !Double.isFinite(n)) {
            return;
        }
        for (int i = 0; i < delta.length; i++) {
            delta[i] += (float) (alpha * g[i] / n);
        }
        double dn = 0;
        for (float v : delta) {
            dn += (double) v * v;
        }
        dn = Math.sqrt(dn);
        if (dn > eps) {
            float s = (float) (eps / dn);
            for (int i = 0; i < delta.length; i++) {
                delta[i] *= s;
            }
        }
    }

    // ------------------------------------------------------------------------------- checkpoints

    /** Writes factors, AdamW moments, step and losses atomically into {@code dir}. */
    public void checkpoint(Path dir, double elapsedSeconds) {
        loop.checkpoint(dir, elapsedSeconds);
    }

    /** Restores a checkpoint written by {@link #checkpoint}; the settings must be the same. */
    public void restore(Path dir) {
        loop.restore(dir);
    }

    /**
     * Runs to {@code maxSteps} in the {@link TrainingLoop}: progress bar, one JSON line per step in
     * {@code log}, a checkpoint every {@code checkpointSteps} steps, every 10 minutes and at the
     * end; the training adapter is removed from the registry afterwards.
     *
     * @param stopAfter stop (as if killed) after this many steps of this call; -1 = never (tests)
     * @param afterStep called after each step (tests), may be null
     */
    public void run(
            NDManager root, Path log, Path ckptDir, int stopAfter, Consumer<Integer> afterStep) {
        try {
            loop.run(root, log, ckptDir, stopAfter, afterStep, this::step);
        } finally {
            registry.remove(NAME);
        }
    }
}
