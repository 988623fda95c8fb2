package org.fewner.ner.span;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-worked examples of the mixed typing and joint decoding. */
class SpanDecoderTest {
    // two types: mean-space prototypes along x and y, projection prototypes along x and y too
    static final List<float[]> MEAN = List.of(new float[] {1, 0}, new float[] {0, 1});
    static final List<float[]> PROJ = List.of(new float[] {1, 0}, new float[] {0, 1});

    static float[] unit(double a) {
        return new float[] {(float) Math.cos(a), (float) Math.sin(a)};
    }

    @Test
    void typeIsTheArgmaxOfTheMixedCosine() {
        // r at 0 rad: cR = (1, 0); z at 80 degrees: cP = (cos 80, sin 80) = (0.174, 0.985)
        SpanDecoder.Settings s = new SpanDecoder.Settings(0.5, 0.3, 0.5, 0);
        SpanDecoder.Scored sc =
                SpanDecoder.score(0, 1, 0.8, unit(0), unit(Math.toRadians(80)), MEAN, PROJ, s);
        // s_0 = 0.5 * 1 + 0.5 * 0.174 = 0.587; s_1 = 0.5 * 0 + 0.5 * 0.985 = 0.492 -> type 0
        assertEquals(0, sc.type());
        assertEquals(0.5 + 0.5 * Math.cos(Math.toRadians(80)), sc.score(), 1e-6);
        assertEquals(0.8 * sc.score(), sc.key(), 1e-6);
        // with mix 0.9 the projection decides: s_0 = 0.1 + 0.9 * 0.174 = 0.256, s_1 = 0.886
        SpanDecoder.Scored p =
                SpanDecoder.score(
                        0,
                        1,
                        0.8,
                        unit(0),
                        unit(Math.toRadians(80)),
                        MEAN,
                        PROJ,
                        new SpanDecoder.Settings(0.9, 0.3, 0.5, 0));
        assertEquals(1, p.type());
    }

    @Test
    void rejectedWhenEitherSpaceIsBelowItsMargin() {
        SpanDecoder.Settings s = new SpanDecoder.Settings(0.5, 0.3, 0.5, 0);
        // r at 225 degrees: best cR = max(-0.707, -0.707) < 0.3 -> rejected
        assertEquals(
                -1,
                SpanDecoder.score(0, 1, 0.9, unit(Math.toRadians(225)), unit(0), MEAN, PROJ, s)
                        .type());
        // z at 135 degrees: best cP = 0.707 >= 0.5 and r at 0: accepted
        assertEquals(
                1,
                SpanDecoder.score(
                                0,
                                1,
                                0.9,
                                unit(Math.toRadians(60)),
                                unit(Math.toRadians(100)),
                                MEAN,
                                PROJ,
                                s)
                        .type());
        // z at 200 degrees: best cP = max(-0.94, -0.34) < 0.5 -> rejected
        assertEquals(
                -1,
                SpanDecoder.score(0, 1, 0.9, unit(0), unit(Math.toRadians(200)), MEAN, PROJ, s)
                        .type());
    }

    @Test
    void selectionPrefersTheKeyAndARejectedSpanBlocksNothing() {
        // [0,3) key 0.5 accepted, [1,2) key 0.9 rejected, [1,3) key 0.4 accepted, [4,5) key 0.2
        List<SpanDecoder.Scored> c =
                List.of(
                        new SpanDecoder.Scored(0, 3, 0.6, 0, 0.8, 0.5),
                        new SpanDecoder.Scored(1, 2, 0.95, -1, 0.9, 0.9),
                        new SpanDecoder.Scored(1, 3, 0.5, 1, 0.8, 0.4),
                        new SpanDecoder.Scored(4, 5, 0.3, 1, 0.7, 0.2));
        List<SpanDecoder.Scored> kept = SpanDecoder.select(c);
        assertEquals(2, kept.size());
        assertEquals(0, kept.get(0).start());
        assertEquals(3, kept.get(0).end());
        assertEquals(4, kept.get(1).start());
    }

    @Test
    void lengthBonusFavoursTheLongerOfTwoNestedSpans() {
        SpanDecoder.Settings s = new SpanDecoder.Settings(0, 0, 0, 0.05);
        // same typing (score 1), detection 0.60 for [0,1) and 0.52 for [0,3):
        // keys 0.60 + 0.05 = 0.65 and 0.52 + 0.15 = 0.67 -> the longer one wins
        SpanDecoder.Scored shortSpan =
                SpanDecoder.score(0, 1, 0.60, unit(0), unit(0), MEAN, PROJ, s);
        SpanDecoder.Scored longSpan =
                SpanDecoder.score(0, 3, 0.52, unit(0), unit(0), MEAN, PROJ, s);
        assertEquals(0.65, shortSpan.key(), 1e-6);
        assertEquals(0.67, longSpan.key(), 1e-6);
        List<SpanDecoder.Scored> kept = SpanDecoder.select(List.of(shortSpan, longSpan));
        assertEquals(1, kept.size());
        assertEquals(3, kept.get(0).end());
    }

    /** [0,1): p 0.60, r and z at -60 degrees (type 0 nearest): score cos 60 = 0.5. */
    static SpanDecoder.Scored shortHalfLike(SpanDecoder.Settings s) {
        float[] v = unit(Math.toRadians(-60));
        return SpanDecoder.score(0, 1, 0.60, v, v, MEAN, PROJ, s);
    }

    /** [0,3): p 0.40, r and z on type 0: score 1. */
    static SpanDecoder.Scored longExact(SpanDecoder.Settings s) {
        return SpanDecoder.score(0, 3, 0.40, unit(0), unit(0), MEAN, PROJ, s);
    }

    @Test
    void similarityWeightLetsTheSpanMoreLikeASupportEntityWin() {
        // additive with weight 2: 0.60 + 2 * 0.5 = 1.60 vs 0.40 + 2 * 1 = 2.40 -> the long span
        SpanDecoder.Settings add = new SpanDecoder.Settings(0.5, 0, 0, 0, 2.0);
        assertEquals(1.60, shortHalfLike(add).key(), 1e-6);
        assertEquals(2.40, longExact(add).key(), 1e-6);
        assertEquals(
                3, SpanDecoder.select(List.of(shortHalfLike(add), longExact(add))).get(0).end());
        // weight 0.1: 0.65 vs 0.50 -> detection wins, the short span
        SpanDecoder.Settings weak = new SpanDecoder.Settings(0.5, 0, 0, 0, 0.1);
        assertEquals(0.65, shortHalfLike(weak).key(), 1e-6);
        assertEquals(0.50, longExact(weak).key(), 1e-6);
        assertEquals(
                1, SpanDecoder.select(List.of(shortHalfLike(weak), longExact(weak))).get(0).end());
        // the older product key: 0.60 * 0.5 = 0.30 vs 0.40 * 1 = 0.40
        SpanDecoder.Settings prod = new SpanDecoder.Settings(0.5, 0, 0, 0);
        assertEquals(0.30, shortHalfLike(prod).key(), 1e-6);
        assertEquals(0.40, longExact(prod).key(), 1e-6);
    }

    @Test
    void mixOutsideTheUnitIntervalIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SpanDecoder.Settings(1.5, 0, 0, 0));
    }

    @Test
    void badSpanOptionsAreUserErrorsNamingTheOption() {
        org.fewner.common.FewNerException e =
                assertThrows(
                        org.fewner.common.FewNerException.class,
                        () ->
                                SpanMethod.adaptationOf(
                                        org.fewner.ner.MethodOptions.of(
                                                java.util.Map.of(
                                                        "adapt-steps",
                                                        "5",
                                                        "adapt-scope",
                                                        "most"))));
        assertTrue(e.getMessage().contains("adapt-scope"), e.getMessage());
        e =
                assertThrows(
                        org.fewner.common.FewNerException.class,
                        () ->
                                SpanMethod.Overrides.of(
                                        org.fewner.ner.MethodOptions.of(
                                                java.util.Map.of("mix", "half"))));
        assertTrue(e.getMessage().contains("mix"), e.getMessage());
        assertEquals(
                DetectionAdaptation.Options.NONE,
                SpanMethod.adaptationOf(org.fewner.ner.MethodOptions.of(java.util.Map.of())));
    }
}
