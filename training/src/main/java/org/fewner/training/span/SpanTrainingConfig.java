package org.fewner.training.span;

import org.fewner.ner.span.SpanSettings;

/**
 * Every setting of a span-method training run (recorded in {@code training.json}).
 *
 * @param detectLayer layer of the detection head's input (HF numbering, 0 = embeddings)
 * @param typeLayer layer of the typing representation (BANER: 3/4 depth; 9 on BERT-base)
 * @param maxWidth longest span in words
 * @param detectDim hidden size of the detection head (96: with boundary context the heads file of a
 *     BERT-base adapter stays under 2 MB)
 * @param detectContext the detection head also reads the words just outside the span ({@code
 *     x_{b-1} W_l + x_{e+1} W_r}, a learnt vector at a sentence edge)
 * @param typeDim size of the typing projection
 * @param typing {@code projection} (trained) or {@code mean} (untrained: mean word vector, nearest
 *     prototype)
 * @param ways N of the source episodes
 * @param shots K of the source episodes (K~2K)
 * @param queryShots query shots of the source episodes
 * @param strictEpisodes Few-NERD's strict candidate rule (only target classes in a sentence)
 * @param extraSentences random source sentences added to each step for the detection loss
 * @param detectWeight weight of the detection loss
 * @param episodeWeight weight of the prototypical episode loss
 * @param infonceWeight weight of the InfoNCE loss
 * @param tau InfoNCE temperature
 * @param boundaryWeight weight of BANER's boundary-aware contrastive loss
 * @param adv {@code none}, {@code fgm} or {@code pgd}
 * @param advEps perturbation norm (on the heads' cached input features: the backbone is frozen)
 * @param pgdSteps PGD steps
 * @param lr AdamW learning rate (linear warm-up, then linear decay to 0)
 * @param weightDecay AdamW decoupled weight decay
 * @param clipNorm global gradient-norm clipping before AdamW (0 = off)
 * @param warmup warm-up steps
 * @param maxSteps training steps
 * @param seed seeds initialisation and every sampling step
 * @param threshold detection threshold stored with the heads (0.15, chosen on Few-NERD dev episodes
 *     with the boundary-context head: the detection loss is averaged over all candidate spans,
 *     about 1 in 100 an entity, so its probabilities run low)
 * @param rejection {@code learnt}, {@code margin} or {@code off}
 * @param margin cosine threshold for {@code margin}
 * @param checkpointSteps checkpoint at least every this many steps (and every 10 minutes)
 */
public record SpanTrainingConfig(
        int detectLayer,
        int typeLayer,
        int maxWidth,
        int detectDim,
        boolean detectContext,
        int typeDim,
        String typing,
        int ways,
        int shots,
        int queryShots,
        boolean strictEpisodes,
        int extraSentences,
        double detectWeight,
        double episodeWeight,
        double infonceWeight,
        double tau,
        double boundaryWeight,
        String adv,
        double advEps,
        int pgdSteps,
        double lr,
        double weightDecay,
        double clipNorm,
        int warmup,
        int maxSteps,
        long seed,
        double threshold,
        String rejection,
        double margin,
        int checkpointSteps) {

    /**
     * A {@link #detectLayer} or {@link #typeLayer} to be resolved against the backbone's depth by
     * {@link SpanTraining#forDepth} (typing 3/4 depth, detection the last layer): what {@code
     * fewner train} uses when {@code --layer} / {@code --detect-layer} are not given.
     */
    public static final int DEPTH_RELATIVE = -1;

    /** The defaults (papers.md where it has them: BANER's boundary weight 0.001). */
    public static SpanTrainingConfig defaults() {
        SpanSettings d = SpanSettings.DEFAULTS;
        return new SpanTrainingConfig(
                d.detectLayer(),
                d.typeLayer(),
                d.maxWidth(),
                96,
                true,
                128,
                "projection",
                5,
                2,
                2,
                false,
                8,
                1.0,
                1.0,
                0.5,
                0.1,
                0.001,
                "fgm",
                1.0,
                3,
                5e-4,
                0.01,
                1.0,
                100,
                4000,
                42,
                d.threshold(),
                d.rejection(),
                d.margin(),
                500);
    }

    public boolean trainsTyping() {
        return typing.equals("projection") || typing.equals("projection-mean");
    }

    /**
     * Word vectors the typing projection reads: 2 ({@code [h_b; h_e]}, typing {@code projection})
     * or 3 ({@code [h_b; h_e; mean(h_b..h_e)]}, typing {@code projection-mean}).
     */
    public int typeInputs() {
        return typing.equals("projection-mean") ? 3 : 2;
    }
}
