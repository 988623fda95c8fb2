package org.fewner.cli.options;

import org.fewner.common.FewNerException;

/**
 * Checks of numeric command-line options, run before any work starts (never after a benchmark or a
 * model load), each failure one line naming the option and what it needs.
 */
public final class OptionChecks {
    private OptionChecks() {}

    /** {@code value} must be at least 1. */
    public static int positive(String option, int value) {
        if (value < 1) {
            throw new FewNerException(option + ": expected a positive integer, got " + value);
        }
        return value;
    }

    /** Every value must be at least 1, and there must be at least one. */
    public static int[] positive(String option, int[] values) {
        if (values == null || values.length == 0) {
            throw new FewNerException(option + ": give at least one value");
        }
        for (int v : values) {
            positive(option, v);
        }
        return values;
    }

    /** {@code value} must be finite and above 0. */
    public static double positive(String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new FewNerException(option + ": expected a number above 0, got " + value);
        }
        return value;
    }

    /** {@code value} must be finite and at least 0. */
    public static double nonNegative(String option, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new FewNerException(option + ": expected a number >= 0, got " + value);
        }
        return value;
    }
}
