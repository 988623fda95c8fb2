package org.fewner.cli.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.fewner.cli.options.Range;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.training.generative.GenerativeTrainingConfig;
import picocli.CommandLine.Option;

/**
 * The options of {@code fewner train --method generative} that the span method does not have (the
 * shared ones -- sources, targets, out, seed, steps, lr, InfoNCE weight and τ, adversarial
 * settings, resume -- are {@link TrainCommand}'s).
 */
public final class GenerativeTrainOptions {
    @Option(
            names = "--lora-rank",
            paramLabel = "R",
            description = "generative: LoRA rank (default 8).")
    @Range(min = 1)
    Integer rank;

    @Option(
            names = "--lora-alpha",
            paramLabel = "A",
            description = "generative: LoRA alpha (default 16).")
    @Range(min = 0, minExclusive = true)
    Double alpha;

    @Option(
            names = "--lora-targets",
            split = ",",
            paramLabel = "NAMES",
            description =
                    "generative: PEFT target_modules, e.g. q_proj,v_proj or all-linear (default q_proj,k_proj,v_proj,o_proj).")
    List<String> targets;

    @Option(
            names = "--batch-size",
            paramLabel = "B",
            description = "generative: (sentence, type) examples per step (default 8).")
    @Range(min = 1)
    Integer batchSize;

    @Option(
            names = "--infonce-layer",
            paramLabel = "L",
            description =
                    "generative: layer of the entity-span representations (default 2/3 depth).")
    @Range(min = 0)
    Integer infonceLayer;

    @Option(
            names = "--pooling",
            paramLabel = "mean|boundary",
            description =
                    "generative: pooling of a span's answer tokens for InfoNCE (default mean).")
    String pooling;

    @Option(
            names = "--warmup",
            paramLabel = "S",
            description = "generative: warm-up steps (default 20).")
    @Range(min = 0)
    Integer warmup;

    @Option(
            names = "--checkpoint-steps",
            paramLabel = "S",
            description =
                    "Checkpoint every S steps and at least every 10 minutes (default: span 500, generative 100).")
    @Range(min = 1)
    Integer checkpointSteps;

    @Option(
            names = "--max-span-words",
            paramLabel = "N",
            description =
                    "generative: longest entity at inference, stored with the adapter (default 8).")
    @Range(min = 1)
    Integer maxSpanWords;

    @Option(
            names = "--definitions",
            paramLabel = "FILE",
            description = "generative: label descriptions, one TYPE<TAB>definition per line.")
    Path definitions;

    /** The config from the defaults, the shared options and these. */
    GenerativeTrainingConfig config(TrainCommand t) {
        ObjectNode c = Json.MAPPER.valueToTree(GenerativeTrainingConfig.defaults());
        if (rank != null) c.put("loraRank", rank);
        if (alpha != null) c.put("loraAlpha", alpha);
        if (targets != null) c.set("loraTargets", Json.MAPPER.valueToTree(targets));
        if (batchSize != null) c.put("batchSize", batchSize);
        if (infonceLayer != null) c.put("infonceLayer", infonceLayer);
        if (pooling != null) c.put("pooling", pooling);
        if (warmup != null) c.put("warmup", warmup);
        if (checkpointSteps != null) c.put("checkpointSteps", checkpointSteps);
        if (maxSpanWords != null) c.put("maxSpanWords", maxSpanWords);
        if (t.infonceWeight != null) c.put("infonceWeight", t.infonceWeight);
        if (t.tau != null) c.put("tau", t.tau);
        // the span method's default (0.001) is not the generative one: off unless given
        if (t.boundaryWeight != null) c.put("boundaryWeight", t.boundaryWeight);
        if (t.adv != null) c.put("adv", t.adv);
        if (t.advEps != null) c.put("advEps", t.advEps);
        if (t.pgdSteps != null) c.put("pgdSteps", t.pgdSteps);
        if (t.lr != null) c.put("lr", t.lr);
        if (t.episodes != null) c.put("maxSteps", t.episodes);
        if (t.maxSteps != null) c.put("maxSteps", t.maxSteps);
        if (t.seed != null) c.put("seed", t.seed);
        try {
            return Json.MAPPER.treeToValue(c, GenerativeTrainingConfig.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new FewNerException("train: bad option value: " + e.getOriginalMessage(), e);
        }
    }
}
