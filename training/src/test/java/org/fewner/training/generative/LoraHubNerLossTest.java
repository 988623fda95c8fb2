package org.fewner.training.generative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.generation.PromptTemplate;
import org.fewner.llm.lora.AdapterRegistry;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.lora.LoraHub;
import org.fewner.llm.lora.MergedModelWriter;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.WordSentence;
import org.fewner.training.data.TrainingExample;
import org.fewner.training.source.SourceCorpora;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRAHub on the NER loss (issue 17): two adapters trained on different entity types (PER, LOC),
 * composed on a support set whose questions mix both, give a lower support loss than either adapter
 * alone.
 *
 * <p>The base is a tiny random decoder that first learns the instruction format: an adapter trained
 * on all four CoNLL types of 40 other sentences is merged into it (LoRAHub composes adapters of a
 * pretrained model that already follows instructions; on the bare random model each single-type
 * adapter learns the format and the copying itself, and their sum interferes, see
 * training/docs/generative.md). The composition is the rank concatenation ({@code ΔW = Σ wᵢ sᵢ
 * BᵢAᵢ}); LoRAHub's own A/B sum is printed beside it. Everything is seeded: the figures are the
 * same in every run.
 */
class LoraHubNerLossTest {
    @TempDir Path tmp;

    static LoraAdapter train(
            DecoderModel m,
            AdapterRegistry r,
            List<TrainingExample> s,
            List<String> types,
            long seed,
            int steps,
            Path dir) {
        List<GenerativeLosses.Encoded> enc = new ArrayList<>();
        for (InstructionExample e :
                InstructionExamples.build(s, types, Map.of(), PromptTemplate.DEFAULT)) {
            enc.add(GenerativeLosses.encode(m, PromptTemplate.DEFAULT, e, types.indexOf(e.type())));
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
                        steps,
                        seed,
                        1000,
                        4,
                        1.0,
                        0);
        GenerativeTrainer t = new GenerativeTrainer(c, m, r, enc);
        try (NDManager root = NDManager.newBaseManager()) {
            t.run(root, dir.resolve("log"), dir.resolve("ckpt"), -1, null);
        }
        return t.adapter();
    }

    static List<TrainingExample> read(Path file, Path tmp) {
        return SourceCorpora.read(SourceCorpora.parse("conll2003:" + file), tmp, false, 200)
                .examples();
    }

    /**
     * The tiny random decoder with an instruction-format adapter (all four types of the first 40
     * CoNLL-2003 training sentences, 500 steps) merged into its weights.
     */
    static Path formatTunedBase(Path tmp) throws Exception {
        Path random = TinyDecoders.smol(tmp.resolve("random"), 64, 2, 0.15, 4);
        List<TrainingExample> pre =
                read(TinyDecoders.conllTrainHead(40, tmp.resolve("pre.txt")), tmp);
        Path base = tmp.resolve("base");
        try (DecoderModel m = DecoderModel.load(random, Device.cpu());
                AdapterRegistry r = new AdapterRegistry(m)) {
            LoraAdapter format =
                    train(
                            m,
                            r,
                            pre,
                            List.of("PER", "LOC", "ORG", "MISC"),
                            9,
                            500,
                            Files.createDirectories(tmp.resolve("format")));
            MergedModelWriter.write(random, format, base);
        }
        return base;
    }

    @Test
    void composingSingleTypeAdaptersBeatsEachAloneOnAMixedSupport() throws Exception {
        Path base = formatTunedBase(tmp);
        Path data = tmp.resolve("train.txt");
        Files.writeString(data, GenerativeTrainingTest.CONLL);
        List<TrainingExample> s = read(data, tmp);
        try (DecoderModel m = DecoderModel.load(base, Device.cpu());
                AdapterRegistry r = new AdapterRegistry(m)) {
            // each adapter its own A init (seed), as PEFT draws one per adapter
            LoraAdapter per =
                    train(
                            m,
                            r,
                            s,
                            List.of("PER"),
                            5,
                            150,
                            Files.createDirectories(tmp.resolve("per")));
            LoraAdapter loc =
                    train(
                            m,
                            r,
                            s,
                            List.of("LOC"),
                            6,
                            150,
                            Files.createDirectories(tmp.resolve("loc")));
            List<LabeledSentence> support = new ArrayList<>();
            for (TrainingExample e : s) {
                support.add(
                        new LabeledSentence(
                                new WordSentence(e.id(), e.words()),
                                e.mentions().stream()
                                        .filter(x -> !x.label().equals("ORG"))
                                        .toList()));
            }
            NerTaskLoss mixed = new NerTaskLoss(m, support, List.of("LOC", "PER"), Map.of(), 8);
            NerTaskLoss perOnly = new NerTaskLoss(m, support, List.of("PER"), Map.of(), 8);
            NerTaskLoss locOnly = new NerTaskLoss(m, support, List.of("LOC"), Map.of(), 8);
            r.add("per", per);
            r.add("loc", loc);
            double lPer = mixed.loss(m, "per");
            double lLoc = mixed.loss(m, "loc");
            double lBase = mixed.loss(m, null);
            // the loss reads the labels: on its own type's questions each adapter is the better one
            assertTrue(perOnly.loss(m, "per") < perOnly.loss(m, "loc"), "PER questions");
            assertTrue(locOnly.loss(m, "loc") < locOnly.loss(m, "per"), "LOC questions");

            LoraHub.Settings cat =
                    new LoraHub.Settings(60, 0.0, 1.5, 0.5, 1, LoraHub.Combination.CAT);
            LoraHub.Result res = LoraHub.search(r, List.of(per, loc), mixed, cat);
            LoraHub.Result lin =
                    LoraHub.search(
                            r,
                            List.of(per, loc),
                            mixed,
                            new LoraHub.Settings(60, 0.0, 1.5, 0.5, 1, LoraHub.Combination.LINEAR));
            r.add("composed", res.adapter());
            System.out.printf(
                    "LoRAHub NER loss on the mixed support (%d questions): composed (cat) %.4f at"
                            + " w=%s [PER questions %.4f, LOC questions %.4f]; PER adapter alone %.4f"
                            + " [%.4f, %.4f]; LOC adapter alone %.4f [%.4f, %.4f]; base %.4f;"
                            + " LoRAHub's linear A/B sum %.4f at w=%s; %d evaluations%n",
                    mixed.examples(),
                    res.bestLoss(),
                    Arrays.toString(round(res.weights())),
                    perOnly.loss(m, "composed"),
                    locOnly.loss(m, "composed"),
                    lPer,
                    perOnly.loss(m, "per"),
                    locOnly.loss(m, "per"),
                    lLoc,
                    perOnly.loss(m, "loc"),
                    locOnly.loss(m, "loc"),
                    lBase,
                    lin.bestLoss(),
                    Arrays.toString(round(lin.weights())),
                    res.evaluations());
            // the claim of issue 17, with a margin far above float noise (deterministic figures:
            // composed 3.8 vs 4.06 and 4.18 when this was written)
            double bestSingle = Math.min(lPer, lLoc);
            assertTrue(
                    res.bestLoss() < bestSingle - 0.1,
                    "composed " + res.bestLoss() + " vs best single adapter " + bestSingle);
            // both adapters take part, neither weight is near zero
            for (double w : res.weights()) {
                assertTrue(Math.abs(w) > 0.2, "weights " + Arrays.toString(res.weights()));
            }
            // the saved result reproduces the loss the search recorded
            assertEquals(res.bestLoss(), mixed.loss(m, "composed"), 1e-6);
            assertTrue(res.evaluations() <= 60);
        }
    }

    private static double[] round(double[] w) {
        return Arrays.stream(w).map(x -> Math.round(x * 1000) / 1000.0).toArray();
    }
}
