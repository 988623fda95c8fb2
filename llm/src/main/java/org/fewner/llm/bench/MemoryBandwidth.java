package org.fewner.llm.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Main-memory read bandwidth as libtorch sees it in the running process: the best time of summing a
 * float array far larger than the caches (each element read once per sum). The weight-streaming
 * bound of a decode step is weight bytes ÷ this figure.
 */
public final class MemoryBandwidth {
    private MemoryBandwidth() {}

    /** Floats summed by {@link #measure(NDManager, int)}: 512 MiB. */
    public static final long FLOATS = 128L << 20;

    /**
     * Best read bandwidth in GB/s over {@code repeats} sums of a 512 MiB array (after one warm-up
     * sum).
     */
    public static double measure(NDManager parent, int repeats) {
        return measure(parent, FLOATS, repeats);
    }

    /**
     * Best read bandwidth in GB/s over {@code repeats} sums of {@code floats} F32 elements (after
     * one warm-up sum).
     */
    public static double measure(NDManager parent, long floats, int repeats) {
        try (NDManager mm = parent.newSubManager()) {
            NDArray big = mm.ones(new Shape(floats));
            double best = Double.MAX_VALUE;
            for (int i = 0; i <= repeats; i++) {
                long t0 = System.nanoTime();
                try (NDArray s = big.sum()) {
                    s.getFloat(); // CPU ops are synchronous; reading the scalar makes sure
                    // it is done
                }
                double t = (System.nanoTime() - t0) / 1e9;
                if (i > 0) {
                    best = Math.min(best, t);
                }
            }
            return floats * 4 / best / 1e9;
        }
    }
}
