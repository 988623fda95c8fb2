package org.fewner.training.dev;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.common.Json;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.Models;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.span.FeatureSource;
import org.fewner.training.data.ExampleFiles;
import org.fewner.training.data.TrainingExample;
import org.fewner.training.optim.TrainingCheckpoint;
import org.fewner.training.source.Episodes;
import org.fewner.training.source.SourceIntake;
import org.fewner.training.span.FeatureStore;
import org.fewner.training.span.HeldOutTypes;
import org.fewner.training.span.SpanTrainer;
import org.fewner.training.span.SpanTraining;
import org.fewner.training.span.SpanTrainingConfig;

/**
 * Developer tool of the span method (not a user command): builds the feature caches that the
 * development loop and the ablations run on. Run with the cli jar on the class path:
 *
 * <pre>
 * java -cp cli/target/fewner-cli.jar org.fewner.training.dev.SpanDevTool encode-episodes MODEL_DIR LAYERS OUT FILE:N ...
 * java -cp cli/target/fewner-cli.jar org.fewner.training.dev.SpanDevTool encode-examples MODEL_DIR LAYERS OUT EXAMPLES.jsonl
 * </pre>
 */
public final class SpanDevTool {
    private SpanDevTool() {}

    public static void main(String[] args) throws Exception {
        String cmd = args[0];
        if (cmd.equals("train-eval")) {
            trainEval(args);
            return;
        }
        if (cmd.equals("eval-adapter")) {
            evalAdapter(args);
            return;
        }
        if (cmd.equals("collect")) {
            // collect OUT.jsonl WORKDIR FORMAT:FILE[@CAP] ...: lower-cased examples, seeded caps.
            Path outFile = Path.of(args[1]);
            Path work = Path.of(args[2]);
            // the trainers' intake (seed 42, no targets); each file's counts are logged
            List<TrainingExample> all =
                    SourceIntake.read(
                                    List.of(args).subList(3, args.length),
                                    List.of(),
                                    work,
                                    true,
                                    42,
                                    Json.MAPPER.createObjectNode())
                            .examples();
            StringBuilder sb = new StringBuilder();
            for (TrainingExample ex : all) {
                sb.append(Json.line(ex)).append('\n');
            }
            org.fewner.common.AtomicFiles.writeString(outFile, sb.toString());
            System.err.println(all.size() + " examples -> " + outFile);
            return;
        }
        Path model = Path.of(args[1]);
        int[] layers =
                java.util.Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
        Path out = Path.of(args[3]);
        List<List<String>> sentences = new ArrayList<>();
        Map<String, List<String>> distinct = new LinkedHashMap<>();
        if (cmd.equals("encode-episodes")) {
            for (int i = 4; i < args.length; i++) {
                // FILE:N or FILE:N:SKIP (episodes SKIP..N-1)
                String[] parts = args[i].split(":");
                Path f = Path.of(parts[0]);
                int n = Integer.parseInt(parts[1]);
                int skip = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
                List<Episodes.Episode> eps = Episodes.read(f, n);
                for (Episodes.Episode e : eps.subList(Math.min(skip, eps.size()), eps.size())) {
                    for (LabeledSentence s : e.support().sentences()) {
                        distinct.putIfAbsent(
                                FeatureStore.key(s.sentence().words()), s.sentence().words());
                    }
                    for (LabeledSentence s : e.query()) {
                        distinct.putIfAbsent(
                                FeatureStore.key(s.sentence().words()), s.sentence().words());
                    }
                }
            }
        } else if (cmd.equals("encode-examples")) {
            for (TrainingExample ex : ExampleFiles.read(Path.of(args[4]))) {
                distinct.putIfAbsent(FeatureStore.key(ex.words()), ex.words());
            }
        } else {
            throw new IllegalArgumentException("unknown command " + cmd);
        }
        sentences.addAll(distinct.values());
        System.err.println(sentences.size() + " distinct sentences to encode");
        try (Backbone bb = Models.load(model, Device.cpu())) {
            FeatureSource wf = SpanTraining.encoderFeatures(bb, layers);
            FeatureStore store = new FeatureStore(layers, wf.hidden());
            FeatureStore.encodeInto(wf, sentences, store);
            store.write(out);
        }
        System.err.println("wrote " + out);
    }

    /**
     * train-eval EXAMPLES.jsonl SOURCE.fs DEV.fs NAME key=value...: trains heads on the cached
     * source features and evaluates on the first {@code episodes=N} episodes of each dev file
     * ({@code dev=FILE,FILE}); {@code heldout=location,organization} filters the source first.
     * Prints one JSON line per dev file.
     */
    static void trainEval(String[] args) throws Exception {
        // EXAMPLES and SOURCE may each be a comma-separated list (e.g. the main cache plus GUM's)
        List<TrainingExample> examples = new ArrayList<>();
        for (String part : args[1].split(",")) {
            examples.addAll(ExampleFiles.read(Path.of(part)));
        }
        FeatureStore source = null;
        for (String part : args[2].split(",")) {
            FeatureStore one = FeatureStore.read(Path.of(part));
            if (source == null) {
                source = one;
            } else {
                source.addAll(one);
            }
        }
        String devStores = args[3];
        String name = args[4];
        com.fasterxml.jackson.databind.node.ObjectNode cfg =
                Json.MAPPER.valueToTree(SpanTrainingConfig.defaults());
        int episodes = 200;
        String devFiles =
                "../shared/datasets/few-nerd/inter/test_5_1.jsonl.gz,../shared/datasets/few-nerd/intra/test_5_1.jsonl.gz";
        String heldOut = null;
        String saveTo = null;
        List<String> evalOverrides = new ArrayList<>();
        for (int i = 5; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            switch (kv[0]) {
                case "episodes" -> episodes = Integer.parseInt(kv[1]);
                case "dev" -> devFiles = kv[1];
                case "heldout" -> heldOut = kv[1];
                case "save" -> saveTo = kv[1];
                case "eval" -> evalOverrides.add(kv[1]);
                default -> {
                    if (!cfg.has(kv[0])) {
                        throw new IllegalArgumentException("unknown setting " + kv[0]);
                    }
                    var old = cfg.get(kv[0]);
                    if (old.isNumber()) {
                        cfg.put(kv[0], Double.parseDouble(kv[1]));
                    } else if (old.isBoolean()) {
                        cfg.put(kv[0], Boolean.parseBoolean(kv[1]));
                    } else {
                        cfg.put(kv[0], kv[1]);
                    }
                }
            }
        }
        SpanTrainingConfig config = Json.MAPPER.treeToValue(cfg, SpanTrainingConfig.class);
        int dropped = 0;
        if (heldOut != null) {
            HeldOutTypes.Filtered f = HeldOutTypes.filter(examples, List.of(heldOut.split(",")));
            examples = f.kept();
            dropped = f.leftOut();
        }
        long t0 = System.nanoTime();
        SpanTrainer trainer = new SpanTrainer(config, examples, source);
        Path work = Path.of("cache/runs/" + name);
        java.nio.file.Files.createDirectories(work);
        java.nio.file.Files.deleteIfExists(work.resolve("log.jsonl"));
        try (ai.djl.ndarray.NDManager root = ai.djl.ndarray.NDManager.newBaseManager()) {
            trainer.run(root, work.resolve("log.jsonl"), work.resolve("ckpt"), -1, null);
        }
        double trainS = (System.nanoTime() - t0) / 1e9;
        FeatureStore dev = null;
        for (String part : devStores.split(",")) {
            while (!java.nio.file.Files.isRegularFile(Path.of(part))) {
                Thread.sleep(10_000); // the encoder is still writing it
            }
            FeatureStore one = FeatureStore.read(Path.of(part));
            if (dev == null) {
                dev = one;
            } else {
                dev.addAll(one);
            }
        }
        org.fewner.ner.span.SpanHeads heads =
                new org.fewner.ner.span.SpanHeads(trainer.headsConfig(), trainer.heads());
        if (saveTo != null) {
            org.fewner.llm.tensors.SafeTensors.write(
                    Path.of(saveTo), trainer.heads(), Map.of("format", "pt"));
        }
        for (String ov : evalOverrides.isEmpty() ? List.of("") : evalOverrides) {
            org.fewner.ner.span.SpanHeads h = heads;
            if (!ov.isEmpty()) {
                // threshold:X | margin:X | off
                var c = heads.config();
                String[] p = ov.split(":");
                c =
                        switch (p[0]) {
                            case "threshold" ->
                                    new org.fewner.ner.span.SpanHeads.Config(
                                            c.detectLayer(),
                                            c.typeLayer(),
                                            c.maxWidth(),
                                            Double.parseDouble(p[1]),
                                            c.rejection(),
                                            c.margin());
                            case "margin" ->
                                    new org.fewner.ner.span.SpanHeads.Config(
                                            c.detectLayer(),
                                            c.typeLayer(),
                                            c.maxWidth(),
                                            c.threshold(),
                                            "margin",
                                            Double.parseDouble(p[1]));
                            case "off" ->
                                    new org.fewner.ner.span.SpanHeads.Config(
                                            c.detectLayer(),
                                            c.typeLayer(),
                                            c.maxWidth(),
                                            c.threshold(),
                                            "off",
                                            c.margin());
                            default -> throw new IllegalArgumentException(ov);
                        };
                h = new org.fewner.ner.span.SpanHeads(c, trainer.heads());
            }
            for (String df : devFiles.split(",")) {
                List<Episodes.Episode> eps = Episodes.read(Path.of(df), episodes);
                long e0 = System.nanoTime();
                DevEval.Result r = DevEval.run(h, dev, eps);
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("name", name);
                line.put("eval", ov);
                line.put("file", df);
                line.put("result", r);
                line.put("train_s", trainS);
                line.put("eval_s", (System.nanoTime() - e0) / 1e9);
                line.put("held_out_dropped", dropped);
                line.put("examples", examples.size());
                line.put("episode_corpora", trainer.episodeCorpora());
                line.put("final_losses", trainer.lastLosses());
                line.put("config", config);
                System.out.println(Json.line(line));
            }
        }
    }

    /**
     * eval-adapter ADAPTER_DIR STORE[,STORE] FILE:N [threshold=P] [rejection=R] [margin=M]: the
     * adapter's heads (as {@code SpanMethod} reads them) on the first N episodes of each file, from
     * cached features. One JSON line per file.
     */
    static void evalAdapter(String[] args) throws Exception {
        Path adapter = Path.of(args[1]);
        FeatureStore dev = null;
        for (String part : args[2].split(",")) {
            FeatureStore one = FeatureStore.read(Path.of(part));
            if (dev == null) {
                dev = one;
            } else {
                dev.addAll(one);
            }
        }
        Double threshold = null;
        String rejection = null;
        Double margin = null;
        boolean untrainedTyping = false;
        String typing = null;
        Double mix = null;
        Double meanMargin = null;
        Double projMargin = null;
        Double lengthBonus = null;
        Double similarityWeight = null;
        Integer typeLayer = null;
        Path headsFile = null;
        org.fewner.ner.span.DetectionAdaptation.Options adaptation =
                org.fewner.ner.span.DetectionAdaptation.Options.NONE;
        List<String> files = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            switch (kv[0]) {
                case "threshold" -> threshold = Double.parseDouble(kv[1]);
                case "rejection" -> rejection = kv[1];
                case "margin" -> margin = Double.parseDouble(kv[1]);
                case "typing" -> {
                    untrainedTyping = kv[1].equals("mean");
                    typing = untrainedTyping ? "projection" : kv[1];
                }
                case "mix" -> mix = Double.parseDouble(kv[1]);
                case "mean-margin" -> meanMargin = Double.parseDouble(kv[1]);
                case "proj-margin" -> projMargin = Double.parseDouble(kv[1]);
                case "length-bonus" -> lengthBonus = Double.parseDouble(kv[1]);
                case "similarity-weight" -> similarityWeight = Double.parseDouble(kv[1]);
                case "typelayer" -> typeLayer = Integer.valueOf(kv[1]);
                case "heads" -> headsFile = Path.of(kv[1]);
                case "adapt" -> {
                    // steps:lr:positiveWeight:l2:scope
                    String[] a = kv[1].split(":");
                    adaptation =
                            new org.fewner.ner.span.DetectionAdaptation.Options(
                                    Integer.parseInt(a[0]),
                                    Double.parseDouble(a[1]),
                                    Double.parseDouble(a[2]),
                                    Double.parseDouble(a[3]),
                                    org.fewner.ner.span.DetectionAdaptation.Scope.valueOf(
                                            a[4].toUpperCase(java.util.Locale.ROOT)));
                }
                default -> files.add(args[i]);
            }
        }
        Map<String, org.fewner.llm.tensors.HostTensor> t = new java.util.TreeMap<>();
        org.fewner.ner.span.SpanHeads.Config cfg;
        org.fewner.ner.span.SpanMethod.Overrides overrides =
                new org.fewner.ner.span.SpanMethod.Overrides(
                        threshold,
                        rejection,
                        margin,
                        typeLayer,
                        typing,
                        mix,
                        meanMargin,
                        projMargin,
                        lengthBonus,
                        similarityWeight);
        if (java.nio.file.Files.isRegularFile(adapter.resolve(TrainingCheckpoint.TENSORS))) {
            // a training checkpoint: its parameters with the default settings (or those given)
            org.fewner.llm.tensors.SafeTensors.readAll(adapter.resolve(TrainingCheckpoint.TENSORS))
                    .forEach(
                            (k, v) -> {
                                if (k.startsWith("param.")) {
                                    t.put(k.substring("param.".length()), v);
                                }
                            });
            SpanTrainingConfig d = SpanTrainingConfig.defaults();
            cfg =
                    new org.fewner.ner.span.SpanHeads.Config(
                            d.detectLayer(),
                            d.typeLayer(),
                            d.maxWidth(),
                            threshold != null ? threshold : d.threshold(),
                            rejection != null ? rejection : d.rejection(),
                            margin != null ? margin : d.margin());
        } else {
            cfg = org.fewner.ner.span.SpanMethod.readHeads(adapter, overrides).config();
            t.putAll(org.fewner.llm.lora.LoraAdapter.read(adapter).heads());
        }
        if (headsFile != null) {
            // heads saved by train-eval (save=FILE), with the adapter's settings
            t.putAll(org.fewner.llm.tensors.SafeTensors.readAll(headsFile));
        }
        org.fewner.ner.span.SpanDecoder.Settings decoding =
                untrainedTyping
                        ? null
                        : org.fewner.ner.span.SpanMethod.readDecoding(adapter, overrides);
        if (untrainedTyping) {
            // "no training beyond the detection head": the trained detection head, typing by the
            // mean word vector of each span and the nearest prototype (no projection, no rejection)
            t.keySet().removeIf(k -> k.startsWith("span.type."));
        }
        org.fewner.ner.span.SpanHeads heads = new org.fewner.ner.span.SpanHeads(cfg, t);
        for (String f : files) {
            // FILE:N (the first N episodes) or FILE:N:SKIP (episodes SKIP..N-1)
            String[] parts = f.split(":");
            List<Episodes.Episode> eps =
                    Episodes.read(Path.of(parts[0]), Integer.parseInt(parts[1]));
            if (parts.length > 2) {
                eps = eps.subList(Math.min(Integer.parseInt(parts[2]), eps.size()), eps.size());
            }
            long e0 = System.nanoTime();
            DevEval.Result r = DevEval.run(heads, decoding, adaptation, dev, eps);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("adapter", adapter.toString());
            line.put("heads", headsFile == null ? null : headsFile.toString());
            line.put("decoding", decoding);
            line.put("adapt", adaptation);
            line.put("file", f);
            line.put("threshold", heads.config().threshold());
            line.put("rejection", heads.config().rejection());
            line.put("typing", heads.hasProjection() ? "projection" : "mean");
            line.put("result", r);
            line.put("eval_s", (System.nanoTime() - e0) / 1e9);
            System.out.println(Json.line(line));
        }
    }

    static String json(Object o) {
        return Json.line(o);
    }
}
