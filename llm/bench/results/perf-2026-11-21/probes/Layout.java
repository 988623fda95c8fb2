import ai.djl.ndarray.*;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.*;
public class Layout {
    public static void main(String[] a) throws Exception {
        ai.djl.engine.Engine.getEngine("PyTorch");
        NDManager mm = NDManager.newBaseManager();
        for (int[] nk : new int[][]{{960, 576}, {3072, 576}}) {
            int copies = 30;
            NDArray[] w = new NDArray[copies], wt = new NDArray[copies];
            for (int i = 0; i < copies; i++) { w[i] = mm.randomNormal(new Shape(nk[0], nk[1])); wt[i] = mm.randomNormal(new Shape(nk[1], nk[0])).transpose(); }
            for (int m : new int[]{1, 8, 64, 256}) {
                NDArray x = mm.randomNormal(new Shape(m, nk[1]));
                List<Double> ta = new ArrayList<>(), tb = new ArrayList<>();
                for (int r = 0; r < 7; r++) {
                    long s = System.nanoTime(); for (int i = 0; i < copies; i++) Linear.linear(x, w[i], null).singletonOrThrow().close(); ta.add((System.nanoTime() - s) / 1e6);
                    s = System.nanoTime(); for (int i = 0; i < copies; i++) Linear.linear(x, wt[i], null).singletonOrThrow().close(); tb.add((System.nanoTime() - s) / 1e6);
                }
                Collections.sort(ta); Collections.sort(tb);
                System.out.printf("%dx%d M=%d: [out,in] %.2f ms, [in,out]-view %.2f ms (ratio %.2f)%n", nk[0], nk[1], m, ta.get(3), tb.get(3), tb.get(3) / ta.get(3));
            }
        }
    }
}
