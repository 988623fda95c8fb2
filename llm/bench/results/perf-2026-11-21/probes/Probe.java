import ai.djl.Device;
import ai.djl.ndarray.*;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.fewner.llm.bert.BertModel;
import org.fewner.llm.config.*;
import org.fewner.llm.decoder.*;
import java.nio.file.*;
import java.util.*;

public class Probe {
    static double[] stats(List<Double> t) { double[] a = t.stream().mapToDouble(d->d).sorted().toArray(); return new double[]{a[a.length/2], a[0]}; }
    static long[][] ones(int b, int t) { long[][] m = new long[b][t]; for (long[] r : m) Arrays.fill(r, 1); return m; }
    static long[][] ids(int b, int t, int v, long seed) { Random r = new Random(seed); long[][] m = new long[b][t]; for (long[] row : m) for (int i=0;i<t;i++) row[i]=1000+r.nextInt(v-1000); return m; }
    interface Run { void run() throws Exception; }
    static double[] time(Run r, int warm, int n, double secs) throws Exception {
        for (int i=0;i<warm;i++) r.run();
        List<Double> t = new ArrayList<>(); long st = System.nanoTime();
        while (t.size() < n || (System.nanoTime()-st)/1e9 < secs) { long a=System.nanoTime(); r.run(); t.add((System.nanoTime()-a)/1e9); if (t.size()>400) break; }
        return stats(t);
    }
    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "all";
        double secs = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        ai.djl.engine.Engine.getEngine("PyTorch");
        if (System.getenv("PROBE_THREADS") != null) JniUtils.setNumThreads(Integer.parseInt(System.getenv("PROBE_THREADS")));
        StringBuilder out = new StringBuilder(System.getenv().getOrDefault("PROBE_LABEL","?") + " threads=" + JniUtils.getNumThreads());
        if (what.contains("gemm")) {
            var g = org.fewner.llm.bench.GemmPeak.measure(NDManager.newBaseManager(), 1024, 1024, 1024, 1.0, 3);
            out.append(String.format(" gemm1024=%.0f", g.bestGflops()));
        }
        if (what.contains("enc")) {
            Path d = Path.of(System.getProperty("user.home"), ".cache/fewner/models/default");
            BertModel m = BertModel.load(d, (BertConfig) ModelConfigs.read(d), Device.cpu());
            long[][] id = ids(1, 32, 28000, 1); long[][] mk = ones(1, 32);
            double[] r = time(() -> { try (NDManager mm = m.manager().newSubManager()) { m.forward(mm, id, mk, null, false); } }, 3, 10, secs);
            out.append(String.format(" enc1x32 med=%.1fms best=%.1fms", r[0]*1e3, r[1]*1e3));
            m.close();
        }
        if (what.contains("dec")) {
            DecoderModel m = DecoderModel.load(Path.of("/tmp/perf/smol-full"), Device.cpu());
            long[][] id = ids(1, 64, 49000, 1);
            double[] r = time(() -> { try (NDManager mm = m.manager().newSubManager()) { m.forward(mm, id, ones(1,64), null, null, false, true).logits().toFloatArray(); } }, 2, 5, secs);
            out.append(String.format(" pre1x64 med=%.1fms best=%.1fms", r[0]*1e3, r[1]*1e3));
            for (int b : new int[]{1, 8}) {
                final int bb = b;
                try (NDManager mm = m.manager().newSubManager(); KvCache cache = new KvCache(mm, m.config().numHiddenLayers())) {
                    m.forward(mm, ids(b, 64, 49000, 2), ones(b, 64), cache, null, false, true);
                    long[][] tok = ids(b, 1, 49000, 3);
                    double[] s = time(() -> { try (NDManager step = mm.newSubManager()) { m.forward(step, tok, ones(bb, 1), cache, null, false, true).logits().toFloatArray(); } }, 2, 16, secs/2);
                    out.append(String.format(" dec%d med=%.1fms best=%.1fms", b, s[0]*1e3, s[1]*1e3));
                }
            }
        }
        System.out.println(out);
    }
}
