package org.fewner.training.generative;

import java.util.List;

/**
 * Every setting of a generative (CLLMFS) training run, recorded in {@code training.json} and in the
 * checkpoint (a resume must use the same settings).
 *
 * @param loraRank LoRA rank r
 * @param loraAlpha LoRA alpha (scale alpha / r)
 * @param loraTargets PEFT {@code target_modules}: module names such as {@code q_proj}, or {@code
 *     all-linear}
 * @param batchSize (sentence, type) examples per step
 * @param infonceWeight weight λ of the InfoNCE term (0: off)
 * @param infonceLayer layer L of the span representations (HF numbering, 0 = embeddings; -1: 2/3 of
 *     the depth, rounded)
 * @param pooling {@code mean} of the span's answer tokens, or {@code boundary}: [first; last]
 * @param tau InfoNCE temperature τ
 * @param adv {@code none}, {@code fgm} or {@code pgd} on the input embeddings
 * @param advEps perturbation L2 norm ε (over the whole batch's embeddings)
 * @param pgdSteps PGD steps k (step size ε / k, projected on the ε-ball)
 * @param lr AdamW learning rate (linear warm-up, then linear decay to 0)
 * @param weightDecay AdamW decoupled weight decay
 * @param warmup warm-up steps
 * @param maxSteps training steps
 * @param seed seeds the adapter initialisation and the data order
 * @param checkpointSteps checkpoint at least every this many steps (and every 10 minutes)
 * @param maxSpanWords longest entity in words at inference (stored with the adapter)
 * @param maxGradNorm global gradient-norm clipping threshold (0: off)
 * @param boundaryWeight weight of the boundary-aware term on the prompt's word spans (0: off)
 */
public record GenerativeTrainingConfig(
        int loraRank,
        double loraAlpha,
        List<String> loraTargets,
        int batchSize,
        double infonceWeight,
        int infonceLayer,
        String pooling,
        double tau,
        String adv,
        double advEps,
        int pgdSteps,
        double lr,
        double weightDecay,
        int warmup,
        int maxSteps,
        long seed,
        int checkpointSteps,
        int maxSpanWords,
        double maxGradNorm,
        double boundaryWeight) {
    public GenerativeTrainingConfig {
        loraTargets = List.copyOf(loraTargets);
    }

    /** The defaults of {@code fewner train --method generative}. */
    public static GenerativeTrainingConfig defaults() {
        return new GenerativeTrainingConfig(
                8,
                16,
                List.of("q_proj", "k_proj", "v_proj", "o_proj"),
                8,
                0.1,
                -1,
                "mean",
                0.1,
                "fgm",
                // ε = 1.0 (the usual BERT FGM value) kept a small decoder from fitting its training
                // set
                // (span F1 0.07 vs 0.97 with 0.1 after 600 steps; training/docs/generative.md)
                0.1,
                3,
                1e-3,
                0,
                20,
                1000,
                42,
                100,
                8,
                1.0,
                0);
    }

    /** The InfoNCE layer for a model of {@code layers} layers. */
    public int layerFor(int layers) {
        return infonceLayer >= 0 ? infonceLayer : Math.round(layers * 2f / 3f);
    }
}
