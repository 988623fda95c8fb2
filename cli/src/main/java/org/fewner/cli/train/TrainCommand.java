package org.fewner.cli.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fewner.cli.options.ModelOption;
import org.fewner.cli.options.Range;
import org.fewner.cli.options.Validated;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.training.loop.TrainingRun;
import org.fewner.training.source.SourceIntake;
import org.fewner.training.span.SpanTraining;
import org.fewner.training.span.SpanTrainingConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fewner train --method span}: trains the span method's heads on source corpora. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Trains a few-shot method on source corpora and writes a PEFT-layout adapter directory",
            "(adapter_config.json, adapter_model.safetensors, fewner_heads.safetensors, training.json).",
            "span: frozen backbone; span detection head + prototype typing projection trained on cached",
            "word vectors with the detection, episode, InfoNCE and boundary losses and FGM/PGD on the heads' inputs.",
            "generative: LoRA instruction tuning of a decoder LLM (CLLMFS): answer-token loss, InfoNCE on entity",
            "spans at layer L, FGM/PGD on the input embeddings (training/docs/generative.md)."
        })
public final class TrainCommand implements Runnable, Validated {
    @Mixin ModelOption model;

    @Mixin GenerativeTrainOptions generative;

    @Option(
            names = "--method",
            defaultValue = "span",
            description = "Method to train (span or generative).")
    String method;

    @Option(
            names = "--source",
            required = true,
            split = ",",
            paramLabel = "FORMAT:FILE[@N]",
            description =
                    "Source corpora (bio|two-column|conll|conll2003), optionally with a seeded sample of at most N sentences.")
    List<String> sources;

    @Option(
            names = "--target",
            split = ",",
            paramLabel = "FILE",
            description =
                    "Evaluation files: refused as sources; source sentences occurring in them are dropped and counted.")
    List<Path> targets = new ArrayList<>();

    @Option(
            names = "--out",
            required = true,
            paramLabel = "ADAPTER_DIR",
            description =
                    "Adapter directory to write (new or empty; written at the end, with"
                            + " ADAPTER_DIR.work/ and ADAPTER_DIR.log.jsonl beside it).")
    Path out;

    @Option(
            names = "--overwrite",
            description =
                    "Replace an earlier output of 'fewner train' in ADAPTER_DIR (a folder holding its"
                            + " .fewner-output marker); any other non-empty folder is refused.")
    boolean overwrite;

    @Option(
            names = "--layer",
            paramLabel = "L",
            description =
                    "span: typing layer, 0 = embeddings (default: 3/4 of the model's depth, 9 on"
                            + " a 12-layer BERT).")
    @Range(min = 0)
    Integer layer;

    @Option(
            names = "--detect-layer",
            paramLabel = "L",
            description =
                    "span: detection layer (default: the model's last layer, 12 on a 12-layer"
                            + " BERT).")
    @Range(min = 0)
    Integer detectLayer;

    @Option(
            names = "--detect-dim",
            paramLabel = "D",
            description = "Hidden size of the span detection head (default 96).")
    @Range(min = 1)
    Integer detectDim;

    @Option(
            names = "--detect-context",
            arity = "1",
            paramLabel = "true|false",
            description =
                    "The detection head also reads the word before and after each span (default true).")
    Boolean detectContext;

    @Option(
            names = "--episodes",
            paramLabel = "N",
            description = "Training steps (one source episode each); same as --max-steps.")
    @Range(min = 1)
    Integer episodes;

    @Option(
            names = "--max-steps",
            paramLabel = "S",
            description = "Training steps (span: default 4000).")
    @Range(min = 1)
    Integer maxSteps;

    @Option(
            names = "--ways",
            paramLabel = "N",
            description = "N of the source episodes (default 5).")
    @Range(min = 1)
    Integer ways;

    @Option(
            names = "--shots",
            paramLabel = "K",
            description = "K of the source episodes (K~2K; default 2).")
    @Range(min = 1)
    Integer shots;

    @Option(
            names = "--typing",
            paramLabel = "projection|projection-mean|mean",
            description = "Train the typing projection, or type by untrained mean vectors.")
    String typing;

    @Option(
            names = "--episode-weight",
            paramLabel = "W",
            description = "Prototypical episode loss weight (default 1).")
    @Range(min = 0)
    Double episodeWeight;

    @Option(
            names = "--detect-weight",
            paramLabel = "W",
            description = "Span detection loss weight (default 1).")
    @Range(min = 0)
    Double detectWeight;

    @Option(
            names = "--infonce-weight",
            paramLabel = "W",
            description = "InfoNCE weight (default 0.5).")
    @Range(min = 0)
    Double infonceWeight;

    @Option(names = "--tau", paramLabel = "T", description = "InfoNCE temperature (default 0.1).")
    @Range(min = 0, minExclusive = true)
    Double tau;

    @Option(
            names = "--boundary-weight",
            paramLabel = "W",
            description = "BANER boundary loss weight (default 0.001).")
    @Range(min = 0)
    Double boundaryWeight;

    @Option(
            names = "--adv",
            paramLabel = "none|fgm|pgd",
            description = "Adversarial training on the heads' input features (default fgm).")
    String adv;

    @Option(
            names = "--adv-eps",
            paramLabel = "E",
            description = "Perturbation norm (default 1.0; generative: 0.1).")
    @Range(min = 0)
    Double advEps;

    @Option(names = "--pgd-steps", paramLabel = "K", description = "PGD steps (default 3).")
    @Range(min = 1)
    Integer pgdSteps;

    @Option(names = "--lr", paramLabel = "LR", description = "AdamW learning rate (default 5e-4).")
    @Range(min = 0, minExclusive = true, max = 1)
    Double lr;

    @Option(
            names = "--threshold",
            paramLabel = "P",
            description = "Detection threshold stored with the heads (default 0.15).")
    @Range(min = 0, max = 1)
    Double threshold;

    @Option(
            names = "--rejection",
            paramLabel = "learnt|margin|off",
            description = "'No type' rejection stored with the heads (default learnt).")
    String rejection;

    @Option(
            names = "--margin",
            paramLabel = "M",
            description = "Cosine margin for --rejection margin.")
    @Range(min = -1, max = 1)
    Double margin;

    @Option(names = "--seed", paramLabel = "S", description = "Seed (default 42).")
    @Range(note = "any 64-bit integer")
    Long seed;

    @Option(
            names = "--resume",
            description = "Continue from the last checkpoint in ADAPTER_DIR.work/.")
    boolean resume;

    @Option(
            names = "--held-out-types",
            split = ",",
            paramLabel = "COARSE",
            description =
                    "Leave out every source sentence carrying a type that overlaps these coarse types (location,organization).")
    List<String> heldOut = new ArrayList<>();

    @Option(
            names = "--cache",
            paramLabel = "FILE",
            description = "Feature cache file (word vectors per distinct sentence).")
    Path cache;

    @Option(
            names = "--lower-case",
            paramLabel = "auto|true|false",
            defaultValue = "auto",
            description = "Lower-case the source words (auto: when the tokenizer is uncased).")
    String lowerCase;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    /** The options checked before any work (the command line runs this after parsing). */
    @Override
    public void validate() {
        if (!method.equals("span") && !method.equals("generative")) {
            throw new FewNerException("--method " + method + ": expected span or generative");
        }
        // a GPU that is not there is refused now, not after the sources were read
        model.device();
        for (String src : sources) {
            SourceIntake.Spec.parse(src);
        }
        TrainingRun.check(out, overwrite, resume);
    }

    @Override
    public void run() {
        if (method.equals("generative")) {
            runGenerative();
            return;
        }
        if (!method.equals("span")) {
            throw new FewNerException("--method " + method + ": expected span or generative");
        }
        ObjectNode c = Json.MAPPER.valueToTree(SpanTrainingConfig.defaults());
        // unless given, the layers follow the model's depth (SpanTraining.forDepth)
        c.put("typeLayer", layer != null ? layer : SpanTrainingConfig.DEPTH_RELATIVE);
        c.put("detectLayer", detectLayer != null ? detectLayer : SpanTrainingConfig.DEPTH_RELATIVE);
        if (generative.checkpointSteps != null)
            c.put("checkpointSteps", generative.checkpointSteps);
        if (detectDim != null) c.put("detectDim", detectDim);
        if (detectContext != null) c.put("detectContext", detectContext);
        if (episodes != null) c.put("maxSteps", episodes);
        if (maxSteps != null) c.put("maxSteps", maxSteps);
        if (ways != null) c.put("ways", ways);
        if (shots != null) {
            c.put("shots", shots);
            c.put("queryShots", shots);
        }
        if (typing != null) c.put("typing", typing);
        if (episodeWeight != null) c.put("episodeWeight", episodeWeight);
        if (detectWeight != null) c.put("detectWeight", detectWeight);
        if (infonceWeight != null) c.put("infonceWeight", infonceWeight);
        if (tau != null) c.put("tau", tau);
        if (boundaryWeight != null) c.put("boundaryWeight", boundaryWeight);
        if (adv != null) c.put("adv", adv);
        if (advEps != null) c.put("advEps", advEps);
        if (pgdSteps != null) c.put("pgdSteps", pgdSteps);
        if (lr != null) c.put("lr", lr);
        if (threshold != null) c.put("threshold", threshold);
        if (rejection != null) c.put("rejection", rejection);
        if (margin != null) c.put("margin", margin);
        if (seed != null) c.put("seed", seed);
        SpanTrainingConfig config;
        try {
            config = Json.MAPPER.treeToValue(c, SpanTrainingConfig.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new FewNerException("train: bad option value: " + e.getOriginalMessage(), e);
        }
        if (!List.of("none", "fgm", "pgd").contains(config.adv())) {
            throw new FewNerException("--adv " + config.adv() + ": expected none, fgm or pgd");
        }
        if (!List.of("projection", "projection-mean", "mean").contains(config.typing())) {
            throw new FewNerException(
                    "--typing "
                            + config.typing()
                            + ": expected projection, projection-mean or mean");
        }
        Integer lc =
                switch (lowerCase) {
                    case "auto" -> null;
                    case "true" -> 1;
                    case "false" -> 0;
                    default ->
                            throw new FewNerException(
                                    "--lower-case " + lowerCase + ": expected auto, true or false");
                };
        String version = TrainCommand.class.getPackage().getImplementationVersion();
        ObjectNode record =
                SpanTraining.run(
                        new SpanTraining.Options(
                                model.directory(),
                                model.spec(),
                                sources,
                                targets,
                                out,
                                config,
                                heldOut,
                                resume,
                                cache,
                                lc,
                                // originalArgs is the whole command line, "train" included
                                "fewner "
                                        + String.join(
                                                " ",
                                                spec.commandLine().getParseResult().originalArgs()),
                                version == null ? "0.1.0-SNAPSHOT" : version,
                                overwrite,
                                model.device()));
        System.out.println(
                "wrote "
                        + out
                        + " ("
                        + record.path("steps").asInt()
                        + " steps, "
                        + record.path("training_sentences").asInt()
                        + " sentences, final losses "
                        + record.path("final_losses")
                        + ")");
    }

    private void runGenerative() {
        String version = TrainCommand.class.getPackage().getImplementationVersion();
        ObjectNode record =
                org.fewner.training.generative.GenerativeTraining.run(
                        new org.fewner.training.generative.GenerativeTraining.Options(
                                model.directory(),
                                model.spec(),
                                model.device(),
                                sources,
                                targets,
                                generative.definitions,
                                out,
                                generative.config(this),
                                resume,
                                overwrite,
                                // originalArgs is the whole command line, "train" included
                                "fewner "
                                        + String.join(
                                                " ",
                                                spec.commandLine().getParseResult().originalArgs()),
                                version == null ? "0.1.0-SNAPSHOT" : version));
        System.out.println(
                "wrote "
                        + out
                        + " ("
                        + record.path("steps").asInt()
                        + " steps, "
                        + record.path("instruction_examples").asInt()
                        + " instruction examples, final losses "
                        + record.path("final_losses")
                        + ")");
    }
}
