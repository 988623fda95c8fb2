package org.fewner.llm.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;

/**
 * fp32 GEMM speed of this machine through libtorch ({@code linear} = {@code addmm}, the call the
 * encoder makes), measured in the running process with the current thread settings: best and median
 * GFLOP/s over repeats.
 */
public final class GemmPeak {
    private GemmPeak() {}

    /**
     * One measured shape: {@code [m, k] · [k, n]}.
     *
     * @param bestGflops best single-call speed
     * @param medianGflops median single-call speed
     */
    public record Result(int m, int k, int n, int calls, double bestGflops, double medianGflops) {
        public String shape() {
            return "[" + m + "," + k + "]x[" + k + "," + n + "]";
        }
    }

    /**
     * Times {@code x · Wᵀ + b} with x [m, k], W [n, k] until {@code seconds} have passed (at least
     * {@code minCalls}).
     */
    public static Result measure(
            NDManager manager, int m, int k, int n, double seconds, int minCalls) {
        return measure(manager, m, k, n, seconds, minCalls, true);
    }

    /**
     * Times {@code x · Wᵀ} (+ b when {@code bias}: BERT's layers have one, Llama-style decoders
     * none) with x [m, k], W [n, k] until {@code seconds} have passed (at least {@code minCalls}).
     */
    public static Result measure(
            NDManager manager, int m, int k, int n, double seconds, int minCalls, boolean bias) {
        try (NDManager mm = manager.newSubManager()) {
            NDArray x = mm.randomNormal(new Shape(m, k));
            NDArray w = mm.randomNormal(new Shape(n, k));
            NDArray b = bias ? mm.randomNormal(new Shape(n)) : null;
            for (int i = 0; i < 2; i++) {
                Linear.linear(x, w, b).singletonOrThrow().close();
            }
            List<Double> times = new ArrayList<>();
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (times.size() < minCalls || System.nanoTime() < end) {
                long t0 = System.nanoTime();
                NDArray y = Linear.linear(x, w, b).singletonOrThrow();
                // CPU ops run synchronously: the call has finished when it returns
                long t1 = System.nanoTime();
                y.close();
                times.add((t1 - t0) / 1e9);
                if (times.size() > 10_000) {
                    break;
                }
            }
            double flops = 2.0 * m * k * n;
            double[] t = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return new Result(m, k, n, t.length, flops / t[0] / 1e9, flops / t[t.length / 2] / 1e9);
        }
    }

    /**
     * The GEMMs of a BERT layer at {@code rows} = B·T rows: fused QKV, attention output,
     * intermediate, output.
     */
    public static List<Result> layerShapes(
            NDManager manager, int rows, int hidden, int intermediate, double seconds) {
        return List.of(
                measure(manager, rows, hidden, 3 * hidden, seconds, 3),
                measure(manager, rows, hidden, hidden, seconds, 3),
                measure(manager, rows, hidden, intermediate, seconds, 3),
                measure(manager, rows, intermediate, hidden, seconds, 3));
    }

    /** The best speed over results (the machine's GEMM peak as far as these shapes show it). */
    public static double best(List<Result> results) {
        return results.stream().mapToDouble(Result::bestGflops).max().orElse(Double.NaN);
    }
}
