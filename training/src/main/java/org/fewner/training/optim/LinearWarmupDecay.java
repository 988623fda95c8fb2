package org.fewner.training.optim;

/**
 * Learning-rate schedule of both trainers: linear warm-up over {@code warmup} steps to {@code lr},
 * then linear decay to 0 at {@code maxSteps}.
 *
 * @param lr peak learning rate
 * @param warmup warm-up steps (0 = none)
 * @param maxSteps the run's length in steps
 */
public record LinearWarmupDecay(double lr, int warmup, int maxSteps) {
    /** The learning rate of step {@code s} (0-based). */
    public double at(int s) {
        if (s < warmup) {
            return lr * (s + 1) / warmup;
        }
        double rest = Math.max(1, maxSteps - warmup);
        return lr * Math.max(0, 1 - (s - warmup) / rest);
    }
}
