package org.fewner.training.loop;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.training.optim.AdamW;
import org.fewner.training.optim.LinearWarmupDecay;
import org.fewner.training.optim.TrainingCheckpoint;

/**
 * The training loop every trainer runs: the step counter, AdamW (its parameters, moments, global
 * gradient-norm clipping) with linear warm-up and decay, one JSON line per step in the log, the
 * progress bar, atomic checkpoints (every {@code checkpointSteps} steps, every 10 minutes of wall
 * clock and at the end) and exact resume.
 *
 * <p>A trainer registers its parameters with {@link #optimiser()} and supplies the step function
 * ({@link Step}): from the step number it draws its batch (every random choice of step s derived
 * from (seed, s), so a resumed run replays the steps an uninterrupted one would), computes the
 * gradients, calls {@link #update} once and returns the step's loss terms, which become the step's
 * log line (in the order given, then {@code step_s}) and the checkpoint's losses.
 *
 * @param <C> the trainer's settings record, stored with each checkpoint; a resumed run must have
 *     the same
 */
public final class TrainingLoop<C> {
    /** Wall-clock interval between checkpoints, whatever {@code checkpointSteps} says. */
    static final double CHECKPOINT_NANOS = 600e9;

    /**
     * The loop's settings.
     *
     * @param task the progress bar's name
     * @param lr peak learning rate
     * @param warmup warm-up steps
     * @param maxSteps training steps (the learning rate decays linearly to 0 at this step)
     * @param weightDecay AdamW's decoupled weight decay
     * @param clipNorm global gradient-norm clipping before AdamW (0 = off)
     * @param checkpointSteps checkpoint at least every this many steps
     */
    public record Settings(
            String task,
            double lr,
            int warmup,
            int maxSteps,
            double weightDecay,
            double clipNorm,
            int checkpointSteps) {}

    /** One training step of a trainer. */
    @FunctionalInterface
    public interface Step {
        /**
         * Runs step {@code step} (0-based): batch, forward, backward, exactly one {@link
         * TrainingLoop#update}; returns the step's loss terms (the log line's keys, in order).
         */
        Map<String, Double> run(NDManager root, int step);
    }

    private final Settings settings;
    private final C config;
    private final Class<C> configType;
    private final Function<Map<String, Double>, String> progress;
    private final AdamW optimiser = new AdamW();
    private int step;
    private Map<String, Double> lastLosses = new LinkedHashMap<>();
    private double elapsedBefore;

    /**
     * @param settings schedule, clipping, checkpoint interval
     * @param config the trainer's settings (written with each checkpoint, compared on resume)
     * @param configType its class
     * @param progress the progress bar's message from the last step's losses
     */
    public TrainingLoop(
            Settings settings,
            C config,
            Class<C> configType,
            Function<Map<String, Double>, String> progress) {
        this.settings = settings;
        this.config = config;
        this.configType = configType;
        this.progress = progress;
    }

    /** The optimiser holding the parameters' master copies and moments. */
    public AdamW optimiser() {
        return optimiser;
    }

    /** The parameters by name (the master copies: updated in place by {@link #update}). */
    public Map<String, float[]> parameters() {
        return optimiser.parameters();
    }

    /** Steps done. */
    public int step() {
        return step;
    }

    /** The loss terms of the last step (or of the checkpoint resumed from). */
    public Map<String, Double> lastLosses() {
        return lastLosses;
    }

    /** Training seconds of the runs before a resume (from the checkpoint). */
    public double elapsedBefore() {
        return elapsedBefore;
    }

    /** Learning rate of step {@code s} (0-based): linear warm-up, then linear decay to 0. */
    public double learningRate(int s) {
        return new LinearWarmupDecay(settings.lr(), settings.warmup(), settings.maxSteps()).at(s);
    }

    /**
     * One AdamW update of the current step: {@code grads} clipped to the global norm {@code
     * clipNorm} first (a single batch with an outsized gradient then cannot throw the moments off).
     *
     * @return the learning rate used
     */
    public double update(Map<String, float[]> grads) {
        return update(grads, AdamW.globalNorm(grads));
    }

    /** {@link #update(Map)} with the gradients' global norm already computed. */
    public double update(Map<String, float[]> grads, double norm) {
        AdamW.clip(grads, settings.clipNorm(), norm);
        double lr = learningRate(step);
        optimiser.step(grads, lr, settings.weightDecay(), step + 1);
        return lr;
    }

    /** Ends the current step with its losses (null: keep the last ones). */
    public void advance(Map<String, Double> losses) {
        if (losses != null) {
            lastLosses = losses;
        }
        step++;
    }

    /** One step of {@code fn} (no log, no checkpoint). */
    public void trainStep(NDManager root, Step fn) {
        advance(fn.run(root, step));
    }

    /** Writes parameters, AdamW moments, step and losses atomically into {@code dir}. */
    public void checkpoint(Path dir, double elapsedSeconds) {
        TrainingCheckpoint.write(dir, optimiser, step, elapsedSeconds, config, lastLosses);
    }

    /** Restores a checkpoint written by {@link #checkpoint}; the settings must be the same. */
    public void restore(Path dir) {
        TrainingCheckpoint.State st = TrainingCheckpoint.read(dir, optimiser, configType, config);
        step = st.step();
        elapsedBefore = st.elapsedSeconds();
        lastLosses = st.losses();
    }

    /**
     * Before a run: with {@code resume}, restores the checkpoint in {@code ckptDir} (refused when
     * there is none); without, removes an old {@code log} so that the new run's log starts empty.
     */
    public void resumeOrStartFresh(boolean resume, Path ckptDir, Path log) {
        if (resume) {
            if (!Files.isRegularFile(ckptDir.resolve(TrainingCheckpoint.JSON))) {
                throw new FewNerException(ckptDir + ": no checkpoint to resume from");
            }
            restore(ckptDir);
        } else {
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                throw new FewNerException(
                        log + ": cannot remove the old log: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Runs {@code fn} to {@code maxSteps}: progress bar, one JSON line per step appended to {@code
     * log}, a checkpoint into {@code ckptDir} every {@code checkpointSteps} steps, every 10 minutes
     * and at the end.
     *
     * @param stopAfter stop (as if killed) after this many steps of this call; -1 = never (tests)
     * @param afterStep called after each step with the steps done (tests), may be null
     */
    public void run(
            NDManager root,
            Path log,
            Path ckptDir,
            int stopAfter,
            Consumer<Integer> afterStep,
            Step fn) {
        long t0 = System.nanoTime();
        long lastCkpt = t0;
        int done = 0;
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new FewNerException(log + ": cannot create its folder: " + e.getMessage(), e);
        }
        try (BufferedWriter w =
                        Files.newBufferedWriter(
                                log,
                                StandardCharsets.UTF_8,
                                StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND);
                ProgressBar pb =
                        new ProgressBarBuilder()
                                .setTaskName(settings.task())
                                .setInitialMax(settings.maxSteps())
                                .startsFrom(step, Duration.ZERO)
                                .setStyle(ProgressBarStyle.ASCII)
                                .setUpdateIntervalMillis(2000)
                                .build()) {
            while (step < settings.maxSteps()) {
                if (stopAfter >= 0 && done >= stopAfter) {
                    return;
                }
                long s0 = System.nanoTime();
                trainStep(root, fn);
                requireFiniteLosses();
                double dt = (System.nanoTime() - s0) / 1e9;
                done++;
                w.write(logLine(step, lastLosses, dt));
                w.write('\n');
                pb.step();
                pb.setExtraMessage(progress.apply(lastLosses));
                long now = System.nanoTime();
                if (step % settings.checkpointSteps() == 0
                        || now - lastCkpt > CHECKPOINT_NANOS
                        || step == settings.maxSteps()) {
                    w.flush();
                    requireFiniteParameters();
                    checkpoint(ckptDir, elapsedBefore + (now - t0) / 1e9);
                    lastCkpt = now;
                }
                if (afterStep != null) {
                    afterStep.accept(step);
                }
            }
        } catch (IOException e) {
            throw new FewNerException(
                    log + ": cannot write the training log: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a step whose loss terms are not finite: the training diverged (a learning rate far
     * too high, or a bad input) and would write NaN heads that recognise nothing. One line; the
     * last checkpoint (before the step) and the log up to the step before stay.
     */
    void requireFiniteLosses() {
        for (Map.Entry<String, Double> e : lastLosses.entrySet()) {
            Double v = e.getValue();
            if (v != null && !Double.isFinite(v)) {
                throw new FewNerException(
                        "training step "
                                + step
                                + ": loss term '"
                                + e.getKey()
                                + "' is "
                                + v
                                + " (the training diverged: lower --lr, or check the source"
                                + " corpora; no adapter was written)");
            }
        }
    }

    /**
     * Refuses parameters holding NaN or an infinity (never written into a checkpoint or adapter).
     */
    public void requireFiniteParameters() {
        for (Map.Entry<String, float[]> e : parameters().entrySet()) {
            float[] p = e.getValue();
            for (int i = 0; i < p.length; i++) {
                if (!Float.isFinite(p[i])) {
                    throw new FewNerException(
                            "training step "
                                    + step
                                    + ": parameter '"
                                    + e.getKey()
                                    + "' holds "
                                    + p[i]
                                    + " at element "
                                    + i
                                    + " (the training diverged: lower --lr; no adapter was"
                                    + " written)");
                }
            }
        }
    }

    /** The log line of a step: {@code step}, the loss terms in order, {@code step_s}. */
    static String logLine(int step, Map<String, Double> losses, double seconds) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("step", step);
        losses.forEach(
                (k, v) -> {
                    if (v == null) {
                        line.putNull(k);
                    } else {
                        line.put(k, v);
                    }
                });
        line.put("step_s", seconds);
        return Json.line(line);
    }
}
