package org.fewner.training.generative;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;
import org.fewner.ner.generative.GenerativeMethod;
import org.fewner.training.data.TrainingExample;
import org.fewner.training.source.SourceCorpora;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generative method end to end on a tiny decoder with the SmolLM2 tokenizer: a killed run
 * resumes to the same adapter as an uninterrupted one, two runs are identical, and a small training
 * set is recovered by constrained generation.
 */
class GenerativeTrainingTest {
    @TempDir static Path tmp;
    static Path model;
    static Path data;

    static final String CONLL =
            """
            Anna NNP O B-PER
            visited VBD O O
            Paris NNP O B-LOC
            . . O O

            The DT O O
            bank NN O O
            Acme NNP O B-ORG
            hired VBD O O
            Bob NNP O B-PER
            Smith NNP O I-PER
            . . O O

            Rain NN O O
            fell VBD O O
            all DT O O
            day NN O O
            . . O O

            Clara NNP O B-PER
            left VBD O O
            Berlin NNP O B-LOC
            for IN O O
            Rome NNP O B-LOC
            . . O O

            Zeta NNP O B-ORG
            Corp NNP O I-ORG
            sued VBD O O
            Dan NNP O B-PER
            . . O O

            Snow NN O O
            covered VBD O O
            Oslo NNP O B-LOC
            . . O O
            """;

    @BeforeAll
    static void setUp() throws Exception {
        model = TinyDecoders.smol(tmp.resolve("m"), 64, 2, 0.15, 3);
        data = tmp.resolve("train.txt");
        Files.writeString(data, CONLL);
    }

    static List<GenerativeLosses.Encoded> encoded(DecoderModel m, List<TrainingExample> s) {
        List<String> types = InstructionExamples.types(s);
        List<GenerativeLosses.Encoded> out = new ArrayList<>();
        for (InstructionExample e :
                InstructionExamples.build(s, types, Map.of(), PromptTemplate.DEFAULT)) {
            out.add(GenerativeLosses.encode(m, PromptTemplate.DEFAULT, e, types.indexOf(e.type())));
        }
        return out;
    }

    static List<TrainingExample> sentences(Path work) {
        return SourceCorpora.read(SourceCorpora.parse("conll2003:" + data), work, false, 200)
                .examples();
    }

    static GenerativeTrainingConfig config(int steps, String adv) {
        return config(steps, adv, 0.5);
    }

    static GenerativeTrainingConfig config(int steps, String adv, double eps) {
        return new GenerativeTrainingConfig(
                16,
                32,
                List.of("all-linear"),
                8,
                0.1,
                -1,
                "mean",
                0.1,
                adv,
                eps,
                2,
                3e-3,
                0,
                5,
                steps,
                11,
                2,
                4,
                1.0,
                0);
    }

    private static List<float[]> factors(LoraAdapter a) {
        List<float[]> out = new ArrayList<>();
        a.modules()
                .values()
                .forEach(
                        m -> {
                            out.add(m.a());
                            out.add(m.b());
                        });
        return out;
    }

    @Test
    void wordTokensLocateEachWordOfTheSentenceInThePrompt() throws Exception {
        try (DecoderModel m = DecoderModel.load(model, Device.cpu())) {
            List<TrainingExample> s = sentences(tmp.resolve("w3"));
            TrainingExample clara = s.get(3); // Clara left Berlin for Rome .
            InstructionExample e =
                    InstructionExamples.build(
                                    List.of(clara),
                                    List.of("LOC"),
                                    Map.of(),
                                    PromptTemplate.DEFAULT)
                            .get(0);
            GenerativeLosses.Encoded enc = GenerativeLosses.encode(m, PromptTemplate.DEFAULT, e, 0);
            assertEquals(clara.words().size(), enc.wordTokens().size());
            for (int w = 0; w < clara.words().size(); w++) {
                int[] r = enc.wordTokens().get(w);
                long[] ids = java.util.Arrays.copyOfRange(enc.prompt(), r[0], r[1]);
                assertEquals(
                        clara.words().get(w),
                        m.tokenizer().decode(ids, false).strip(),
                        "word " + w);
            }
            // the entities' word ranges, in sentence order: Berlin, Rome
            assertEquals(2, enc.entityWords().size());
            assertArrayEquals(new int[] {2, 3}, enc.entityWords().get(0));
            assertArrayEquals(new int[] {4, 5}, enc.entityWords().get(1));
        }
    }

    @Test
    void killedRunResumesToTheSameAdapterAndRunsAreDeterministic() throws Exception {
        List<TrainingExample> s = sentences(tmp.resolve("w1"));
        try (DecoderModel m = DecoderModel.load(model, Device.cpu());
                AdapterRegistry r = new AdapterRegistry(m);
                NDManager root = NDManager.newBaseManager()) {
            List<GenerativeLosses.Encoded> enc = encoded(m, s);
            GenerativeTrainingConfig c = config(6, "pgd");
            GenerativeTrainer full = new GenerativeTrainer(c, m, r, enc);
            full.run(root, tmp.resolve("full.log"), tmp.resolve("full.ckpt"), -1, null);
            GenerativeTrainer again = new GenerativeTrainer(c, m, r, enc);
            again.run(root, tmp.resolve("again.log"), tmp.resolve("again.ckpt"), -1, null);
            // killed after 3 steps: the last checkpoint is step 2, so step 3 is replayed
            GenerativeTrainer killed = new GenerativeTrainer(c, m, r, enc);
            killed.run(root, tmp.resolve("k.log"), tmp.resolve("k.ckpt"), 3, null);
            assertEquals(3, killed.step());
            GenerativeTrainer resumed = new GenerativeTrainer(c, m, r, enc);
            resumed.restore(tmp.resolve("k.ckpt"));
            assertEquals(2, resumed.step());
            resumed.run(root, tmp.resolve("k.log"), tmp.resolve("k.ckpt"), -1, null);
            assertEquals(6, resumed.step());
            List<float[]> a = factors(full.adapter());
            List<float[]> b = factors(again.adapter());
            List<float[]> k = factors(resumed.adapter());
            boolean moved = false;
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i), b.get(i), "two runs differ at factor " + i);
                assertArrayEquals(a.get(i), k.get(i), "resumed run differs at factor " + i);
                for (int j = 0; j < a.get(i).length && !moved; j++) {
                    moved = a.get(i)[j] != factors(full.init()).get(i)[j];
                }
            }
            assertTrue(moved, "training changed the adapter");
        }
    }

    @Test
    void constrainedGenerationRecoversTheTrainingSentences() throws Exception {
        // the default recipe: InfoNCE (λ 0.1) and FGM (ε 0.1) on
        GenerativeTrainingConfig c = config(400, "fgm", 0.1);
        Path out = tmp.resolve("adapter");
        GenerativeTraining.run(
                new GenerativeTraining.Options(
                        model,
                        model.toString(),
                        Device.cpu(),
                        List.of("conll2003:" + data),
                        List.of(),
                        null,
                        out,
                        c,
                        false,
                        "test",
                        "test"));
        List<TrainingExample> s = sentences(tmp.resolve("w2"));
        List<String> types = InstructionExamples.types(s);
        try (FewShotMethod method =
                new GenerativeMethod(
                        DecoderModel.load(model, Device.cpu()),
                        LoraAdapter.read(out),
                        true,
                        1,
                        32,
                        32,
                        true)) {
            List<WordSentence> ws = new ArrayList<>();
            List<LabeledSentence> gold = new ArrayList<>();
            for (TrainingExample e : s) {
                WordSentence w = new WordSentence(e.id(), e.words());
                ws.add(w);
                gold.add(new LabeledSentence(w, e.mentions()));
            }
            List<List<ScoredMention>> pred =
                    method.adapt(new SupportSet(types, gold), 1).recognize(ws);
            int tp = 0;
            int np = 0;
            int ng = 0;
            for (int i = 0; i < s.size(); i++) {
                List<Mention> g = s.get(i).mentions();
                ng += g.size();
                for (ScoredMention p : pred.get(i)) {
                    np++;
                    tp += g.contains(p.mention()) ? 1 : 0;
                    assertTrue(p.confidence() > 0 && p.confidence() <= 1);
                }
            }
            double f1 = 2.0 * tp / (np + ng);
            System.out.printf(
                    "training-set fit (FGM 0.1, InfoNCE 0.1, 400 steps): %d gold, %d predicted, %d"
                            + " correct, span F1 %.3f%n",
                    ng, np, tp, f1);
            assertTrue(f1 >= 0.9, "span F1 on the training sentences " + f1 + " (" + pred + ")");
            // one search per (sentence, type) pair gives the same mentions as the batched search
            // (all 24 pairs of the 6 sentences in one batch above; here batches of 1 and of 5)
            for (int batch : new int[] {1, 5}) {
                try (FewShotMethod single =
                        new GenerativeMethod(
                                DecoderModel.load(model, Device.cpu()),
                                LoraAdapter.read(out),
                                true,
                                1,
                                32,
                                batch,
                                batch > 1)) {
                    List<List<ScoredMention>> p =
                            single.adapt(new SupportSet(types, gold), 1).recognize(ws);
                    assertEquals(pred.size(), p.size());
                    for (int i = 0; i < pred.size(); i++) {
                        assertEquals(
                                pred.get(i).stream().map(ScoredMention::mention).toList(),
                                p.get(i).stream().map(ScoredMention::mention).toList(),
                                "sentence " + i + ", batch " + batch);
                        for (int j = 0; j < p.get(i).size(); j++) {
                            assertEquals(
                                    pred.get(i).get(j).confidence(),
                                    p.get(i).get(j).confidence(),
                                    1e-3,
                                    "sentence " + i + ", batch " + batch);
                        }
                    }
                }
            }
        }
    }
}
