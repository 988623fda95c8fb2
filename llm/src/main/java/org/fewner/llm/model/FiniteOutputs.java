package org.fewner.llm.model;

import org.fewner.common.FewNerException;
import org.fewner.llm.tensors.HostTensor;

/**
 * Checks that a model's outputs are finite. Loaded weights are finite (checked as they load), but
 * weights with huge values, or a bad {@code *_eps}, can still overflow float32 in a forward pass;
 * an inf or NaN there must not reach a user as a number.
 */
public final class FiniteOutputs {
    private FiniteOutputs() {}

    /** Refuses {@code values} (output {@code what}) when one is NaN or infinite. */
    public static float[] require(String what, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw error(what, values[i], i);
            }
        }
        return values;
    }

    /** Refuses tensor {@code t} (output {@code what}) when one element is NaN or infinite. */
    public static HostTensor require(String what, HostTensor t) {
        long bad = t.firstNonFinite();
        if (bad >= 0) {
            throw error(what, t.floatAt(bad), bad);
        }
        return t;
    }

    private static FewNerException error(String what, float value, long index) {
        return new FewNerException(
                "model output '"
                        + what
                        + "' holds "
                        + value
                        + " at element "
                        + index
                        + ": the forward pass overflowed float32 (weights too large, or a bad"
                        + " layer_norm_eps / rms_norm_eps in config.json)");
    }
}
