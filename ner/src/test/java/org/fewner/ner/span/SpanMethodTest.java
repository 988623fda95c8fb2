package org.fewner.ner.span;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.FewShotMethods;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;
import org.junit.jupiter.api.Test;

/**
 * Hand-worked heads on 2-d word vectors: detection fires on words whose first coordinate is
 * positive (single-word spans only), typing is by the direction of the second coordinate.
 */
class SpanMethodTest {
    static final int H = 2;

    /** Word vectors: "A*" = (1, 1), "B*" = (1, -1), anything else = (-1, 0). */
    static final class Table implements FeatureSource {
        @Override
        public int[] layers() {
            return new int[] {12, 9};
        }

        @Override
        public int hidden() {
            return H;
        }

        @Override
        public float[][][] features(List<List<String>> sentences) {
            float[][][] out = new float[sentences.size()][2][];
            for (int i = 0; i < sentences.size(); i++) {
                List<String> w = sentences.get(i);
                float[] f = new float[w.size() * H];
                for (int j = 0; j < w.size(); j++) {
                    String s = w.get(j);
                    f[j * H] = s.startsWith("A") || s.startsWith("B") ? 1 : -1;
                    f[j * H + 1] = s.startsWith("A") ? 1 : s.startsWith("B") ? -1 : 0;
                }
                out[i][0] = f;
                out[i][1] = f;
            }
            return out;
        }
    }

    static HostTensor t(long[] shape, float... v) {
        return HostTensor.ofFloats(shape, v);
    }

    /**
     * Detection: d = 1; hidden = relu(x_b[0] + x_e[0] + width) with width embedding (0, -10): only
     * single words score; out = 4 h - 2 -> p = sigmoid(6) for an entity word, sigmoid(-2)
     * otherwise. Typing projection: z = normalise([x_b; x_e] P) with P picking x_b[1] and a
     * constant 0.1 from the bias.
     */
    static SpanHeads heads(String rejection, double margin) {
        Map<String, HostTensor> m = new TreeMap<>();
        m.put(SpanHeads.DETECT_START, t(new long[] {H, 1}, 1, 0));
        m.put(SpanHeads.DETECT_END, t(new long[] {H, 1}, 1, 0));
        m.put(SpanHeads.DETECT_WIDTH, t(new long[] {2, 1}, 0, -10));
        m.put(SpanHeads.DETECT_BIAS, t(new long[] {1}, 0));
        m.put(SpanHeads.DETECT_OUT, t(new long[] {1}, 4));
        m.put(SpanHeads.DETECT_OUT_BIAS, t(new long[] {1}, -2));
        m.put(SpanHeads.TYPE_PROJ, t(new long[] {2 * H, 2}, 0, 0, 1, 0, 0, 0, 0, 0));
        m.put(SpanHeads.TYPE_PROJ_BIAS, t(new long[] {2}, 0, 0.1f));
        m.put(SpanHeads.TYPE_SCALE, t(new long[] {1}, 10));
        m.put(SpanHeads.TYPE_NONE, t(new long[] {1}, 0.5f));
        return new SpanHeads(new SpanHeads.Config(12, 9, 2, 0.5, rejection, margin), m);
    }

    static SupportSet support() {
        return new SupportSet(
                List.of("alpha", "beta"),
                List.of(
                        new LabeledSentence(
                                new WordSentence("s0", List.of("x", "A1", "y", "B1")),
                                List.of(new Mention(1, 2, "alpha"), new Mention(3, 4, "beta")))));
    }

    @Test
    void detectsAndTypesByPrototype() {
        SpanMethod m = new SpanMethod(new Table(), heads("learnt", 0), null);
        FewShotMethod.Recognizer r = m.adapt(support(), 1);
        List<List<ScoredMention>> out =
                r.recognize(List.of(new WordSentence("q", List.of("B7", "z", "A3", "A4"))));
        List<Mention> got = out.get(0).stream().map(ScoredMention::mention).toList();
        assertEquals(
                List.of(
                        new Mention(0, 1, "beta"),
                        new Mention(2, 3, "alpha"),
                        new Mention(3, 4, "alpha")),
                got);
        double pDet = 1 / (1 + Math.exp(-6));
        assertTrue(
                out.get(0).get(0).confidence() < pDet
                        && out.get(0).get(0).confidence() > 0.9 * pDet);
    }

    @Test
    void rejectionByMarginDropsEverythingBelowIt() {
        // cos(z, proto) = 1 for every detected word: a margin above 1 rejects all, below keeps all
        SpanMethod strict = new SpanMethod(new Table(), heads("margin", 1.01), null);
        assertEquals(
                List.of(),
                strict.adapt(support(), 1)
                        .recognize(List.of(new WordSentence("q", List.of("A3"))))
                        .get(0));
        SpanMethod lenient = new SpanMethod(new Table(), heads("margin", 0.9), null);
        assertEquals(
                1,
                lenient.adapt(support(), 1)
                        .recognize(List.of(new WordSentence("q", List.of("A3"))))
                        .get(0)
                        .size());
    }

    @Test
    void typingReturnsNoneWhenTheLearntReferenceIsNearer() {
        SpanHeads h = heads("learnt", 0);
        // z orthogonal to both prototypes: cos 0 < none 0.5
        SpanHeads.Typed t =
                h.type(
                        new float[] {1, 0},
                        Map.of("a", new float[] {0, 1}, "b", new float[] {0, -1}));
        assertNull(t.type());
    }

    @Test
    void greedySelectionKeepsTheBestNonOverlapping() {
        List<SpanHeads.Candidate> c =
                List.of(
                        new SpanHeads.Candidate(0, 2, 0.9),
                        new SpanHeads.Candidate(1, 3, 0.95),
                        new SpanHeads.Candidate(3, 4, 0.6),
                        new SpanHeads.Candidate(0, 1, 0.7),
                        new SpanHeads.Candidate(4, 5, 0.4));
        assertEquals(
                List.of(
                        new SpanHeads.Candidate(0, 1, 0.7),
                        new SpanHeads.Candidate(1, 3, 0.95),
                        new SpanHeads.Candidate(3, 4, 0.6)),
                SpanHeads.selectNonOverlapping(c, 0.5));
    }

    @Test
    void untrainedTypingIsTheNearestMeanVector() {
        Map<String, HostTensor> m =
                new TreeMap<>(
                        Map.of(
                                SpanHeads.DETECT_START, t(new long[] {H, 1}, 1, 0),
                                SpanHeads.DETECT_END, t(new long[] {H, 1}, 1, 0),
                                SpanHeads.DETECT_WIDTH, t(new long[] {2, 1}, 0, -10),
                                SpanHeads.DETECT_BIAS, t(new long[] {1}, 0),
                                SpanHeads.DETECT_OUT, t(new long[] {1}, 4),
                                SpanHeads.DETECT_OUT_BIAS, t(new long[] {1}, -2)));
        SpanHeads h = new SpanHeads(new SpanHeads.Config(12, 9, 2, 0.5, "learnt", 0), m);
        float[] x = {1, 2, 3, 4, 5, 6};
        assertEquals(List.of(3f, 4f), toList(h.represent(x, H, 0, 3)));
        assertEquals(
                "b",
                h.type(new float[] {1, 1}, Map.of("a", new float[] {5, 5}, "b", new float[] {0, 0}))
                        .type());
    }

    @Test
    void aThreeBlockProjectionAlsoReadsTheSpanMean() {
        // P [3H, 2]: z_0 = x_b[0] (block 1), z_1 = mean[1] (block 3); bias 0
        Map<String, HostTensor> m = new TreeMap<>();
        m.put(SpanHeads.DETECT_START, t(new long[] {H, 1}, 1, 0));
        m.put(SpanHeads.DETECT_END, t(new long[] {H, 1}, 1, 0));
        m.put(SpanHeads.DETECT_WIDTH, t(new long[] {2, 1}, 0, -10));
        m.put(SpanHeads.DETECT_BIAS, t(new long[] {1}, 0));
        m.put(SpanHeads.DETECT_OUT, t(new long[] {1}, 4));
        m.put(SpanHeads.DETECT_OUT_BIAS, t(new long[] {1}, -2));
        m.put(SpanHeads.TYPE_PROJ, t(new long[] {3 * H, 2}, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
        m.put(SpanHeads.TYPE_PROJ_BIAS, t(new long[] {2}, 0, 0));
        m.put(SpanHeads.TYPE_SCALE, t(new long[] {1}, 10));
        m.put(SpanHeads.TYPE_NONE, t(new long[] {1}, 0.5f));
        SpanHeads h = new SpanHeads(new SpanHeads.Config(12, 9, 2, 0.5, "off", 0), m);
        // words (3, 1), (0, 2), (9, 6): span [0, 3): x_b[0] = 3, mean[1] = 3 -> (3, 3) / |.|
        float[] x = {3, 1, 0, 2, 9, 6};
        float r = (float) (1 / Math.sqrt(2));
        assertEquals(List.of(r, r), toList(h.represent(x, H, 0, 3)));
        // span [1, 2): x_b[0] = 0, mean[1] = 2 -> (0, 1)
        assertEquals(List.of(0f, 1f), toList(h.represent(x, H, 1, 2)));
    }

    private static List<Float> toList(float[] a) {
        java.util.ArrayList<Float> l = new java.util.ArrayList<>();
        for (float f : a) {
            l.add(f);
        }
        return l;
    }

    @Test
    void theRegistryKnowsSpan() {
        assertTrue(FewShotMethods.names().contains("span"), FewShotMethods.names().toString());
    }
}
