package org.fewner.ner.span;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.fewner.llm.tensors.HostTensor;
import org.junit.jupiter.api.Test;

/**
 * The support adaptation's hand-written gradient against central finite differences of its loss,
 * and its effect: after a few steps the support's gold spans score higher than before.
 */
class DetectionAdaptationTest {
    static final int H = 3;
    static final int D = 4;
    static final int W = 2;

    static SpanHeads heads(long seed) {
        Random r = new Random(seed);
        Map<String, HostTensor> m = new TreeMap<>();
        m.put(SpanHeads.DETECT_START, rand(r, H, D));
        m.put(SpanHeads.DETECT_END, rand(r, H, D));
        m.put(SpanHeads.DETECT_WIDTH, rand(r, W, D));
        m.put(SpanHeads.DETECT_BIAS, rand(r, D));
        m.put(SpanHeads.DETECT_OUT, rand(r, D));
        m.put(SpanHeads.DETECT_OUT_BIAS, HostTensor.ofFloats(new long[] {1}, new float[] {-1f}));
        return new SpanHeads(new SpanHeads.Config(12, 12, W, 0.5, "off", 0), m);
    }

    static HostTensor rand(Random r, int... shape) {
        long[] s = new long[shape.length];
        int n = 1;
        for (int i = 0; i < shape.length; i++) {
            s[i] = shape[i];
            n *= shape[i];
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return HostTensor.ofFloats(s, v);
    }

    static List<DetectionAdaptation.Sentence> support() {
        Random r = new Random(7);
        float[] x1 = new float[4 * H];
        float[] x2 = new float[3 * H];
        for (int i = 0; i < x1.length; i++) {
            x1[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < x2.length; i++) {
            x2[i] = (float) r.nextGaussian();
        }
        return List.of(
                new DetectionAdaptation.Sentence(x1, 4, List.of(new int[] {1, 3})),
                new DetectionAdaptation.Sentence(x2, 3, List.of(new int[] {0, 1})));
    }

    /** The loss of the adaptation at given heads (the same formula as its Javadoc), in double. */
    static double loss(SpanHeads h, List<DetectionAdaptation.Sentence> sup, double posWeight) {
        double num = 0;
        double den = 0;
        for (DetectionAdaptation.Sentence s : sup) {
            for (SpanHeads.Candidate c : h.scoreSpans(s.x(), s.words())) {
                boolean y = false;
                for (int[] g : s.spans()) {
                    y |= g[0] == c.start() && g[1] == c.end();
                }
                double p = Math.min(Math.max(c.probability(), 1e-12), 1 - 1e-12);
                double w = y ? posWeight : 1;
                num += w * -(y ? Math.log(p) : Math.log(1 - p));
                den += w;
            }
        }
        return num / den;
    }

    @Test
    void oneSgdLikeStepMovesEachParameterAgainstItsFiniteDifferenceGradient() {
        // One Adam step from zero moments moves each coordinate by -lr * sign(g) (|g| >> 1e-8):
        // compare that sign with the sign of a central finite difference of the loss.
        SpanHeads h0 = heads(3);
        List<DetectionAdaptation.Sentence> sup = support();
        double lr = 1e-3;
        SpanHeads h1 =
                DetectionAdaptation.adapt(
                        h0,
                        sup,
                        new DetectionAdaptation.Options(
                                1, lr, 3, 0, DetectionAdaptation.Scope.ALL));
        SpanHeads.Detection a = h0.detection();
        SpanHeads.Detection b = h1.detection();
        float[][] before = {a.out(), a.bias(), a.widths(), a.start(), a.end()};
        float[][] after = {b.out(), b.bias(), b.widths(), b.start(), b.end()};
        int checked = 0;
        for (int p = 0; p < before.length; p++) {
            for (int k = 0; k < before[p].length; k++) {
                double fd = finiteDifference(h0, sup, p, k);
                if (Math.abs(fd) < 1e-4) {
                    continue; // a dead ReLU unit or a vanishing coordinate: no sign to compare
                }
                double moved = after[p][k] - before[p][k];
                assertEquals(-Math.signum(fd) * lr, moved, 1e-6, "parameter " + p + "[" + k + "]");
                checked++;
            }
        }
        assertTrue(checked > 20, "too few coordinates checked: " + checked);
    }

    private static double finiteDifference(
            SpanHeads h, List<DetectionAdaptation.Sentence> sup, int p, int k) {
        double eps = 1e-3;
        return (loss(shift(h, p, k, eps), sup, 3) - loss(shift(h, p, k, -eps), sup, 3)) / (2 * eps);
    }

    private static SpanHeads shift(SpanHeads h, int p, int k, double eps) {
        SpanHeads.Detection d = h.detection();
        float[][] arrays = {
            d.out().clone(),
            d.bias().clone(),
            d.widths().clone(),
            d.start().clone(),
            d.end().clone()
        };
        arrays[p][k] += (float) eps;
        return h.withDetection(
                new SpanHeads.Detection(
                        d.hidden(),
                        d.width(),
                        arrays[3],
                        arrays[4],
                        arrays[2],
                        arrays[1],
                        arrays[0],
                        d.outBias()));
    }

    @Test
    void adaptationLowersTheSupportLossAndLeavesTheTrainedHeadsAlone() {
        SpanHeads h0 = heads(5);
        float[] outBefore = h0.detection().out().clone();
        List<DetectionAdaptation.Sentence> sup = support();
        SpanHeads h1 =
                DetectionAdaptation.adapt(
                        h0,
                        sup,
                        new DetectionAdaptation.Options(
                                30, 0.05, 3, 0, DetectionAdaptation.Scope.OUTPUT));
        assertTrue(loss(h1, sup, 3) < loss(h0, sup, 3) * 0.8);
        assertEquals(outBefore[0], h0.detection().out()[0]);
        assertSame(h0, DetectionAdaptation.adapt(h0, sup, DetectionAdaptation.Options.NONE));
    }
}
