package org.fewner.llm.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.apache.commons.math3.special.Erf;
import org.fewner.common.FewNerException;
import org.junit.jupiter.api.Test;

/** The activations against their formulas, computed independently in double precision. */
class BertActivationTest {
    private static final float[] X = new float[81];

    static {
        for (int i = 0; i < X.length; i++) {
            X[i] = -4f + 0.1f * i;
        }
    }

    private static float[] apply(String act) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(X);
            return BertActivation.apply(act, x).toFloatArray();
        }
    }

    private interface F {
        double f(double x);
    }

    private static double maxError(String act, F ref) {
        float[] y = apply(act);
        double worst = 0;
        for (int i = 0; i < X.length; i++) {
            worst = Math.max(worst, Math.abs(y[i] - ref.f(X[i])));
        }
        return worst;
    }

    private static double tanhGelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    @Test
    void geluIsTheExactErfForm() {
        F erf = x -> 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)));
        assertTrue(maxError("gelu", erf) < 2e-6, "gelu vs erf: " + maxError("gelu", erf));
        // and the tanh approximation is measurably different from it (up to ~5e-4 on this grid)
        assertTrue(maxError("gelu", BertActivationTest::tanhGelu) > 1e-4);
    }

    @Test
    void tanhVariantsAreTheTanhApproximation() {
        for (String act : new String[] {"gelu_new", "gelu_pytorch_tanh", "gelu_fast"}) {
            assertTrue(maxError(act, BertActivationTest::tanhGelu) < 2e-6, act);
        }
    }

    @Test
    void otherActivations() {
        assertTrue(maxError("quick_gelu", x -> x / (1 + Math.exp(-1.702 * x))) < 2e-6);
        assertTrue(maxError("relu", x -> Math.max(0, x)) == 0);
        assertTrue(maxError("silu", x -> x / (1 + Math.exp(-x))) < 2e-6);
        assertTrue(maxError("swish", x -> x / (1 + Math.exp(-x))) < 2e-6);
        assertTrue(maxError("tanh", Math::tanh) < 2e-6);
    }

    @Test
    void unknownActivationIsRefused() {
        FewNerException e = assertThrows(FewNerException.class, () -> apply("mish"));
        assertEquals(
                true, e.getMessage().contains("'mish'") && e.getMessage().contains("gelu_new"));
    }
}
