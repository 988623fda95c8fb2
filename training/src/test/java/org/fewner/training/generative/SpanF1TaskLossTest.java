package org.fewner.training.generative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fewner.llm.decoder.DecoderModel;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRAHub's span-F1 task loss (issue 17): on a tiny random decoder, an adapter trained on six
 * sentences has a lower {@code 1 − F1} on them than the base model, and the loss equals one minus
 * the F1 that {@link GenerativeMethod} (its own registry, the adapter read as trained) gives on the
 * same sentences, counted here independently.
 */
class SpanF1TaskLossTest {
    @TempDir Path tmp;

    @Test
    void countsAHandWorkedExample() {
        WordSentence w = new WordSentence("s", List.of("Anna", "met", "Bob", "Smith", "."));
        LabeledSentence gold =
                new LabeledSentence(w, List.of(new Mention(0, 1, "PER"), new Mention(2, 4, "PER")));
        // one exact, one wrong boundary, one wrong type
        List<ScoredMention> pred =
                List.of(
                        new ScoredMention(new Mention(0, 1, "PER"), 0.9),
                        new ScoredMention(new Mention(2, 3, "PER"), 0.8),
                        new ScoredMention(new Mention(4, 5, "LOC"), 0.7));
        SpanF1TaskLoss.Counts c = SpanF1TaskLoss.count(List.of(gold), List.of(pred));
        assertEquals(new SpanF1TaskLoss.Counts(2, 3, 1), c);
        assertEquals(2.0 / 5, c.f1(), 1e-12);
        assertEquals(1.0, new SpanF1TaskLoss.Counts(0, 0, 0).f1());
        assertEquals(0.0, new SpanF1TaskLoss.Counts(2, 0, 0).f1());
    }

    @Test
    void trainedAdapterHasTheLowerLossAndItIsOneMinusTheMethodsF1() throws Exception {
        Path model = TinyDecoders.smol(tmp.resolve("m"), 64, 2, 0.15, 3);
        Path data = tmp.resolve("train.txt");
        Files.writeString(data, GenerativeTrainingTest.CONLL);
        List<TrainingExample> s = LoraHubNerLossTest.read(data, tmp);
        List<String> types = InstructionExamples.types(s);
        List<WordSentence> words = new ArrayList<>();
        List<LabeledSentence> support = new ArrayList<>();
        for (TrainingExample e : s) {
            WordSentence w = new WordSentence(e.id(), e.words());
            words.add(w);
            support.add(new LabeledSentence(w, e.mentions()));
        }
        LoraAdapter adapter;
        double trained;
        double base;
        SpanF1TaskLoss.Counts counts;
        try (DecoderModel m = DecoderModel.load(model, Device.cpu());
                AdapterRegistry r = new AdapterRegistry(m)) {
            // the recipe of GenerativeTrainingTest's training-set fit, without FGM, fewer steps
            GenerativeTrainer t =
                    new GenerativeTrainer(
                            GenerativeTrainingTest.config(STEPS, "none"),
                            m,
                            r,
                            GenerativeTrainingTest.encoded(m, s));
            try (NDManager root = NDManager.newBaseManager()) {
                t.run(root, tmp.resolve("log"), tmp.resolve("ckpt"), -1, null);
            }
            adapter = t.adapter();
            r.add("trained", adapter);
            SpanF1TaskLoss loss = new SpanF1TaskLoss(support, types, java.util.Map.of(), 8, 32, 32);
            base = loss.loss(m, null);
            SpanF1TaskLoss.Counts baseCounts = loss.lastCounts();
            trained = loss.loss(m, "trained");
            counts = loss.lastCounts();
            System.out.printf(
                    "span-F1 task loss on the %d training sentences: trained adapter (%d steps)"
                            + " %.4f (%s), base %.4f (%s)%n",
                    loss.sentences(), STEPS, trained, counts, base, baseCounts);
            // deterministic: a second call gives the same value
            assertEquals(trained, loss.loss(m, "trained"));
        }
        assertTrue(trained < base - 0.2, "trained " + trained + " vs base " + base);
        // independently: the method with the adapter in its own registry, F1 counted here
        try (FewShotMethod method =
                new GenerativeMethod(
                        DecoderModel.load(model, Device.cpu()), adapter, true, 1, 32, 32, true)) {
            List<List<ScoredMention>> pred =
                    method.adapt(new SupportSet(types, support), 1).recognize(words);
            int tp = 0;
            int np = 0;
            int ng = 0;
            for (int i = 0; i < support.size(); i++) {
                List<Mention> g = support.get(i).mentions();
                ng += g.size();
                for (ScoredMention p : pred.get(i)) {
                    np++;
                    tp += g.contains(p.mention()) ? 1 : 0;
                }
            }
            assertEquals(new SpanF1TaskLoss.Counts(ng, np, tp), counts);
            assertEquals(1.0 - 2.0 * tp / (np + ng), trained, 1e-12);
        }
    }

    /**
     * Training steps: few enough that the fit is not perfect (when written: 10 gold, 9 predicted, 9
     * correct, loss 0.0526; base 1.0), so the comparison with the method's F1 is not the trivial 1
     * = 1.
     */
    private static final int STEPS = 80;
}
