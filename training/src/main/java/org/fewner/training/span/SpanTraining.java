package org.fewner.training.span;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.common.OutputFolder;
import org.fewner.llm.lora.LinearModules;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.lora.LoraConfig;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.BackboneFingerprint;
import org.fewner.llm.model.Models;
import org.fewner.ner.encode.BackboneWordEncoder;
import org.fewner.ner.span.EncoderFeatures;
import org.fewner.ner.span.FeatureSource;
import org.fewner.ner.span.SpanHeads;
import org.fewner.ner.span.SpanMethod;
import org.fewner.ner.span.SpanSettings;
import org.fewner.training.data.TrainingExample;
import org.fewner.training.loop.TrainingRun;
import org.fewner.training.source.SourceIntake;
import org.fewner.training.source.TargetFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fewner train --method span} end to end: source files through the readers and the
 * collector, target checks, held-out types, word vectors of the frozen backbone (cached), the
 * trainer with checkpoints, and the adapter directory.
 *
 * <p>The adapter: PEFT does not allow a LoRA of rank 0, and this method trains no backbone weight
 * (the backbone is frozen; only the heads learn). The adapter therefore holds one rank-1 LoRA
 * module on the last layer's query projection with B = 0 (it changes nothing; written so that PEFT
 * and FewNER's adapter tools read the directory), the heads in {@code fewner_heads.safetensors},
 * and the span settings under {@code fewner_span} in {@code adapter_config.json}.
 */
public final class SpanTraining {
    private static final Logger LOG = LoggerFactory.getLogger(SpanTraining.class);

    /**
     * Everything the command line sets.
     *
     * @param overwrite replace an earlier output of {@code train} in {@code out}
     * @param device where the backbone computes the word vectors (the heads train on the CPU)
     */
    public record Options(
            Path modelDir,
            String modelSpec,
            List<String> sources,
            List<Path> targets,
            Path out,
            SpanTrainingConfig config,
            List<String> heldOutTypes,
            boolean resume,
            Path cache,
            Integer lowerCase,
            String command,
            String version,
            boolean overwrite,
            Device device) {
        /** Options of a run that writes a new {@code out} (no {@code --overwrite}), on the CPU. */
        public Options(
                Path modelDir,
                String modelSpec,
                List<String> sources,
                List<Path> targets,
                Path out,
                SpanTrainingConfig config,
                List<String> heldOutTypes,
                boolean resume,
                Path cache,
                Integer lowerCase,
                String command,
                String version) {
            this(
                    modelDir,
                    modelSpec,
                    sources,
                    targets,
                    out,
                    config,
                    heldOutTypes,
                    resume,
                    cache,
                    lowerCase,
                    command,
                    version,
                    false,
                    Device.cpu());
        }
    }

    private SpanTraining() {}

    /** Runs the whole training; returns the training record written as {@code training.json}. */
    public static ObjectNode run(Options o) {
        long t0 = System.nanoTime();
        SpanTrainingConfig c = o.config();
        try (OutputFolder workFolder = TrainingRun.claim(o.out(), o.overwrite(), o.resume())) {
            return run(o, c, workFolder.path(), t0);
        }
    }

    private static ObjectNode run(Options o, SpanTrainingConfig given, Path work, long t0) {
        ObjectNode record = TrainingRun.record(o.command(), "span", o.modelSpec(), o.version());
        try (Backbone backbone =
                Models.load(o.modelDir(), o.device() == null ? Device.cpu() : o.device())) {
            SpanTrainingConfig c = forDepth(given, backbone.config().numHiddenLayers());
            boolean lower =
                    o.lowerCase() != null
                            ? o.lowerCase() == 1
                            : java.util.Arrays.equals(
                                    backbone.tokenizer().encode("A", false).ids(),
                                    backbone.tokenizer().encode("a", false).ids());
            // ---- sources, then the sentences that occur in a target dropped
            List<TrainingExample> examples =
                    SourceIntake.read(o.sources(), o.targets(), work, lower, c.seed(), record)
                            .examples();
            examples = TargetFiles.dropOverlapping(examples, o.targets(), work, record);
            // ---- held-out types
            if (!o.heldOutTypes().isEmpty()) {
                HeldOutTypes.Filtered f = HeldOutTypes.filter(examples, o.heldOutTypes());
                examples = f.kept();
                record.put("held_out_types", String.join(",", o.heldOutTypes()));
                record.put("held_out_sentences_left_out", f.leftOut());
            }
            record.put("training_sentences", examples.size());
            if (examples.isEmpty()) {
                throw new FewNerException(
                        "--source: no training sentence left (see the counts above)");
            }
            // ---- features (cached per distinct sentence)
            int[] layers =
                    c.detectLayer() == c.typeLayer()
                            ? new int[] {c.detectLayer()}
                            : new int[] {c.detectLayer(), c.typeLayer()};
            int hiddenSize = backbone.config().hiddenSize();
            FeatureStore store = null;
            if (o.cache() != null && Files.isRegularFile(o.cache())) {
                FeatureStore cached = FeatureStore.read(o.cache());
                if (cached.hidden() == hiddenSize && covers(cached.layers(), layers)) {
                    store = cached;
                }
            }
            if (store == null) {
                store = new FeatureStore(layers, hiddenSize);
            }
            Map<String, List<String>> missing = new LinkedHashMap<>();
            for (TrainingExample ex : examples) {
                if (!store.contains(ex.words())) {
                    missing.putIfAbsent(FeatureStore.key(ex.words()), ex.words());
                }
            }
            long e0 = System.nanoTime();
            long words = 0;
            if (!missing.isEmpty()) {
                // the cache may hold more layers than needed: encode all of them
                FeatureSource wf = encoderFeatures(backbone, store.layers());
                List<List<String>> todo = new ArrayList<>(missing.values());
                for (List<String> w : todo) {
                    words += w.size();
                }
                FeatureStore.encodeInto(wf, todo, store);
                if (o.cache() != null) {
                    store.write(o.cache());
                }
            }
            double encodeS = (System.nanoTime() - e0) / 1e9;
            record.put("encoded_sentences", missing.size());
            record.put("encode_s", encodeS);
            record.put("encode_words_per_s", encodeS > 0 ? words / encodeS : 0);
            // ---- training
            SpanTrainer trainer = new SpanTrainer(c, examples, store);
            Path ckpt = TrainingRun.checkpointDir(work);
            Path log = TrainingRun.logFile(o.out());
            trainer.loop().resumeOrStartFresh(o.resume(), ckpt, log);
            if (o.resume()) {
                LOG.info("resumed at step {}", trainer.step());
            }
            long tr0 = System.nanoTime();
            try (NDManager root = NDManager.newBaseManager()) {
                trainer.run(root, log, ckpt, -1, null);
            }
            double trainS = trainer.elapsedBefore() + (System.nanoTime() - tr0) / 1e9;
            record.set("config", Json.MAPPER.valueToTree(c));
            record.put("steps", trainer.step());
            record.put("seed", c.seed());
            record.set("final_losses", Json.MAPPER.valueToTree(trainer.lastLosses()));
            record.put("train_s", trainS);
            record.put("log", log.getFileName().toString());
            record.set("episode_corpora", Json.MAPPER.valueToTree(trainer.episodeCorpora()));
            record.put(
                    "adversarial_note",
                    "the backbone is frozen: FGM/PGD perturb the cached word vectors the heads read, not the embeddings");
            record.put("elapsed_s", (System.nanoTime() - t0) / 1e9);
            writeAdapter(
                    o.out(),
                    o.modelDir(),
                    o.modelSpec(),
                    backbone,
                    trainer,
                    c,
                    record,
                    o.overwrite() || o.resume());
            return record;
        }
    }

    /** The shared word encoder (no cache of its own: the feature store is the cache). */
    public static FeatureSource encoderFeatures(Backbone backbone, int[] layers) {
        List<Integer> ls = new ArrayList<>();
        for (int l : layers) {
            ls.add(l);
        }
        BackboneWordEncoder enc =
                new BackboneWordEncoder(
                        backbone, BackboneWordEncoder.Options.of(ls).withCacheBytes(0), false);
        return new EncoderFeatures(enc, layers);
    }

    private static boolean covers(int[] have, int[] need) {
        for (int n : need) {
            boolean f = false;
            for (int h : have) {
                f |= h == n;
            }
            if (!f) {
                return false;
            }
        }
        return true;
    }

    /** The name of the module that carries the minimal rank-1 LoRA (the last query projection). */
    static String minimalTarget(LinearModules base) {
        String pick = null;
        for (String n : base.modules().keySet()) {
            if (n.endsWith("attention.self.query") || n.endsWith("self_attn.q_proj")) {
                pick = n;
            }
        }
        return pick != null ? pick : base.modules().keySet().iterator().next();
    }

    /**
     * {@code c} with its layers resolved for a backbone of {@code depth} layers: {@link
     * SpanTrainingConfig#DEPTH_RELATIVE} (the defaults) becomes 3/4 depth for typing and the full
     * depth for detection (9 and 12 on BERT-base); a layer given beyond the depth is refused.
     */
    public static SpanTrainingConfig forDepth(SpanTrainingConfig c, int depth) {
        int type =
                c.typeLayer() == SpanTrainingConfig.DEPTH_RELATIVE
                        ? (3 * depth + 3) / 4
                        : c.typeLayer();
        int detect = c.detectLayer() == SpanTrainingConfig.DEPTH_RELATIVE ? depth : c.detectLayer();
        if (type < 0 || type > depth) {
            throw new FewNerException(
                    "--layer "
                            + type
                            + ": the model has layers 0 (embeddings) to "
                            + depth
                            + " (default: 3/4 of the depth)");
        }
        if (detect < 0 || detect > depth) {
            throw new FewNerException(
                    "--detect-layer "
                            + detect
                            + ": the model has layers 0 (embeddings) to "
                            + depth
                            + " (default: the last layer)");
        }
        if (type == c.typeLayer() && detect == c.detectLayer()) {
            return c;
        }
        ObjectNode n = Json.MAPPER.valueToTree(c);
        n.put("typeLayer", type).put("detectLayer", detect);
        try {
            return Json.MAPPER.treeToValue(n, SpanTrainingConfig.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void writeAdapter(
            Path out,
            Path modelDir,
            String modelSpec,
            Backbone backbone,
            SpanTrainer trainer,
            SpanTrainingConfig c,
            ObjectNode record,
            boolean replace) {
        LinearModules base = LinearModules.of(backbone);
        LoraConfig lc = LoraConfig.of(1, 1, 0, List.of(minimalTarget(base)), false);
        LoraAdapter a = LoraAdapter.init(base, lc, c.seed(), LoraAdapter.Init.ZERO, 0);
        ObjectNode extra = a.config().extra().deepCopy();
        // a trained projection is used by the mixed typing (SpanDecoder) at inference; the
        // decoding settings are SpanSettings' defaults (chosen on Few-NERD test episodes 500-699 /
        // 500-599, which the reported figures do not include: training/docs/span.md)
        extra.set(
                SpanMethod.CONFIG_KEY,
                SpanSettings.forHeads(
                                trainer.headsConfig(), c.trainsTyping() ? "mixed" : c.typing())
                        .toJson());
        Map<String, String> desc = new TreeMap<>();
        desc.put(SpanHeads.DETECT_START, "span detection: W_s [H, d] on the start word");
        desc.put(SpanHeads.DETECT_END, "span detection: W_e [H, d] on the end word");
        desc.put(SpanHeads.DETECT_WIDTH, "span detection: width embedding [maxWidth, d]");
        desc.put(SpanHeads.DETECT_BIAS, "span detection: hidden bias [d]");
        if (c.detectContext()) {
            desc.put(
                    SpanHeads.DETECT_LEFT,
                    "span detection: W_l [H, d] on the word before the span");
            desc.put(
                    SpanHeads.DETECT_RIGHT,
                    "span detection: W_r [H, d] on the word after the span");
            desc.put(
                    SpanHeads.DETECT_EDGES,
                    "span detection: [2, d] in place of a word beyond the sentence's edge");
        }
        desc.put(SpanHeads.DETECT_OUT, "span detection: output weights [d]");
        desc.put(SpanHeads.DETECT_OUT_BIAS, "span detection: output bias [1]");
        desc.put(
                SpanHeads.TYPE_PROJ,
                c.typeInputs() == 3
                        ? "typing projection P [3H, k] of [h_b; h_e; mean(h_b..h_e)]"
                        : "typing projection P [2H, k] of [h_b; h_e]");
        desc.put(SpanHeads.TYPE_PROJ_BIAS, "typing projection bias [k]");
        desc.put(SpanHeads.TYPE_SCALE, "cosine logit scale [1]");
        desc.put(SpanHeads.TYPE_NONE, "learnt 'no type' cosine threshold [1]");
        LoraAdapter full =
                new LoraAdapter(a.config().withExtra(extra), a.modules(), Map.of())
                        .withHeads(trainer.heads(), desc)
                        .withBackbone(BackboneFingerprint.of(modelDir, modelSpec));
        TrainingRun.writeOutput(
                out,
                replace,
                tmp -> {
                    full.write(tmp);
                    Files.writeString(tmp.resolve("training.json"), Json.pretty(record));
                });
    }
}
