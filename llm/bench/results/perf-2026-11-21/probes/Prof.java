package org.fewner.llm.bench;

import ai.djl.Device;
import ai.djl.ndarray.*;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.fewner.llm.bert.BertModel;
import org.fewner.llm.config.*;
import org.fewner.llm.decoder.*;
import java.nio.file.*;
import java.util.*;

public class Prof {
    interface Run { void run() throws Exception; }
    static long[][] ones(int b, int t) { long[][] m = new long[b][t]; for (long[] r : m) Arrays.fill(r, 1); return m; }
    static long[][] ids(int b, int t, int v, long seed) { Random r = new Random(seed); long[][] m = new long[b][t]; for (long[] row : m) for (int i=0;i<t;i++) row[i]=1000+r.nextInt(v-1000); return m; }

    /** profile n calls of r; print top ops, top-level op count and time per call. */
    static void profile(String label, Run r, int n) throws Exception {
        for (int i = 0; i < 3; i++) r.run();
        long w0 = System.nanoTime(); for (int i = 0; i < n; i++) r.run(); double plain = (System.nanoTime() - w0) / 1e6 / n;
        Path trace = Files.createTempFile("prof", ".json");
        JniUtils.startProfile(false, System.getenv("SHAPES") != null, false);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) r.run();
        double wall = (System.nanoTime() - t0) / 1e6 / n;
        JniUtils.stopProfile(trace.toString());
        List<OpProfile.Op> ops = OpProfile.selfTimes(trace);
        // top-level events
        JsonNode root = new ObjectMapper().readTree(trace.toFile());
        JsonNode evs = root.isArray() ? root : root.get("traceEvents");
        List<double[]> tl = new ArrayList<>();
        for (JsonNode e : evs) if ("X".equals(e.path("ph").asText()) && e.has("dur")) tl.add(new double[]{e.path("ts").asDouble(), e.path("dur").asDouble()});
        tl.sort(Comparator.comparingDouble(a -> a[0]));
        double end = -1; int top = 0; double topUs = 0;
        for (double[] e : tl) { if (e[0] >= end) { top++; topUs += e[1]; end = e[0] + e[1]; } }
        if (System.getenv("SHAPES") != null) Files.copy(trace, Path.of("/tmp/probe/trace-" + label.replaceAll("[^a-zA-Z0-9]", "") + ".json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.delete(trace);
        double opMs = ops.stream().mapToDouble(OpProfile.Op::selfMs).sum() / n;
        System.out.printf("== %s: wall %.1f ms/call (unprofiled %.1f), top-level libtorch calls %.0f/call, in libtorch %.1f ms, gaps (Java+JNI) %.1f ms%n",
                label, wall, plain, top / (double) n, topUs / 1e3 / n, wall - topUs / 1e3 / n);
        int k = 0;
        for (OpProfile.Op o : ops) { if (k++ >= 14) break; System.out.printf("   %-28s %6.0f calls  %7.2f ms  %4.1f%%%n", o.name(), o.calls() / (double) n, o.selfMs() / n, 100 * o.selfMs() / n / wall); }
    }

    static double best(Run r, int n) throws Exception { r.run(); double b = 1e9; for (int i = 0; i < n; i++) { long s = System.nanoTime(); r.run(); b = Math.min(b, (System.nanoTime() - s) / 1e9); } return b; }
    static double median(Run r, int n) throws Exception { r.run(); double[] t = new double[n]; for (int i = 0; i < n; i++) { long s = System.nanoTime(); r.run(); t[i] = (System.nanoTime() - s) / 1e9; } Arrays.sort(t); return t[n/2]; }

    public static void main(String[] args) throws Exception {
        ai.djl.engine.Engine.getEngine("PyTorch");
        if (System.getenv("PROBE_THREADS") != null) JniUtils.setNumThreads(Integer.parseInt(System.getenv("PROBE_THREADS")));
        String what = args[0];
        NDManager base = NDManager.newBaseManager();
        if (what.contains("gemv")) { for (int th : new int[]{2, 1, 2, 1}) { JniUtils.setNumThreads(th); System.out.println("threads " + th); gemv(base); } JniUtils.setNumThreads(2); }
        if (what.contains("enc")) {
            Path d = Path.of(System.getProperty("user.home"), ".cache/fewner/models/default");
            BertModel m = BertModel.load(d, (BertConfig) ModelConfigs.read(d), Device.cpu());
            long[][] id = ids(1, 32, 28000, 1); long[][] mk = ones(1, 32);
            profile("encoder 1x32", () -> { try (NDManager mm = m.manager().newSubManager()) { m.forward(mm, id, mk, null, false); } }, 10);
            m.close();
        }
        if (what.contains("dec")) {
            DecoderModel m = DecoderModel.load(Path.of("/tmp/perf/smol-full"), Device.cpu());
            long[][] id = ids(1, 64, 49000, 1);
            profile("prefill 1x64", () -> { try (NDManager mm = m.manager().newSubManager()) { m.forward(mm, id, ones(1,64), null, null, false, true).logits().toFloatArray(); } }, 5);
            for (int b : new int[]{1, 8}) {
                final int bb = b;
                try (NDManager mm = m.manager().newSubManager(); KvCache cache = new KvCache(mm, m.config().numHiddenLayers())) {
                    m.forward(mm, ids(b, 64, 49000, 2), ones(b, 64), cache, null, false, true);
                    long[][] tok = ids(b, 1, 49000, 3);
                    profile("decode step B=" + b, () -> { try (NDManager step = mm.newSubManager()) { m.forward(step, tok, ones(bb, 1), cache, null, false, true).logits().toFloatArray(); } }, 10);
                }
            }
        }
    }

    /** weight-read bandwidth of skinny matmuls at the decoder's shapes, several formulations. */
    static void gemv(NDManager base) throws Exception {
        int[][] nk = {{960, 576}, {3072, 576}, {576, 1536}, {49152, 576}};
        try (NDManager mm = base.newSubManager()) {
            // bandwidth: sum of 512 MiB
            NDArray big = mm.ones(new Shape(128L << 20));
            double bs = best(() -> big.sum().close(), 6);
            System.out.printf("sum 512MiB: %.1f GB/s%n", (128L << 22) / bs / 1e9);
            big.close();
            // 30 layers worth of distinct weights so they do not sit in cache
            for (int rows : new int[]{1, 8}) {
                for (int[] s : nk) {
                    int copies = s[0] == 49152 ? 2 : 30;
                    NDArray[] w = new NDArray[copies], wt = new NDArray[copies];
                    for (int i = 0; i < copies; i++) { w[i] = mm.randomNormal(new Shape(s[0], s[1])); wt[i] = mm.randomNormal(new Shape(s[1], s[0])); }
                    NDArray x = mm.randomNormal(new Shape(rows, s[1]));
                    NDArray x1 = mm.randomNormal(new Shape(s[1]));
                    double bytes = 4.0 * s[0] * s[1] * copies;
                    double tl = median(() -> { for (int i = 0; i < copies; i++) Linear.linear(x, w[i], null).singletonOrThrow().close(); }, 9);
                    double tm = median(() -> { for (int i = 0; i < copies; i++) x.matMul(wt[i]).close(); }, 9);
                    double tw = median(() -> { for (int i = 0; i < copies; i++) w[i].matMul(x.transpose()).close(); }, 9);
                    String extra = "";
                    if (rows == 1) {
                        double tv = median(() -> { for (int i = 0; i < copies; i++) w[i].matMul(x1).close(); }, 9);
                        extra = String.format(" W·x(mv) %.1f", bytes / tv / 1e9);
                    }
                    System.out.printf("M=%d %dx%d (x%d): linear %.1f GB/s, x·Wt(pretransposed) %.1f, W·xT %.1f%s%n", rows, s[0], s[1], copies,
                            bytes / tl / 1e9, bytes / tm / 1e9, bytes / tw / 1e9, extra);
                    for (int i = 0; i < copies; i++) { w[i].close(); wt[i].close(); }
                }
            }
        }
    }
}
