package org.fewner.llm.bench;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.fewner.llm.bert.BertModel;
import org.fewner.llm.config.BertConfig;

/**
 * Encoder throughput per (batch, length) cell against the fp32 GEMM speed measured in the same
 * process. Each cell runs the encoder (no MLM head) on random ids, unpadded, after warm-up calls,
 * and keeps every repeat's time; the GEMM figures for the cell's layer shapes are measured right
 * after it.
 */
public final class EncoderBenchmark {
    private EncoderBenchmark() {}

    /**
     * One cell.
     *
     * @param seconds every repeat's forward time, in run order
     * @param flops matmul FLOPs of one forward ({@link EncoderFlops})
     * @param layerGemmBest best GFLOP/s over the layer's GEMM shapes at B·T rows
     * @param layerGemms those GEMM measurements
     */
    public record Cell(
            int batch,
            int length,
            double[] seconds,
            double flops,
            double layerGemmBest,
            List<GemmPeak.Result> layerGemms) {
        public double medianSeconds() {
            double[] s = seconds.clone();
            Arrays.sort(s);
            return s.length % 2 == 1
                    ? s[s.length / 2]
                    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }

        public double bestSeconds() {
            return Arrays.stream(seconds).min().orElse(Double.NaN);
        }

        public double tokensPerSecondMedian() {
            return batch * (double) length / medianSeconds();
        }

        public double tokensPerSecondBest() {
            return batch * (double) length / bestSeconds();
        }

        public double gflopsMedian() {
            return flops / medianSeconds() / 1e9;
        }

        public double gflopsBest() {
            return flops / bestSeconds() / 1e9;
        }
    }

    /**
     * Random ids in [1000, vocab) framed by [CLS]=101 … [SEP]=102 (BERT's ids; any id below vocab
     * works).
     */
    static long[][] randomIds(int batch, int length, int vocab, long seed) {
        Random r = new Random(seed);
        long[][] ids = new long[batch][length];
        for (long[] row : ids) {
            for (int t = 0; t < length; t++) {
                row[t] = 1000 + r.nextInt(Math.max(1, vocab - 1000));
            }
            row[0] = Math.min(101, vocab - 1);
            row[length - 1] = Math.min(102, vocab - 1);
        }
        return ids;
    }

    /**
     * Times one cell: {@code warmup} untimed calls, then at least {@code minRepeats} and at least
     * {@code minSeconds}.
     */
    public static double[] time(
            BertModel model,
            int batch,
            int length,
            int warmup,
            int minRepeats,
            double minSeconds,
            int maxRepeats) {
        BertConfig c = model.config();
        long[][] ids = randomIds(batch, length, c.vocabSize(), 42L * batch + length);
        long[][] mask = new long[batch][length];
        for (long[] row : mask) {
            Arrays.fill(row, 1);
        }
        for (int i = 0; i < warmup; i++) {
            run(model, ids, mask);
        }
        List<Double> t = new ArrayList<>();
        long start = System.nanoTime();
        while (t.size() < maxRepeats
                && (t.size() < minRepeats || (System.nanoTime() - start) / 1e9 < minSeconds)) {
            long t0 = System.nanoTime();
            run(model, ids, mask);
            t.add((System.nanoTime() - t0) / 1e9);
        }
        return t.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** One encoder forward (no head); the arrays are freed before returning. */
    static void run(BertModel model, long[][] ids, long[][] mask) {
        try (NDManager call = model.manager().newSubManager()) {
            model.forward(call, ids, mask, null, false);
        }
    }

    /** A full cell: forward timings and the layer GEMMs at B·T rows. */
    public static Cell cell(
            BertModel model,
            int batch,
            int length,
            int minRepeats,
            double minSeconds,
            double gemmSeconds) {
        BertConfig c = model.config();
        int warmup = batch * length >= 2048 ? 1 : 3;
        double[] s = time(model, batch, length, warmup, minRepeats, minSeconds, 200);
        List<GemmPeak.Result> g =
                GemmPeak.layerShapes(
                        model.manager(),
                        batch * length,
                        c.hiddenSize(),
                        c.intermediateSize(),
                        gemmSeconds);
        return new Cell(
                batch, length, s, EncoderFlops.forward(c, batch, length), GemmPeak.best(g), g);
    }
}
