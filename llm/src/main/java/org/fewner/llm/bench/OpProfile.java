package org.fewner.llm.bench;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.common.Json;
import org.fewner.llm.bert.BertModel;

/**
 * Where the time of an encoder forward goes, per libtorch operator: runs forwards under libtorch's
 * own profiler ({@code JniUtils.startProfile}/{@code stopProfile}, a Chrome trace), and sums each
 * operator's self time (its duration minus that of the operators it called). The rest of the wall
 * time is Java and JNI overhead.
 */
public final class OpProfile {
    private OpProfile() {}

    /** Self time of one operator name over the profiled calls. */
    public record Op(String name, int calls, double selfMs) {}

    /**
     * @param ops operators by self time, largest first
     * @param wallMs wall time of the profiled forwards
     * @param forwards how many forwards were profiled
     */
    public record Profile(List<Op> ops, double wallMs, int forwards) {
        public double opMs() {
            return ops.stream().mapToDouble(Op::selfMs).sum();
        }
    }

    /**
     * Profiles {@code forwards} encoder forwards at [batch, length] (after warm-up); the trace goes
     * to {@code traceFile}.
     */
    public static Profile run(BertModel model, int batch, int length, int forwards, Path traceFile)
            throws IOException {
        long[][] ids = EncoderBenchmark.randomIds(batch, length, model.config().vocabSize(), 7);
        long[][] mask = new long[batch][length];
        for (long[] row : mask) {
            java.util.Arrays.fill(row, 1);
        }
        for (int i = 0; i < 2; i++) {
            EncoderBenchmark.run(model, ids, mask);
        }
        JniUtils.startProfile(false, false, false);
        long t0 = System.nanoTime();
        for (int i = 0; i < forwards; i++) {
            EncoderBenchmark.run(model, ids, mask);
        }
        double wall = (System.nanoTime() - t0) / 1e6;
        JniUtils.stopProfile(traceFile.toAbsolutePath().toString());
        return new Profile(selfTimes(traceFile), wall, forwards);
    }

    /**
     * Adds each operator of {@code p} to {@code json} ({@code name}, {@code calls_per_UNIT}, {@code
     * self_ms_per_UNIT}, per one of the {@code p.forwards()} profiled units) and the first {@code
     * rows} of them to {@code md} as Markdown rows {@code | op | calls | self ms | share of wall
     * |}.
     */
    public static void appendOps(
            StringBuilder md,
            com.fasterxml.jackson.databind.node.ArrayNode json,
            Profile p,
            String unit,
            int rows) {
        int n = p.forwards();
        int shown = 0;
        for (Op op : p.ops()) {
            json.addObject()
                    .put("name", op.name())
                    .put("calls_per_" + unit, op.calls() / (double) n)
                    .put("self_ms_per_" + unit, op.selfMs() / n);
            if (shown++ < rows) {
                md.append(
                        String.format(
                                java.util.Locale.ROOT,
                                "| %s | %.0f | %.3f | %.1f%% |%n",
                                op.name(),
                                op.calls() / (double) n,
                                op.selfMs() / n,
                                100 * op.selfMs() / p.wallMs()));
            }
        }
    }

    /** Self time per operator name from a Chrome trace of {@code cpu_op} events (µs timestamps). */
    public static List<Op> selfTimes(Path trace) throws IOException {
        JsonNode root = Json.MAPPER.readTree(trace.toFile());
        JsonNode events = root.isArray() ? root : root.get("traceEvents");
        record Ev(String name, long tid, double ts, double dur) {}
        List<Ev> evs = new ArrayList<>();
        for (JsonNode e : events) {
            if (!"X".equals(e.path("ph").asText()) || !e.has("dur")) {
                continue;
            }
            String cat = e.path("cat").asText("");
            if (!cat.isEmpty() && !cat.equals("cpu_op") && !cat.equals("Operator")) {
                continue;
            }
            evs.add(
                    new Ev(
                            e.path("name").asText(),
                            e.path("tid").asLong(),
                            e.path("ts").asDouble(),
                            e.path("dur").asDouble()));
        }
        evs.sort(
                Comparator.comparingLong(Ev::tid)
                        .thenComparingDouble(Ev::ts)
                        .thenComparing(Comparator.comparingDouble(Ev::dur).reversed()));
        Map<String, double[]> acc = new LinkedHashMap<>(); // name -> {calls, self µs}
        Deque<double[]> stack = new ArrayDeque<>(); // {end, index into list}
        List<double[]> self = new ArrayList<>();
        long tid = Long.MIN_VALUE;
        for (Ev e : evs) {
            if (e.tid != tid) {
                stack.clear();
                tid = e.tid;
            }
            while (!stack.isEmpty() && stack.peek()[0] <= e.ts) {
                stack.pop();
            }
            double[] mine = {e.dur};
            self.add(mine);
            if (!stack.isEmpty()) {
                self.get((int) stack.peek()[1])[0] -=
                        e.dur; // the parent's self time excludes this child
            }
            stack.push(new double[] {e.ts + e.dur, self.size() - 1});
        }
        for (int i = 0; i < evs.size(); i++) {
            double[] a = acc.computeIfAbsent(evs.get(i).name, k -> new double[2]);
            a[0]++;
            a[1] += Math.max(0, self.get(i)[0]);
        }
        List<Op> ops = new ArrayList<>();
        acc.forEach((k, v) -> ops.add(new Op(k, (int) v[0], v[1] / 1000.0)));
        ops.sort(Comparator.comparingDouble(Op::selfMs).reversed());
        return ops;
    }

    /** Deletes a trace file quietly. */
    static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover trace in a temp directory is harmless
        }
    }
}
