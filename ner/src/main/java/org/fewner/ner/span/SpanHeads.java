package org.fewner.ner.span;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.llm.tensors.HostTensor;

/**
 * The span method's heads on a frozen backbone's word vectors, as plain float arrays, with the
 * inference arithmetic in plain Java (small: a few 768×128 products per sentence). The training
 * code computes the same functions with DJL autograd; a test checks they agree.
 *
 * <p><b>Detection</b> (class-agnostic span scoring over {@code [h_b; h_e]} with a width limit, on
 * word vectors {@code x} of layer {@link Config#detectLayer}, {@code [T, H]}): {@code s(b, e) = v ·
 * relu(x_b W_s + x_e W_e + E_w[e - b] + c) + c0} for {@code 0 <= e - b < maxWidth}; heads trained
 * with boundary context add {@code x_{b-1} W_l + x_{e+1} W_r} inside the relu (a learnt vector
 * {@code edge_l} / {@code edge_r} where the span starts / ends the sentence); a span is an entity
 * when {@code sigmoid(s) >= threshold}; overlapping candidates are resolved greedily by score.
 *
 * <p><b>Typing</b> (layer {@link Config#typeLayer}): with a projection, {@code z(b, e) =
 * normalise([x_b; x_e] P + p)} ({@code P} [2H, k]; or {@code normalise([x_b; x_e; mean(x_b..x_e)] P
 * + p)} when {@code P} is [3H, k], typing {@code projection-mean} at training), prototypes are the
 * normalised means of the support spans' {@code z}, the logits are {@code scale · cos(z, proto_c)}
 * and the "no type" logit is {@code scale · none} (a learnt cosine threshold; {@link
 * Config#rejection} can replace it with a fixed margin or switch it off). Without a projection
 * (untrained typing), {@code z} is the mean of the span's word vectors and the nearest prototype by
 * squared Euclidean distance wins, with no rejection.
 */
public final class SpanHeads {
    /** Tensor names in {@code fewner_heads.safetensors}. */
    public static final String DETECT_START = "span.detect.start";

    public static final String DETECT_END = "span.detect.end";
    public static final String DETECT_WIDTH = "span.detect.width";
    public static final String DETECT_BIAS = "span.detect.bias";

    /** Boundary context (optional): {@code W_l [H, d]} on the word before the span. */
    public static final String DETECT_LEFT = "span.detect.left";

    /** Boundary context (optional): {@code W_r [H, d]} on the word after the span. */
    public static final String DETECT_RIGHT = "span.detect.right";

    /** Boundary context (optional): {@code [edge_l; edge_r] [2, d]} beyond the sentence's edges. */
    public static final String DETECT_EDGES = "span.detect.edges";

    public static final String DETECT_OUT = "span.detect.out";
    public static final String DETECT_OUT_BIAS = "span.detect.out_bias";
    public static final String TYPE_PROJ = "span.type.proj";
    public static final String TYPE_PROJ_BIAS = "span.type.proj_bias";
    public static final String TYPE_SCALE = "span.type.scale";
    public static final String TYPE_NONE = "span.type.none";

    /**
     * Settings stored with the heads ({@code fewner_span} in {@code adapter_config.json}).
     *
     * @param detectLayer layer of the detection head's input
     * @param typeLayer layer of the typing representation
     * @param maxWidth longest span in words
     * @param threshold detection probability at or above which a span is an entity
     * @param rejection {@code learnt}, {@code margin} or {@code off}
     * @param margin the cosine threshold when {@code rejection} is {@code margin}
     */
    public record Config(
            int detectLayer,
            int typeLayer,
            int maxWidth,
            double threshold,
            String rejection,
            double margin) {}

    /**
     * The detection head's weights.
     *
     * @param hidden H, the word vectors' size
     * @param width d, the hidden layer's size
     * @param start {@code W_s [H, d]}
     * @param end {@code W_e [H, d]}
     * @param widths {@code E_w [maxWidth, d]}
     * @param bias {@code c [d]}
     * @param out {@code v [d]}
     * @param outBias {@code c0}
     */
    public record Detection(
            int hidden,
            int width,
            float[] start,
            float[] end,
            float[] widths,
            float[] bias,
            float[] out,
            float outBias) {}

    private final Config config;
    private final int hd;
    private final int d;
    private final float[] ws;
    private final float[] we;
    private final float[] ew;
    private final float[] bias;
    private final float[] out;
    private final float outBias;

    /** Boundary context weights, or null (heads trained without it). */
    private final float[] wl;

    private final float[] wr;
    private final float[] edges;

    private final int hl;

    /** Word vectors the projection reads: 2 ([x_b; x_e]) or 3 ([x_b; x_e; mean]). */
    private final int inputs;

    private final int k;
    private final float[] proj;
    private final float[] projBias;
    private final float scale;
    private final float none;

    /**
     * @param tensors the head tensors by name (the typing ones may be absent: untrained typing)
     */
    public SpanHeads(Config config, Map<String, HostTensor> tensors) {
        this.config = config;
        HostTensor s = require(tensors, DETECT_START);
        hd = (int) s.shape()[0];
        d = (int) s.shape()[1];
        ws = s.toFloats();
        we = require(tensors, DETECT_END).toFloats();
        ew = require(tensors, DETECT_WIDTH).toFloats();
        bias = require(tensors, DETECT_BIAS).toFloats();
        out = require(tensors, DETECT_OUT).toFloats();
        outBias = require(tensors, DETECT_OUT_BIAS).toFloats()[0];
        HostTensor left = tensors.get(DETECT_LEFT);
        if (left != null) {
            wl = left.toFloats();
            wr = require(tensors, DETECT_RIGHT).toFloats();
            edges = require(tensors, DETECT_EDGES).toFloats();
            if (wl.length != hd * d || wr.length != hd * d || edges.length != 2 * d) {
                throw new IllegalArgumentException(
                        "span heads: boundary context tensors must be ["
                                + hd
                                + ", "
                                + d
                                + "] and [2, "
                                + d
                                + "]");
            }
        } else {
            wl = null;
            wr = null;
            edges = null;
        }
        if (ew.length != config.maxWidth() * d) {
            throw new IllegalArgumentException(
                    DETECT_WIDTH + ": expected [" + config.maxWidth() + ", " + d + "]");
        }
        HostTensor p = tensors.get(TYPE_PROJ);
        if (p != null) {
            // [2H, k] reads [h_b; h_e]; [3H, k] reads [h_b; h_e; mean(h_b..h_e)] (H = hidden size)
            inputs = p.shape()[0] == 3 * hd ? 3 : 2;
            hl = (int) p.shape()[0] / inputs;
            k = (int) p.shape()[1];
            proj = p.toFloats();
            projBias = require(tensors, TYPE_PROJ_BIAS).toFloats();
            scale = require(tensors, TYPE_SCALE).toFloats()[0];
            none = require(tensors, TYPE_NONE).toFloats()[0];
        } else {
            inputs = 2;
            hl = 0;
            k = 0;
            proj = null;
            projBias = null;
            scale = 1;
            none = 0;
        }
    }

    private SpanHeads(SpanHeads typing, Config config, Detection det) {
        this.config = config;
        hd = det.hidden();
        d = det.width();
        ws = det.start();
        we = det.end();
        ew = det.widths();
        bias = det.bias();
        out = det.out();
        outBias = det.outBias();
        wl = typing.wl;
        wr = typing.wr;
        edges = typing.edges;
        inputs = typing.inputs;
        hl = typing.hl;
        k = typing.k;
        proj = typing.proj;
        projBias = typing.projBias;
        scale = typing.scale;
        none = typing.none;
    }

    /** The detection weights (the arrays themselves: do not change them). */
    public Detection detection() {
        return new Detection(hd, d, ws, we, ew, bias, out, outBias);
    }

    /** These heads with other detection weights (same shapes). */
    public SpanHeads withDetection(Detection det) {
        if (det.hidden() != hd || det.width() != d || det.widths().length != ew.length) {
            throw new IllegalArgumentException("detection weights of another shape");
        }
        return new SpanHeads(this, config, det);
    }

    /** These heads with other settings. */
    public SpanHeads withConfig(Config c) {
        if (c.maxWidth() != config.maxWidth()) {
            throw new IllegalArgumentException("the width limit is fixed by the trained heads");
        }
        return new SpanHeads(this, c, detection());
    }

    private static HostTensor require(Map<String, HostTensor> t, String name) {
        HostTensor h = t.get(name);
        if (h == null) {
            throw new IllegalArgumentException("span heads: tensor " + name + " is missing");
        }
        return h;
    }

    public Config config() {
        return config;
    }

    public boolean hasProjection() {
        return proj != null;
    }

    /** A scored candidate span, words {@code [start, end)}. */
    public record Candidate(int start, int end, double probability) {}

    /**
     * Every candidate span's detection probability.
     *
     * @param x detection-layer word vectors {@code [T, H]} row-major
     * @param t the word count
     */
    public List<Candidate> scoreSpans(float[] x, int t) {
        float[] sp = startTerms(x, t, ws);
        float[] ep = endTerms(x, t, we);
        List<Candidate> outList = new ArrayList<>();
        float[] h = new float[d];
        for (int b = 0; b < t; b++) {
            for (int w = 0; w < config.maxWidth() && b + w < t; w++) {
                int e = b + w;
                double sc = outBias;
                for (int j = 0; j < d; j++) {
                    float v = sp[b * d + j] + ep[e * d + j] + ew[w * d + j] + bias[j];
                    h[j] = v > 0 ? v : 0;
                    sc += h[j] * out[j];
                }
                outList.add(new Candidate(b, e + 1, 1 / (1 + Math.exp(-sc))));
            }
        }
        return outList;
    }

    /**
     * The start word's part of every span's hidden pre-activation, {@code [T, d]}: {@code x_b
     * startWeights}, plus {@code x_{b-1} W_l} (or {@code edge_l} at b = 0) with boundary context.
     *
     * @param startWeights {@code W_s [H, d]} (the heads' own, or adapted ones)
     */
    public float[] startTerms(float[] x, int t, float[] startWeights) {
        float[] sp = matmul(x, t, hd, startWeights, d);
        if (wl != null) {
            float[] lp = matmul(x, t, hd, wl, d);
            for (int b = 0; b < t; b++) {
                for (int j = 0; j < d; j++) {
                    sp[b * d + j] += b > 0 ? lp[(b - 1) * d + j] : edges[j];
                }
            }
        }
        return sp;
    }

    /**
     * The end word's part, {@code [T, d]}: {@code x_e endWeights}, plus {@code x_{e+1} W_r} (or
     * {@code edge_r} at e = T - 1) with boundary context.
     */
    public float[] endTerms(float[] x, int t, float[] endWeights) {
        float[] ep = matmul(x, t, hd, endWeights, d);
        if (wr != null) {
            float[] rp = matmul(x, t, hd, wr, d);
            for (int e = 0; e < t; e++) {
                for (int j = 0; j < d; j++) {
                    ep[e * d + j] += e + 1 < t ? rp[(e + 1) * d + j] : edges[d + j];
                }
            }
        }
        return ep;
    }

    /**
     * The detected spans: candidates at or above the threshold, greedily by probability without
     * overlap, in word order.
     */
    public List<Candidate> detect(float[] x, int t) {
        return selectNonOverlapping(scoreSpans(x, t), config.threshold());
    }

    /**
     * Greedy selection: candidates with probability {@code >= threshold}, highest first (ties: the
     * earlier, then the shorter span), each kept unless it overlaps one already kept; returned in
     * word order.
     */
    public static List<Candidate> selectNonOverlapping(List<Candidate> all, double threshold) {
        List<Candidate> c = new ArrayList<>();
        for (Candidate x : all) {
            if (x.probability() >= threshold) {
                c.add(x);
            }
        }
        c.sort(
                Comparator.comparingDouble(Candidate::probability)
                        .reversed()
                        .thenComparingInt(Candidate::start)
                        .thenComparingInt(Candidate::end));
        List<Candidate> kept = new ArrayList<>();
        for (Candidate x : c) {
            boolean free = true;
            for (Candidate y : kept) {
                if (x.start() < y.end() && y.start() < x.end()) {
                    free = false;
                    break;
                }
            }
            if (free) {
                kept.add(x);
            }
        }
        kept.sort(Comparator.comparingInt(Candidate::start));
        return kept;
    }

    /**
     * The typing representation of words {@code [start, end)}.
     *
     * @param x typing-layer word vectors {@code [T, H]}
     */
    public float[] represent(float[] x, int h, int start, int end) {
        if (proj == null) {
            return meanVector(x, h, start, end);
        }
        if (h != hl) {
            throw new IllegalArgumentException(
                    "typing projection expects hidden size " + hl + ", got " + h);
        }
        float[] z = projBias.clone();
        int last = end - 1;
        for (int i = 0; i < hl; i++) {
            float a = x[start * h + i];
            float c = x[last * h + i];
            int ra = i * k;
            int rc = (hl + i) * k;
            for (int j = 0; j < k; j++) {
                z[j] += a * proj[ra + j] + c * proj[rc + j];
            }
        }
        if (inputs == 3) {
            float[] mean = meanVector(x, h, start, end);
            for (int i = 0; i < hl; i++) {
                float a = mean[i];
                int rm = (2 * hl + i) * k;
                for (int j = 0; j < k; j++) {
                    z[j] += a * proj[rm + j];
                }
            }
        }
        return normalise(z);
    }

    /** The cosine logit scale learnt with the projection (1 without one). */
    public float scale() {
        return scale;
    }

    /** The mean of the word vectors {@code [start, end)} of {@code x} {@code [T, h]}. */
    public static float[] meanVector(float[] x, int h, int start, int end) {
        float[] z = new float[h];
        for (int i = start; i < end; i++) {
            for (int j = 0; j < h; j++) {
                z[j] += x[i * h + j];
            }
        }
        for (int j = 0; j < h; j++) {
            z[j] /= (end - start);
        }
        return z;
    }

    /** {@code z / ‖z‖} (a new array). */
    public static float[] normalise(float[] z) {
        double n = 0;
        for (float v : z) {
            n += v * v;
        }
        float inv = (float) (1 / Math.max(Math.sqrt(n), 1e-12));
        float[] o = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            o[i] = z[i] * inv;
        }
        return o;
    }

    /** Prototypes from support representations: the (normalised, with a projection) means. */
    public Map<String, float[]> prototypes(Map<String, List<float[]>> byType) {
        Map<String, float[]> p = new LinkedHashMap<>();
        for (Map.Entry<String, List<float[]>> e : byType.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            float[] m = new float[e.getValue().get(0).length];
            for (float[] z : e.getValue()) {
                for (int i = 0; i < m.length; i++) {
                    m[i] += z[i];
                }
            }
            for (int i = 0; i < m.length; i++) {
                m[i] /= e.getValue().size();
            }
            p.put(e.getKey(), proj == null ? m : normalise(m));
        }
        return p;
    }

    /** A typing decision: the type (null = none) and its probability. */
    public record Typed(String type, double probability) {}

    /** Types one representation against the prototypes. */
    public Typed type(float[] z, Map<String, float[]> prototypes) {
        List<String> names = new ArrayList<>(prototypes.keySet());
        int n = names.size();
        boolean reject = proj != null && !config.rejection().equals("off");
        double[] logits = new double[n + (reject ? 1 : 0)];
        for (int c = 0; c < n; c++) {
            float[] p = prototypes.get(names.get(c));
            double s = 0;
            if (proj != null) {
                for (int i = 0; i < z.length; i++) {
                    s += z[i] * p[i];
                }
                s *= scale;
            } else {
                for (int i = 0; i < z.length; i++) {
                    double diff = z[i] - p[i];
                    s -= diff * diff;
                }
            }
            logits[c] = s;
        }
        if (reject) {
            double threshold = config.rejection().equals("margin") ? config.margin() : none;
            logits[n] = scale * threshold;
        }
        int best = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < logits.length; c++) {
            if (logits[c] > max) {
                max = logits[c];
                best = c;
            }
        }
        double sum = 0;
        for (double l : logits) {
            sum += Math.exp(l - max);
        }
        double prob = 1 / sum;
        return new Typed(best < n ? names.get(best) : null, prob);
    }

    /** {@code a [rows, in] × w [in, out]}, row-major. */
    static float[] matmul(float[] a, int rows, int in, float[] w, int outDim) {
        float[] o = new float[rows * outDim];
        for (int r = 0; r < rows; r++) {
            int ro = r * outDim;
            for (int i = 0; i < in; i++) {
                float av = a[r * in + i];
                if (av == 0) {
                    continue;
                }
                int wi = i * outDim;
                for (int j = 0; j < outDim; j++) {
                    o[ro + j] += av * w[wi + j];
                }
            }
        }
        return o;
    }
}
