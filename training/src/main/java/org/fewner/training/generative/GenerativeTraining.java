package org.fewner.training.generative;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.common.OutputFolder;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.generation.PromptTemplate;
import org.fewner.llm.lora.AdapterRegistry;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.Models;
import org.fewner.training.data.TrainingExample;
import org.fewner.training.loop.TrainingRun;
import org.fewner.training.source.SourceIntake;
import org.fewner.training.source.TargetFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fewner train --method generative} end to end: sources through the readers and the
 * collector (as the span method), instruction examples ({@link InstructionExamples}), the trainer
 * with checkpoints in {@code OUT.work/checkpoint}, the log {@code OUT.log.jsonl}, and a PEFT
 * adapter directory whose {@code adapter_config.json} carries the inference settings under {@link
 * #CONFIG_KEY} (types, definitions, longest span).
 */
public final class GenerativeTraining {
    private static final Logger LOG = LoggerFactory.getLogger(GenerativeTraining.class);

    /** Key of the generative settings in the adapter config (read by the inference method). */
    public static final String CONFIG_KEY = org.fewner.ner.generative.GenerativeMethod.CONFIG_KEY;

    /** Everything the command line sets. */
    public record Options(
            Path modelDir,
            String modelSpec,
            Device device,
            List<String> sources,
            List<Path> targets,
            Path definitions,
            Path out,
            GenerativeTrainingConfig config,
            boolean resume,
            boolean overwrite,
            String command,
            String version) {
        /** Options of a run that writes a new {@code out} (no {@code --overwrite}). */
        public Options(
                Path modelDir,
                String modelSpec,
                Device device,
                List<String> sources,
                List<Path> targets,
                Path definitions,
                Path out,
                GenerativeTrainingConfig config,
                boolean resume,
                String command,
                String version) {
            this(
                    modelDir,
                    modelSpec,
                    device,
                    sources,
                    targets,
                    definitions,
                    out,
                    config,
                    resume,
                    false,
                    command,
                    version);
        }
    }

    private GenerativeTraining() {}

    /**
     * The sources ({@code FORMAT:FILE[@N]}) through the trainers' one intake ({@link
     * SourceIntake}), not lower-cased, the sentences that occur in a target dropped.
     */
    public static List<TrainingExample> readSources(
            List<String> sources, List<Path> targets, Path work, long seed, ObjectNode record) {
        List<TrainingExample> examples =
                SourceIntake.read(sources, targets, work, false, seed, record).examples();
        examples = TargetFiles.dropOverlapping(examples, targets, work, record);
        if (examples.isEmpty()) {
            throw new FewNerException("--source: no training sentence left");
        }
        return examples;
    }

    /** Runs the whole training; returns the record written as {@code training.json}. */
    public static ObjectNode run(Options o) {
        long t0 = System.nanoTime();
        try (OutputFolder workFolder = TrainingRun.claim(o.out(), o.overwrite(), o.resume())) {
            return run(o, workFolder.path(), t0);
        }
    }

    private static ObjectNode run(Options o, Path work, long t0) {
        GenerativeTrainingConfig c = o.config();
        ObjectNode record =
                TrainingRun.record(o.command(), "generative", o.modelSpec(), o.version());
        List<TrainingExample> sentences =
                readSources(o.sources(), o.targets(), work, c.seed(), record);
        Map<String, String> defs =
                o.definitions() == null
                        ? Map.of()
                        : InstructionExamples.readDefinitions(o.definitions());
        List<String> types = InstructionExamples.types(sentences);
        PromptTemplate template = PromptTemplate.DEFAULT;
        List<InstructionExample> inst = InstructionExamples.build(sentences, types, defs, template);
        record.put("training_sentences", sentences.size());
        record.put("instruction_examples", inst.size());
        record.set("types", Json.MAPPER.valueToTree(types));
        try (Backbone bb = Models.load(o.modelDir(), o.device())) {
            if (!(bb instanceof DecoderModel model)) {
                throw new FewNerException(
                        o.modelDir()
                                + ": --method generative needs a decoder LLM (llama, qwen2, mistral), got "
                                + bb.config().modelType());
            }
            List<GenerativeLosses.Encoded> enc = new ArrayList<>();
            long promptTokens = 0;
            long answerTokens = 0;
            for (InstructionExample e : inst) {
                GenerativeLosses.Encoded x =
                        GenerativeLosses.encode(model, template, e, types.indexOf(e.type()));
                if (x.prompt().length + x.answer().length
                        > model.config().maxPositionEmbeddings()) {
                    throw new FewNerException(
                            e.id()
                                    + ": prompt and answer of "
                                    + (x.prompt().length + x.answer().length)
                                    + " tokens exceed max_position_embeddings");
                }
                promptTokens += x.prompt().length;
                answerTokens += x.answer().length;
                enc.add(x);
            }
            record.put("prompt_tokens", promptTokens);
            record.put("answer_tokens", answerTokens);
            try (AdapterRegistry registry = new AdapterRegistry(model)) {
                GenerativeTrainer trainer = new GenerativeTrainer(c, model, registry, enc);
                Path ckpt = TrainingRun.checkpointDir(work);
                Path log = TrainingRun.logFile(o.out());
                trainer.loop().resumeOrStartFresh(o.resume(), ckpt, log);
                if (o.resume()) {
                    LOG.info("resumed at step {}", trainer.step());
                }
                long tr0 = System.nanoTime();
                // on the model's device (CPU, or a GPU with --device gpu)
                try (NDManager root = model.manager().newSubManager()) {
                    trainer.run(root, log, ckpt, -1, null);
                }
                double thisRun = (System.nanoTime() - tr0) / 1e9;
                record.set("config", Json.MAPPER.valueToTree(c));
                record.put("infonce_layer", trainer.layer());
                record.put("steps", trainer.step());
                record.put("seed", c.seed());
                record.set("final_losses", Json.MAPPER.valueToTree(trainer.lastLosses()));
                record.put("train_s", trainer.elapsedBefore() + thisRun);
                record.put(
                        "tokens_per_s_this_run", thisRun > 0 ? trainer.tokensSeen() / thisRun : 0);
                record.put("log", log.getFileName().toString());
                record.put("elapsed_s", (System.nanoTime() - t0) / 1e9);
                writeAdapter(
                        o.out(),
                        trainer.adapter()
                                .withBackbone(
                                        org.fewner.llm.model.BackboneFingerprint.of(
                                                o.modelDir(), o.modelSpec())),
                        types,
                        defs,
                        c,
                        record,
                        o.overwrite() || o.resume());
                return record;
            }
        }
    }

    /** The adapter directory with the inference settings and {@code training.json}. */
    public static void writeAdapter(
            Path out,
            LoraAdapter trained,
            List<String> types,
            Map<String, String> defs,
            GenerativeTrainingConfig c,
            ObjectNode record,
            boolean replace) {
        ObjectNode extra = trained.config().extra().deepCopy();
        ObjectNode g = extra.putObject(CONFIG_KEY);
        g.set("types", Json.MAPPER.valueToTree(types));
        g.set("definitions", Json.MAPPER.valueToTree(new LinkedHashMap<>(defs)));
        g.put("max_span_words", c.maxSpanWords());
        g.put("template", "PromptTemplate.DEFAULT");
        LoraAdapter a =
                new LoraAdapter(trained.config().withExtra(extra), trained.modules(), Map.of());
        TrainingRun.writeOutput(
                out,
                replace,
                tmp -> {
                    a.write(tmp);
                    Files.writeString(tmp.resolve("training.json"), Json.pretty(record));
                });
    }
}
