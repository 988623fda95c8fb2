package org.fewner.ner.span;

import java.util.List;

/**
 * Support adaptation of the span detector (the method's optional step 3): a few seeded, full-batch
 * Adam steps of the detection head on one support set, so that the detector learns what this
 * support set calls an entity (its types) and what it leaves unlabelled (entities of other types,
 * boundary variants). The source-trained head is the starting point; the result is a new head used
 * for this support set's queries only, so nothing carries over to the next support set.
 *
 * <p>Loss: class-weighted binary cross-entropy over every candidate span of every support sentence,
 * {@code L = Σ_i c_i (softplus(s_i) − y_i s_i) / Σ_i c_i}, {@code y_i} = 1 for a labelled support
 * span, {@code c_i = positiveWeight} for positives and 1 otherwise, plus {@code l2 · ‖θ − θ₀‖²}
 * toward the source-trained weights. The gradient is written out by hand below (a two-layer
 * network; DJL's autograd would cost more in array set-up than the arithmetic itself per step, and
 * {@code ner} keeps inference in plain Java).
 *
 * <p>{@link Scope#OUTPUT}: only the output layer ({@code v}, {@code c0}, the hidden bias and the
 * width embedding) moves; the projections {@code W_s}, {@code W_e} of the word vectors stay, so
 * {@code x W_s} and {@code x W_e} are computed once. {@link Scope#ALL} moves the projections too
 * ({@code [H, d]} each; about 2·T·H·d multiply-adds per sentence and step).
 */
public final class DetectionAdaptation {
    /** Which detection parameters move. */
    public enum Scope {
        OUTPUT,
        ALL
    }

    /**
     * @param steps Adam steps (0: no adaptation)
     * @param lr Adam learning rate
     * @param positiveWeight weight of a positive candidate in the loss
     * @param l2 pull toward the source-trained weights
     * @param scope which parameters move
     */
    public record Options(int steps, double lr, double positiveWeight, double l2, Scope scope) {
        public static final Options NONE = new Options(0, 0, 1, 0, Scope.OUTPUT);
    }

    /** One support sentence: its detection-layer vectors {@code [T, H]}, T, and its gold spans. */
    public record Sentence(float[] x, int words, List<int[]> spans) {}

    private DetectionAdaptation() {}

    /** The adapted head (a copy; {@code heads} is not changed). */
    public static SpanHeads adapt(SpanHeads heads, List<Sentence> support, Options o) {
        if (o.steps() <= 0 || support.isEmpty()) {
            return heads;
        }
        SpanHeads.Detection d0 = heads.detection();
        int h = d0.hidden();
        int d = d0.width();
        int maxW = heads.config().maxWidth();
        // parameters (copies) and their initial values
        float[][] theta = {
            d0.out().clone(),
            new float[] {d0.outBias()},
            d0.bias().clone(),
            d0.widths().clone(),
            d0.start().clone(),
            d0.end().clone()
        };
        int nParams = o.scope() == Scope.ALL ? 6 : 4;
        float[][] init = new float[nParams][];
        float[][] m1 = new float[nParams][];
        float[][] m2 = new float[nParams][];
        float[][] g = new float[nParams][];
        for (int p = 0; p < nParams; p++) {
            init[p] = theta[p].clone();
            m1[p] = new float[theta[p].length];
            m2[p] = new float[theta[p].length];
            g[p] = new float[theta[p].length];
        }
        int n = support.size();
        float[][] sp = new float[n][];
        float[][] ep = new float[n][];
        boolean[][][] gold = new boolean[n][][];
        double totalWeight = 0;
        for (int i = 0; i < n; i++) {
            Sentence s = support.get(i);
            gold[i] = new boolean[s.words()][maxW];
            for (int[] span : s.spans()) {
                int w = span[1] - span[0] - 1;
                if (w >= 0 && w < maxW) {
                    gold[i][span[0]][w] = true;
                }
            }
            for (int b = 0; b < s.words(); b++) {
                for (int w = 0; w < maxW && b + w < s.words(); w++) {
                    totalWeight += gold[i][b][w] ? o.positiveWeight() : 1;
                }
            }
        }
        float[] hid = new float[d];
        float[] dh = new float[d];
        double b1 = 0.9;
        double b2 = 0.999;
        for (int step = 1; step <= o.steps(); step++) {
            float[] v = theta[0];
            float c0 = theta[1][0];
            float[] bias = theta[2];
            float[] ew = theta[3];
            for (float[] a : g) {
                java.util.Arrays.fill(a, 0);
            }
            for (int i = 0; i < n; i++) {
                Sentence s = support.get(i);
                int t = s.words();
                if (sp[i] == null || o.scope() == Scope.ALL) {
                    // boundary context (if any) is added here and not adapted
                    sp[i] = heads.startTerms(s.x(), t, theta[4]);
                    ep[i] = heads.endTerms(s.x(), t, theta[5]);
                }
                float[] dsp = o.scope() == Scope.ALL ? new float[t * d] : null;
                float[] dep = o.scope() == Scope.ALL ? new float[t * d] : null;
                for (int b = 0; b < t; b++) {
                    for (int w = 0; w < maxW && b + w < t; w++) {
                        int e = b + w;
                        double sc = c0;
                        for (int j = 0; j < d; j++) {
                            float pre =
                                    sp[i][b * d + j] + ep[i][e * d + j] + ew[w * d + j] + bias[j];
                            hid[j] = pre > 0 ? pre : 0;
                            sc += hid[j] * v[j];
                        }
                        boolean y = gold[i][b][w];
                        double c = (y ? o.positiveWeight() : 1) / totalWeight;
                        float gs = (float) (c * (1 / (1 + Math.exp(-sc)) - (y ? 1 : 0)));
                        g[1][0] += gs;
                        for (int j = 0; j < d; j++) {
                            g[0][j] += gs * hid[j];
                            dh[j] = hid[j] > 0 ? gs * v[j] : 0;
                            g[2][j] += dh[j];
                            g[3][w * d + j] += dh[j];
                        }
                        if (dsp != null) {
                            for (int j = 0; j < d; j++) {
                                dsp[b * d + j] += dh[j];
                                dep[e * d + j] += dh[j];
                            }
                        }
                    }
                }
                if (dsp != null) {
                    addTransposedProduct(s.x(), t, h, dsp, d, g[4]);
                    addTransposedProduct(s.x(), t, h, dep, d, g[5]);
                }
            }
            double corr1 = 1 - Math.pow(b1, step);
            double corr2 = 1 - Math.pow(b2, step);
            for (int p = 0; p < nParams; p++) {
                float[] th = theta[p];
                for (int k = 0; k < th.length; k++) {
                    double gk = g[p][k] + 2 * o.l2() * (th[k] - init[p][k]);
                    m1[p][k] = (float) (b1 * m1[p][k] + (1 - b1) * gk);
                    m2[p][k] = (float) (b2 * m2[p][k] + (1 - b2) * gk * gk);
                    th[k] -=
                            (float)
                                    (o.lr()
                                            * (m1[p][k] / corr1)
                                            / (Math.sqrt(m2[p][k] / corr2) + 1e-8));
                }
            }
        }
        return heads.withDetection(
                new SpanHeads.Detection(
                        h, d, theta[4], theta[5], theta[3], theta[2], theta[0], theta[1][0]));
    }

    /** {@code acc += x^T dy}: x {@code [t, h]}, dy {@code [t, d]}, acc {@code [h, d]}. */
    static void addTransposedProduct(float[] x, int t, int h, float[] dy, int d, float[] acc) {
        for (int r = 0; r < t; r++) {
            for (int i = 0; i < h; i++) {
                float xv = x[r * h + i];
                if (xv == 0) {
                    continue;
                }
                int ai = i * d;
                int di = r * d;
                for (int j = 0; j < d; j++) {
                    acc[ai + j] += xv * dy[di + j];
                }
            }
        }
    }
}
