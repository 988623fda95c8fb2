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
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.WordSentence;
import org.fewner.training.data.TrainingExample;
import org.fewner.training.source.SourceCorpora;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Diagnostic, not run by default (FEWNER_FGM_PROBE=1; slow): how FGM's perturbation is spread over
 * the tokens of a batch, and what it does to memorising a small training set
 * (training/docs/generative.md). PROBE_VARIANTS: adv:eps entries, comma-separated (default
 * none:0,fgm:1.0,fgm:0.1).
 */
class FgmProbeTest {
    @TempDir Path tmp;

    @Test
    void probe() throws Exception {
        Assumptions.assumeTrue(
                "1".equals(System.getenv("FEWNER_FGM_PROBE")), "diagnostic: FEWNER_FGM_PROBE=1");
        int n = Integer.parseInt(System.getenv().getOrDefault("PROBE_SENTENCES", "40"));
        int steps = Integer.parseInt(System.getenv().getOrDefault("PROBE_STEPS", "300"));
        Path model = TinyDecoders.smol(tmp.resolve("m"), 64, 2, 0.15, 3);
        List<TrainingExample> s =
                SourceCorpora.read(
                                SourceCorpora.parse(
                                        "conll2003:"
                                                + TinyDecoders.conllTrainHead(
                                                        n, tmp.resolve("d.txt"))),
                                tmp,
                                false,
                                200)
                        .examples();
        List<String> types = InstructionExamples.types(s);
        try (DecoderModel m = DecoderModel.load(model, Device.cpu())) {
            List<GenerativeLosses.Encoded> enc = new ArrayList<>();
            for (InstructionExample e :
                    InstructionExamples.build(s, types, Map.of(), PromptTemplate.DEFAULT)) {
                enc.add(
                        GenerativeLosses.encode(
                                m, PromptTemplate.DEFAULT, e, types.indexOf(e.type())));
            }
            List<LabeledSentence> all = new ArrayList<>();
            for (TrainingExample e : s) {
                all.add(new LabeledSentence(new WordSentence(e.id(), e.words()), e.mentions()));
            }
            NerTaskLoss fit = new NerTaskLoss(m, all, types, Map.of(), 16);
            double untrained = fit.loss(m, null);
            for (String v :
                    System.getenv()
                            .getOrDefault("PROBE_VARIANTS", "none:0,fgm:1.0,fgm:0.1")
                            .split(",")) {
                String adv = v.split(":")[0];
                double eps = Double.parseDouble(v.split(":")[1]);
                GenerativeTrainingConfig c =
                        new GenerativeTrainingConfig(
                                32,
                                64,
                                List.of("all-linear"),
                                16,
                                0.1,
                                -1,
                                "mean",
                                0.1,
                                adv,
                                eps,
                                3,
                                3e-3,
                                0,
                                20,
                                steps,
                                42,
                                100000,
                                8,
                                1.0,
                                0);
                try (AdapterRegistry r = new AdapterRegistry(m);
                        NDManager root = NDManager.newBaseManager()) {
                    GenerativeTrainer t = new GenerativeTrainer(c, m, r, enc);
                    if (v.equals("fgm:1.0")) {
                        spread(t, root, m);
                    }
                    long t0 = System.nanoTime();
                    Path dir = Files.createDirectories(tmp.resolve(v.replace(':', '_')));
                    t.run(root, dir.resolve("log"), dir.resolve("ckpt"), -1, null);
                    r.add("fit", t.adapter());
                    double trained = fit.loss(m, "fit");
                    System.out.printf(
                            "FGM probe %s: %d sentences, %d steps, training-set answer loss %.4f (untrained %.4f; %.0f s)%n",
                            v, n, steps, trained, untrained, (System.nanoTime() - t0) / 1e9);
                    // Memorising the training set must work with and without the perturbation.
                    assertTrue(
                            Double.isFinite(trained) && trained < untrained,
                            v
                                    + ": answer loss "
                                    + trained
                                    + " not below the untrained "
                                    + untrained);
                    if (v.equals("fgm:1.0")) {
                        spread(t, root, m);
                    }
                }
            }
        }
    }

    /** Prints how δ = ε g/‖g‖ of step 0's batch is spread over tokens, against ‖e_t‖. */
    static void spread(GenerativeTrainer t, NDManager root, DecoderModel m) {
        GenerativeLosses.Batch b = t.batchOf(0);
        GenerativeTrainer.Pass p = t.pass(root, b, null, null, true);
        float[] g = p.inputGrad();
        float[] delta = new float[g.length];
        GenerativeTrainer.perturb(delta, g, 1.0, 1.0);
        int h = m.config().hiddenSize();
        int rows = b.rows();
        int len = b.length();
        java.util.Set<Long> answerRows = new java.util.HashSet<>();
        for (long x : b.targetRows) {
            answerRows.add(x + 1); // the input at the next position is the answer token
        }
        double answer2 = 0;
        double total2 = 0;
        double[] tokenNorms = new double[rows * len];
        for (int i = 0; i < rows * len; i++) {
            double q = 0;
            for (int k = 0; k < h; k++) {
                q += (double) delta[i * h + k] * delta[i * h + k];
            }
            tokenNorms[i] = Math.sqrt(q);
            total2 += q;
            if (answerRows.contains((long) i)) {
                answer2 += q;
            }
        }
        double[] sorted = tokenNorms.clone();
        Arrays.sort(sorted);
        double top10 = 0;
        for (int i = sorted.length - 10; i < sorted.length; i++) {
            top10 += sorted[i] * sorted[i];
        }
        float[] e;
        try (NDManager mm = root.newSubManager()) {
            e = m.embedTokens(mm, b.ids).toFloatArray();
        }
        double[] en = new double[rows * len];
        for (int i = 0; i < rows * len; i++) {
            double q = 0;
            for (int k = 0; k < h; k++) {
                q += (double) e[i * h + k] * e[i * h + k];
            }
            en[i] = Math.sqrt(q);
        }
        Arrays.sort(en);
        // FGM's step alpha * g / ||g|| with alpha = eps = 1 has norm 1, whatever the gradient.
        assertEquals(1.0, Math.sqrt(total2), 1e-3, "||delta||");
        assertTrue(
                answer2 <= total2 && top10 <= total2 + 1e-9, "shares of ||delta||^2 exceed 100 %");
        System.out.printf(
                "FGM spread at step %d: %d tokens; largest ‖δ_t‖ %.4f, median %.6f; top 10 tokens hold %.1f%% of ‖δ‖²,"
                        + " answer-token inputs %.1f%%; median ‖e_t‖ %.3f%n",
                t.step(),
                rows * len,
                sorted[sorted.length - 1],
                sorted[sorted.length / 2],
                100 * top10 / total2,
                100 * answer2 / total2,
                en[en.length / 2]);
    }
}
