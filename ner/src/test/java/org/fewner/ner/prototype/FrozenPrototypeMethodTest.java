package org.fewner.ner.prototype;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.ner.EncodedSentence;
import org.fewner.ner.EncoderStats;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.FewShotMethods;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.MethodOptions;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordEncoder;
import org.fewner.ner.WordSentence;
import org.junit.jupiter.api.Test;

class FrozenPrototypeMethodTest {

    /** A 2-d "encoder" with a fixed vector per word, at layer 5 only. */
    static final class TableEncoder implements WordEncoder {
        final Map<String, float[]> table;
        int calls;

        TableEncoder(Map<String, float[]> table) {
            this.table = table;
        }

        @Override
        public int hiddenSize() {
            return 2;
        }

        @Override
        public List<Integer> layers() {
            return List.of(5);
        }

        @Override
        public List<EncodedSentence> encode(List<WordSentence> sentences) {
            calls++;
            List<EncodedSentence> out = new ArrayList<>();
            for (WordSentence s : sentences) {
                float[][] v = new float[s.size()][];
                for (int w = 0; w < s.size(); w++) v[w] = table.get(s.words().get(w));
                out.add(new EncodedSentence(List.of(5), new float[][][] {v}, null));
            }
            return out;
        }

        @Override
        public EncoderStats stats() {
            return EncoderStats.NONE;
        }

        @Override
        public void close() {}
    }

    static WordSentence s(String text) {
        return new WordSentence(text, List.of(text.split(" ")));
    }

    // O words near (0,0), PER words near (10,0), LOC words near (0,10)
    static final Map<String, float[]> TABLE =
            Map.of(
                    "the", new float[] {0, 0},
                    "in", new float[] {2, 0},
                    "ann", new float[] {10, 0},
                    "bob", new float[] {8, 2},
                    "rome", new float[] {0, 10},
                    "oslo", new float[] {1, 8},
                    "x", new float[] {5, 5},
                    "y", new float[] {6, 0});

    static SupportSet support() {
        // O: the, in, the -> mean (2/3, 0); PER: ann, bob -> (9, 1); LOC: rome -> (0, 10)
        return new SupportSet(
                List.of("PER", "LOC"),
                List.of(
                        new LabeledSentence(
                                s("ann bob in rome"),
                                List.of(new Mention(0, 2, "PER"), new Mention(3, 4, "LOC"))),
                        new LabeledSentence(s("the the"), List.of())));
    }

    @Test
    void handWorkedEpisode() {
        try (FewShotMethod m = new FrozenPrototypeMethod(new TableEncoder(TABLE), 5, true)) {
            var r = m.adapt(support(), 1);
            // oslo (1,8): d(O)=0.11+64=64.11, d(PER)=64+49=113, d(LOC)=1+4=5 -> LOC
            // x (5,5): d(O)=18.78+25=43.78, d(PER)=16+16=32, d(LOC)=25+25=50 -> PER
            // y (6,0): d(O)=28.44, d(PER)=9+1=10 -> PER; "x y" is one PER run
            // the (0,0) -> O
            List<List<ScoredMention>> out =
                    r.recognize(List.of(s("the oslo the"), s("x y the ann"), s("the")));
            assertEquals(3, out.size());
            assertEquals(List.of(new Mention(1, 2, "LOC")), mentions(out.get(0)));
            assertEquals(
                    List.of(new Mention(0, 2, "PER"), new Mention(3, 4, "PER")),
                    mentions(out.get(1)));
            assertEquals(List.of(), out.get(2));
            // oslo: softmax over -(64.11, 113, 5) at LOC = 1 / (1 + e^-59.11 + e^-108)
            assertEquals(1.0, out.get(0).get(0).confidence(), 1e-12);
            // x: -(43.78, 32, 50): e^0 / (e^0 + e^-11.78 + e^-18); y: ~1; mean of the two
            double x = 1 / (1 + Math.exp(-(43.0 + 7.0 / 9 - 32)) + Math.exp(-18));
            double y = 1 / (1 + Math.exp(-(28.0 + 4.0 / 9 - 10)) + Math.exp(-(36 + 100 - 10)));
            assertEquals((x + y) / 2, out.get(1).get(0).confidence(), 1e-9);
        }
    }

    @Test
    void prototypesAreMeansOverWordsNotOverMentions() {
        // PER = mean(ann, bob) = (9, 1); a word at (8.6, 1.3) is nearer PER than ann alone would
        // say
        double d = FrozenPrototypeMethod.squaredDistance(new float[] {9, 1}, new double[] {9, 1});
        assertEquals(0, d);
        assertEquals(1, FrozenPrototypeMethod.argmin(new double[] {3, 1, 1}));
    }

    @Test
    void maximalRunsOfOneLabel() {
        String[] labels = {"O", "A", "B"};
        double[] c = {1, 0.5, 0.7, 0.9, 1, 0.2, 0.4};
        List<ScoredMention> runs =
                FrozenPrototypeMethod.runs(new int[] {1, 1, 2, 0, 2, 2, 1}, c, labels);
        assertEquals(
                List.of(
                        new Mention(0, 2, "A"),
                        new Mention(2, 3, "B"),
                        new Mention(4, 6, "B"),
                        new Mention(6, 7, "A")),
                mentions(runs));
        assertEquals(0.75, runs.get(0).confidence(), 1e-12);
        assertEquals(0.6, runs.get(2).confidence(), 1e-12);
    }

    @Test
    void aTypeWithoutSupportExampleIsAnError() {
        var support =
                new SupportSet(
                        List.of("PER", "LOC", "ORG"),
                        List.of(
                                new LabeledSentence(
                                        s("ann in rome"),
                                        List.of(
                                                new Mention(0, 1, "PER"),
                                                new Mention(2, 3, "LOC")))));
        try (FewShotMethod m = new FrozenPrototypeMethod(new TableEncoder(TABLE), 5, true)) {
            var e = assertThrows(FewNerException.class, () -> m.adapt(support, 0));
            assertEquals(
                    "support set: no example of type(s) [ORG] (every type needs at least one labelled mention)",
                    e.getMessage());
        }
    }

    @Test
    void withoutAnyOWordThereIsNoOPrototype() {
        var support =
                new SupportSet(
                        List.of("PER"),
                        List.of(new LabeledSentence(s("ann"), List.of(new Mention(0, 1, "PER")))));
        try (FewShotMethod m = new FrozenPrototypeMethod(new TableEncoder(TABLE), 5, true)) {
            assertEquals(
                    List.of(new Mention(0, 2, "PER")),
                    mentions(m.adapt(support, 0).recognize(List.of(s("the in"))).get(0)));
        }
    }

    @Test
    void registryKnowsTheMethodAndSharesAGivenEncoder() {
        var enc = new TableEncoder(TABLE);
        try (FewShotMethod m =
                FewShotMethods.create(
                        "frozen-prototype",
                        MethodOptions.of(Map.of("layer", "5")).withEncoder(enc))) {
            assertEquals("frozen-prototype", m.name());
            m.adapt(support(), 0);
            assertEquals(1, enc.calls);
        }
        var e =
                assertThrows(
                        FewNerException.class,
                        () -> FewShotMethods.create("nonsense", MethodOptions.of(Map.of())));
        assertEquals(
                true, e.getMessage().startsWith("--method 'nonsense': unknown method (known: "));
        var wrongLayer =
                assertThrows(
                        FewNerException.class,
                        () ->
                                FewShotMethods.create(
                                        "frozen-prototype",
                                        MethodOptions.of(Map.of("layer", "9")).withEncoder(enc)));
        assertEquals("--layer 9: the shared encoder has layers [5]", wrongLayer.getMessage());
    }

    static List<Mention> mentions(List<ScoredMention> scored) {
        return scored.stream().map(ScoredMention::mention).toList();
    }
}
