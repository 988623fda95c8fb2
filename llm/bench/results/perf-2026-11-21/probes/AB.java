import ai.djl.Device;
import ai.djl.ndarray.*;
import ai.djl.pytorch.jni.JniUtils;
import org.fewner.llm.bert.BertModel;
import org.fewner.llm.config.*;
import org.fewner.llm.decoder.*;
import java.nio.file.*;
import java.util.*;

/** In-process A/B of 2 vs 1 intra-op threads, alternating per round, per cell. */
public class AB {
    interface Run { void run() throws Exception; }
    static long[][] ones(int b, int t) { long[][] m = new long[b][t]; for (long[] r : m) Arrays.fill(r, 1); return m; }
    static long[][] ids(int b, int t, int v, long seed) { Random r = new Random(seed); long[][] m = new long[b][t]; for (long[] row : m) for (int i=0;i<t;i++) row[i]=1000+r.nextInt(v-1000); return m; }
    static double med(Run r, int n) throws Exception { r.run(); double[] t = new double[n]; for (int i = 0; i < n; i++) { long s = System.nanoTime(); r.run(); t[i] = (System.nanoTime() - s) / 1e6; } Arrays.sort(t); return t[n/2]; }
    static void ab(String label, Run r, int n, int rounds) throws Exception {
        List<Double> a = new ArrayList<>(), b = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            JniUtils.setNumThreads(2); a.add(med(r, n));
            JniUtils.setNumThreads(1); b.add(med(r, n));
        }
        JniUtils.setNumThreads(2);
        Collections.sort(a); Collections.sort(b);
        System.out.printf("%-16s 2thr med-of-medians %.1f ms (best %.1f) | 1thr %.1f ms (best %.1f) | 1thr/2thr time %.2f%n", label, a.get(rounds/2), a.get(0), b.get(rounds/2), b.get(0), b.get(rounds/2)/a.get(rounds/2));
    }
    public static void main(String[] args) throws Exception {
        ai.djl.engine.Engine.getEngine("PyTorch");
        int rounds = Integer.parseInt(args[1]);
        if (args[0].contains("enc")) {
            Path d = Path.of(System.getProperty("user.home"), ".cache/fewner/models/default");
            BertModel m = BertModel.load(d, (BertConfig) ModelConfigs.read(d), Device.cpu());
            for (int[] c : new int[][]{{1,32},{1,128},{8,32},{8,128},{32,128}}) {
                long[][] id = ids(c[0], c[1], 28000, 1); long[][] mk = ones(c[0], c[1]);
                int n = c[0]*c[1] >= 1024 ? 1 : 5;
                if (c[0]*c[1] >= 4096 && rounds > 2) continue;
                ab("enc " + c[0] + "x" + c[1], () -> { try (NDManager mm = m.manager().newSubManager()) { m.forward(mm, id, mk, null, false); } }, n, rounds);
            }
            m.close();
        }
        if (args[0].contains("dec")) {
            DecoderModel m = DecoderModel.load(Path.of("/tmp/perf/smol-full"), Device.cpu());
            for (int[] c : new int[][]{{1,64}}) {
                long[][] id = ids(c[0], c[1], 49000, 1);
                ab("prefill " + c[0] + "x" + c[1], () -> { try (NDManager mm = m.manager().newSubManager()) { m.forward(mm, id, ones(c[0],c[1]), null, null, false, true).logits().toFloatArray(); } }, 3, rounds);
            }
            for (int b : new int[]{1, 8}) {
                try (NDManager mm = m.manager().newSubManager(); KvCache cache = new KvCache(mm, m.config().numHiddenLayers())) {
                    m.forward(mm, ids(b, 64, 49000, 2), ones(b, 64), cache, null, false, true);
                    long[][] tok = ids(b, 1, 49000, 3);
                    ab("decode B=" + b, () -> { try (NDManager step = mm.newSubManager()) { m.forward(step, tok, ones(b, 1), cache, null, false, true).logits().toFloatArray(); } }, 8, rounds);
                }
            }
        }
    }
}
