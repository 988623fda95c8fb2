package org.fewner.ner.span;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.fewner.llm.tensors.HostTensor;
import org.junit.jupiter.api.Test;

/** Detection with boundary context, worked by hand on one-dimensional word vectors. */
class SpanHeadsContextTest {
    static HostTensor t(long[] shape, float... v) {
        return HostTensor.ofFloats(shape, v);
    }

    /**
     * H = 1, d = 1: pre = x_b + x_e + 0 (width) + 0 (bias) + 2 x_{b-1} + 3 x_{e+1}, with edge_l =
     * 10 before the sentence and edge_r = 20 after it; s = relu(pre) - 1 (v = 1, c0 = -1).
     */
    static Map<String, HostTensor> tensors() {
        Map<String, HostTensor> m = new TreeMap<>();
        m.put(SpanHeads.DETECT_START, t(new long[] {1, 1}, 1));
        m.put(SpanHeads.DETECT_END, t(new long[] {1, 1}, 1));
        m.put(SpanHeads.DETECT_WIDTH, t(new long[] {2, 1}, 0, 0));
        m.put(SpanHeads.DETECT_BIAS, t(new long[] {1}, 0));
        m.put(SpanHeads.DETECT_OUT, t(new long[] {1}, 1));
        m.put(SpanHeads.DETECT_OUT_BIAS, t(new long[] {1}, -1));
        m.put(SpanHeads.DETECT_LEFT, t(new long[] {1, 1}, 2));
        m.put(SpanHeads.DETECT_RIGHT, t(new long[] {1, 1}, 3));
        m.put(SpanHeads.DETECT_EDGES, t(new long[] {2, 1}, 10, 20));
        return m;
    }

    static double sigmoid(double s) {
        return 1 / (1 + Math.exp(-s));
    }

    @Test
    void contextWordsAndSentenceEdgesEnterTheScore() {
        SpanHeads h = new SpanHeads(new SpanHeads.Config(12, 9, 2, 0.5, "learnt", 0), tensors());
        // x = (1, -1, 0.5)
        List<SpanHeads.Candidate> c = h.scoreSpans(new float[] {1, -1, 0.5f}, 3);
        // order: (0,1), (0,2), (1,2), (1,3), (2,3)
        assertEquals(5, c.size());
        // [0,1): x0 + x0 + edge_l + 3 x1 = 1 + 1 + 10 - 3 = 9 -> s = 8
        assertEquals(sigmoid(8), c.get(0).probability(), 1e-9);
        // [0,2): x0 + x1 + edge_l + 3 x2 = 1 - 1 + 10 + 1.5 = 11.5 -> s = 10.5
        assertEquals(sigmoid(10.5), c.get(1).probability(), 1e-9);
        // [1,2): x1 + x1 + 2 x0 + 3 x2 = -2 + 2 + 1.5 = 1.5 -> s = 0.5
        assertEquals(sigmoid(0.5), c.get(2).probability(), 1e-9);
        // [1,3): x1 + x2 + 2 x0 + edge_r = -0.5 + 2 + 20 = 21.5 -> s = 20.5
        assertEquals(sigmoid(20.5), c.get(3).probability(), 1e-9);
        // [2,3): x2 + x2 + 2 x1 + edge_r = 1 - 2 + 20 = 19 -> s = 18
        assertEquals(sigmoid(18), c.get(4).probability(), 1e-9);
    }

    @Test
    void supportAdaptationKeepsTheContextTerms() {
        SpanHeads h = new SpanHeads(new SpanHeads.Config(12, 9, 2, 0.5, "learnt", 0), tensors());
        // no steps: the same heads; one step on a sentence: the context weights are not adapted
        SpanHeads a =
                DetectionAdaptation.adapt(
                        h,
                        List.of(
                                new DetectionAdaptation.Sentence(
                                        new float[] {1, -1, 0.5f}, 3, List.of(new int[] {2, 3}))),
                        new DetectionAdaptation.Options(
                                1, 1e-3, 1, 0, DetectionAdaptation.Scope.ALL));
        List<SpanHeads.Candidate> before = h.scoreSpans(new float[] {1, -1, 0.5f}, 3);
        List<SpanHeads.Candidate> after = a.scoreSpans(new float[] {1, -1, 0.5f}, 3);
        // one small step moves each score a little; the edge term (20) still dominates [1,3)
        for (int i = 0; i < 5; i++) {
            assertEquals(before.get(i).probability(), after.get(i).probability(), 0.05);
        }
        assertTrue(after.get(3).probability() > 0.99);
    }

    @Test
    void contextTensorsOfTheWrongShapeAreRefused() {
        Map<String, HostTensor> m = tensors();
        m.put(SpanHeads.DETECT_EDGES, t(new long[] {1, 1}, 10));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new SpanHeads(new SpanHeads.Config(12, 9, 2, 0.5, "learnt", 0), m));
        assertTrue(e.getMessage().contains("[2, 1]"), e.getMessage());
        Map<String, HostTensor> missing = tensors();
        missing.remove(SpanHeads.DETECT_RIGHT);
        IllegalArgumentException e2 =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new SpanHeads(
                                        new SpanHeads.Config(12, 9, 2, 0.5, "learnt", 0), missing));
        assertTrue(e2.getMessage().contains(SpanHeads.DETECT_RIGHT), e2.getMessage());
    }
}
