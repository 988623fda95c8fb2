package org.fewner.training.generative;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.lora.AdapterRegistry;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.lora.LoraHub;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.WordSentence;
import org.fewner.training.data.TrainingExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Diagnostic, not run by default: prints the NER-loss landscape of two single-type adapters (PER,
 * LOC) composed with weights on a grid, for both combination rules, on the mixed support of {@link
 * LoraHubNerLossTest}. Settings from the environment: PROBE_STEPS (adapter training steps, 120),
 * PROBE_SEEDLOC (the LOC adapter's seed; the PER adapter's is 5), PROBE_PRE (CoNLL sentences of a
 * format adapter merged into the base first; 0 = the bare random base), PROBE_PRESTEPS (500).
 * training/docs/generative.md has the command and what it showed.
 */
class LoraHubProbeTest {
    @TempDir Path tmp;

    /** {@link LoraHubNerLossTest#train} on the comma-separated types of {@code type}. */
    static LoraAdapter train(
            DecoderModel m,
            AdapterRegistry r,
            List<TrainingExample> s,
            String type,
            long seed,
            int steps,
            Path dir) {
        return LoraHubNerLossTest.train(m, r, s, List.of(type.split(",")), seed, steps, dir);
    }

    @Test
    void probe() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                "1".equals(System.getenv("FEWNER_LORAHUB_PROBE")),
                "diagnostic: set FEWNER_LORAHUB_PROBE=1 to run it");
        Path model = TinyDecoders.smol(tmp.resolve("m"), 64, 2, 0.15, 4);
        Path data = tmp.resolve("train.txt");
        Files.writeString(data, GenerativeTrainingTest.CONLL);
        List<TrainingExample> s =
                org.fewner.training.source.SourceCorpora.read(
                                org.fewner.training.source.SourceCorpora.parse("conll2003:" + data),
                                tmp,
                                false,
                                200)
                        .examples();
        int steps = Integer.parseInt(System.getenv().getOrDefault("PROBE_STEPS", "120"));
        long seedLoc = Long.parseLong(System.getenv().getOrDefault("PROBE_SEEDLOC", "5"));
        int pre = Integer.parseInt(System.getenv().getOrDefault("PROBE_PRE", "0"));
        int preSteps = Integer.parseInt(System.getenv().getOrDefault("PROBE_PRESTEPS", "500"));
        if (pre > 0) {
            List<TrainingExample> base =
                    org.fewner.training.source.SourceCorpora.read(
                                    org.fewner.training.source.SourceCorpora.parse(
                                            "conll2003:"
                                                    + TinyDecoders.conllTrainHead(
                                                            pre, tmp.resolve("pre.txt"))),
                                    tmp,
                                    false,
                                    200)
                            .examples();
            try (DecoderModel m = DecoderModel.load(model, Device.cpu());
                    AdapterRegistry r = new AdapterRegistry(m)) {
                long t0 = System.nanoTime();
                LoraAdapter b =
                        train(
                                m,
                                r,
                                base,
                                "PER,LOC,ORG,MISC",
                                9,
                                preSteps,
                                Files.createDirectories(tmp.resolve("pre")));
                System.out.printf("pretrain: %.1f s%n", (System.nanoTime() - t0) / 1e9);
                org.fewner.llm.lora.MergedModelWriter.write(model, b, tmp.resolve("m2"));
            }
            model = tmp.resolve("m2");
        }
        try (DecoderModel m = DecoderModel.load(model, Device.cpu());
                AdapterRegistry r = new AdapterRegistry(m)) {
            long t0 = System.nanoTime();
            LoraAdapter per =
                    train(m, r, s, "PER", 5, steps, Files.createDirectories(tmp.resolve("per")));
            System.out.printf("train one: %.1f s%n", (System.nanoTime() - t0) / 1e9);
            LoraAdapter loc =
                    train(
                            m,
                            r,
                            s,
                            "LOC",
                            seedLoc,
                            steps,
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
            NerTaskLoss loss = new NerTaskLoss(m, support, List.of("LOC", "PER"), Map.of(), 8);
            NerTaskLoss perOnly = new NerTaskLoss(m, support, List.of("PER"), Map.of(), 8);
            NerTaskLoss locOnly = new NerTaskLoss(m, support, List.of("LOC"), Map.of(), 8);
            double[] g = {0, 0.25, 0.5, 0.75, 1.0, 1.25};
            for (String mode : new String[] {"ab", "cat"}) {
                System.out.println(
                        "mode "
                                + mode
                                + " steps "
                                + steps
                                + " seedLoc "
                                + seedLoc
                                + " pre "
                                + pre
                                + "/"
                                + preSteps
                                + " rows wPER, cols wLOC: mixed [perQ/locQ]");
                for (double a : g) {
                    StringBuilder sb = new StringBuilder(String.format("%5.2f:", a));
                    for (double b : g) {
                        r.add(
                                "c",
                                mode.equals("ab")
                                        ? LoraHub.compose(List.of(per, loc), new double[] {a, b})
                                        : LoraHub.compose(
                                                List.of(per, loc),
                                                new double[] {a, b},
                                                LoraHub.Combination.CAT));
                        sb.append(
                                String.format(
                                        " %6.3f[%5.2f/%5.2f]",
                                        loss.loss(m, "c"),
                                        perOnly.loss(m, "c"),
                                        locOnly.loss(m, "c")));
                    }
                    System.out.println(sb);
                }
            }
            r.add("per", per);
            r.add(
                    "c",
                    LoraHub.compose(
                            List.of(per, loc), new double[] {1, 0}, LoraHub.Combination.CAT));
            org.junit.jupiter.api.Assertions.assertEquals(
                    loss.loss(m, "per"), loss.loss(m, "c"), 1e-4, "w = (1, 0) is the PER adapter");
            long t1 = System.nanoTime();
            loss.loss(m, "c");
            System.out.printf("one loss eval: %.3f s%n", (System.nanoTime() - t1) / 1e9);
        }
    }
}
