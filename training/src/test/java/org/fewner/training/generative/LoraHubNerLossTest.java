package org.fewner.training.generative;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.generation.PromptTemplate;
import org.fewner.llm.lora.AdapterRegistry;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.lora.LoraHub;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.WordSentence;
import org.fewner.training.data.TrainingExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRAHub on the NER loss with two adapters trained on different entity types (PER, LOC) and a
 * support set mixing both.
 */
class LoraHubNerLossTest {
    @TempDir Path tmp;

    private static LoraAdapter train(
            DecoderModel m,
            AdapterRegistry r,
            List<TrainingExample> s,
            String type,
            long seed,
            Path dir) {
        List<GenerativeLosses.Encoded> enc = new ArrayList<>();
        for (InstructionExample e :
                InstructionExamples.build(s, List.of(type), Map.of(), PromptTemplate.DEFAULT)) {
            enc.add(GenerativeLosses.encode(m, PromptTemplate.DEFAULT, e, 0));
        }
        GenerativeTrainingConfig c =
                new GenerativeTrainingConfig(
                        8,
                        16,
                        List.of("q_proj", "v_proj", "down_proj"),
                        6,
                        0,
                        -1,
                        "mean",
                        0.1,
                        "none",
                        0,
                        1,
                        3e-3,
                        0,
                        5,
                        120,
                        seed,
                        1000,
                        4,
                        1.0);
        GenerativeTrainer t = new GenerativeTrainer(c, m, r, enc);
        try (NDManager root = NDManager.newBaseManager()) {
            t.run(root, dir.resolve("log"), dir.resolve("ckpt"), -1, null);
        }
        return t.adapter();
    }

    @Test
    void composingSingleTypeAdaptersOnTheNerLoss() throws Exception {
        Path model = TinyDecoders.smol(tmp.resolve("m"), 64, 2, 0.15, 4);
        Path data = tmp.resolve("train.txt");
        Files.writeString(data, GenerativeTrainingTest.CONLL);
        List<TrainingExample> s =
                org.fewner.training.span.SourceCorpora.read(
                                org.fewner.training.span.SourceCorpora.parse("conll2003:" + data),
                                tmp,
                                false,
                                200)
                        .examples();
        try (DecoderModel m = DecoderModel.load(model, Device.cpu());
                AdapterRegistry r = new AdapterRegistry(m)) {
            LoraAdapter per = train(m, r, s, "PER", 5, Files.createDirectories(tmp.resolve("per")));
            LoraAdapter loc = train(m, r, s, "LOC", 5, Files.createDirectories(tmp.resolve("loc")));
            List<LabeledSentence> support = new ArrayList<>();
            for (TrainingExample e : s) {
                support.add(
                        new LabeledSentence(
                                new WordSentence(e.id(), e.words()),
                                e.mentions().stream()
                                        .filter(x -> !x.label().equals("ORG"))
                                        .toList()));
            }
            NerTaskLoss loss = new NerTaskLoss(m, support, List.of("LOC", "PER"), Map.of(), 8);
            r.add("per", per);
            r.add("loc", loc);
            double lPer = loss.loss(m, "per");
            double lLoc = loss.loss(m, "loc");
            double lBase = loss.loss(m, null);
            r.add("sum", LoraHub.compose(List.of(per, loc), new double[] {1, 1}));
            double lSum = loss.loss(m, "sum");
            LoraHub.Result res =
                    LoraHub.search(
                            r,
                            List.of(per, loc),
                            loss,
                            new LoraHub.Settings(100, 0.0, 1.5, 0.5, 1));
            // what holds on this tiny model (see training/docs/generative.md): LoRAHub on the NER
            // loss improves on the base model by far; beating the better single adapter on the
            // mixed set was NOT reached here (the single-type adapters interfere when added)
            assertTrue(
                    res.bestLoss() < 0.6 * lBase,
                    "composed " + res.bestLoss() + " vs base " + lBase);
            // the loss reads the labels: on PER-only questions the PER adapter is the better one
            NerTaskLoss perOnly = new NerTaskLoss(m, support, List.of("PER"), Map.of(), 8);
            NerTaskLoss locOnly = new NerTaskLoss(m, support, List.of("LOC"), Map.of(), 8);
            assertTrue(perOnly.loss(m, "per") < perOnly.loss(m, "loc"), "PER questions");
            assertTrue(locOnly.loss(m, "loc") < locOnly.loss(m, "per"), "LOC questions");
            System.out.printf(
                    "LoRAHub NER loss: composed %.4f (weights %s), PER alone %.4f, LOC alone %.4f,"
                            + " (1, 1) %.4f, base %.4f%n",
                    res.bestLoss(),
                    java.util.Arrays.toString(res.weights()),
                    lPer,
                    lLoc,
                    lSum,
                    lBase);
        }
    }
}
