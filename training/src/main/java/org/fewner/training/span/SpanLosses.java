package org.fewner.training.span;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fewner.ner.span.SpanHeads;

/**
 * The span method's forward pass and losses in DJL (autograd), on a {@link SpanBatch}. Same
 * arithmetic as {@link SpanHeads}' plain-Java inference.
 */
public final class SpanLosses {
    private SpanLosses() {}

    /** Loss terms (each already a scalar NDArray; null when switched off or empty). */
    public static final class Terms {
        NDArray detect;
        NDArray episode;
        NDArray infonce;
        NDArray boundary;

        public NDArray total(SpanTrainingConfig c) {
            NDArray t = detect.mul((float) c.detectWeight());
            if (episode != null && c.episodeWeight() > 0) {
                t = t.add(episode.mul((float) c.episodeWeight()));
            }
            if (infonce != null && c.infonceWeight() > 0) {
                t = t.add(infonce.mul((float) c.infonceWeight()));
            }
            if (boundary != null && c.boundaryWeight() > 0) {
                t = t.add(boundary.mul((float) c.boundaryWeight()));
            }
            return t;
        }

        public Map<String, Double> values() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("detect", detect.getFloat() * 1.0);
            m.put("episode", episode == null ? null : episode.getFloat() * 1.0);
            m.put("infonce", infonce == null ? null : infonce.getFloat() * 1.0);
            m.put("boundary", boundary == null ? null : boundary.getFloat() * 1.0);
            return m;
        }
    }

    static NDArray idx(NDManager m, int[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            l[i] = v[i];
        }
        return m.create(l);
    }

    /** Rows of {@code x} [N, H] at {@code rows}: [R, H]. */
    static NDArray rows(NDArray x, NDArray rows) {
        return x.get(rows);
    }

    /** log(1 + exp(x)), stable. */
    static NDArray softplus(NDArray x) {
        return x.maximum(0f).add(x.abs().neg().exp().add(1f).log());
    }

    static NDArray l2normalise(NDArray z) {
        NDArray n = z.square().sum(new int[] {1}, true).sqrt().maximum(1e-12f);
        return z.div(n);
    }

    /**
     * Forward and losses.
     *
     * @param p parameters by {@link SpanHeads} tensor name
     * @param xd detection-layer word vectors [N, H]
     * @param xl typing-layer word vectors [N, H]
     */
    public static Terms compute(
            NDManager m,
            Map<String, NDArray> p,
            NDArray xd,
            NDArray xl,
            SpanBatch b,
            SpanTrainingConfig c) {
        Terms t = new Terms();
        // ---- detection: s(b, e) = v · relu(x_b W_s + x_e W_e + E_w[w] + c) + c0
        int nc = b.candidates.size();
        int[] cb = new int[nc];
        int[] ce = new int[nc];
        int[] cw = new int[nc];
        int[] ctxL = new int[nc];
        int[] ctxR = new int[nc];
        int rowsN = (int) xd.getShape().get(0);
        float[] y = new float[nc];
        for (int i = 0; i < nc; i++) {
            int[] cand = b.candidates.get(i);
            cb[i] = cand[0];
            ce[i] = cand[1];
            cw[i] = cand[2];
            // outside the sentence: row N of the context products, the learnt edge vector
            ctxL[i] = cand[3] < 0 ? rowsN : cand[3];
            ctxR[i] = cand[4] < 0 ? rowsN : cand[4];
            y[i] = b.candidateLabels.get(i);
        }
        NDArray sp = xd.matMul(p.get(SpanHeads.DETECT_START));
        NDArray ep = xd.matMul(p.get(SpanHeads.DETECT_END));
        NDArray pre =
                rows(sp, idx(m, cb))
                        .add(rows(ep, idx(m, ce)))
                        .add(rows(p.get(SpanHeads.DETECT_WIDTH), idx(m, cw)))
                        .add(p.get(SpanHeads.DETECT_BIAS));
        if (p.containsKey(SpanHeads.DETECT_LEFT)) {
            // boundary context: x_{b-1} W_l + x_{e+1} W_r, [edge_l; edge_r] outside the sentence
            NDArray edges = p.get(SpanHeads.DETECT_EDGES);
            NDArray lp =
                    NDArrays.concat(
                            new NDList(xd.matMul(p.get(SpanHeads.DETECT_LEFT)), edges.get("0:1")));
            NDArray rp =
                    NDArrays.concat(
                            new NDList(xd.matMul(p.get(SpanHeads.DETECT_RIGHT)), edges.get("1:2")));
            pre = pre.add(rows(lp, idx(m, ctxL))).add(rows(rp, idx(m, ctxR)));
        }
        NDArray h = pre.maximum(0f);
        NDArray score =
                h.matMul(p.get(SpanHeads.DETECT_OUT).reshape(-1, 1))
                        .reshape(-1)
                        .add(p.get(SpanHeads.DETECT_OUT_BIAS));
        NDArray labels = m.create(y);
        // binary cross-entropy with logits: softplus(s) - y s
        t.detect = softplus(score).sub(score.mul(labels)).mean();
        if (!c.trainsTyping() || b.spans.isEmpty()) {
            return t;
        }
        // ---- typing rows: z = normalise([x_b; x_e] P + p)
        int ns = b.spans.size();
        int[] sb = new int[ns];
        int[] se = new int[ns];
        for (int i = 0; i < ns; i++) {
            sb[i] = b.spans.get(i)[0];
            se[i] = b.spans.get(i)[1];
        }
        NDArray zin = NDArrays.concat(new NDList(rows(xl, idx(m, sb)), rows(xl, idx(m, se))), 1);
        NDArray proj = p.get(SpanHeads.TYPE_PROJ);
        long hl = xl.getShape().get(1);
        if (proj.getShape().get(0) == 3 * hl) {
            // [h_b; h_e; mean(h_b..h_e)]: the mean as a dense averaging matrix [ns, N] times xl
            int nw = (int) xl.getShape().get(0);
            float[] avgW = new float[ns * nw];
            for (int i = 0; i < ns; i++) {
                float w = 1f / (se[i] - sb[i] + 1);
                for (int j = sb[i]; j <= se[i]; j++) {
                    avgW[i * nw + j] = w;
                }
            }
            zin = NDArrays.concat(new NDList(zin, m.create(avgW, new Shape(ns, nw)).matMul(xl)), 1);
        }
        NDArray z = l2normalise(zin.matMul(proj).add(p.get(SpanHeads.TYPE_PROJ_BIAS)));
        int n = b.ways;
        // prototypes: mean of the support rows per class, normalised
        float[] avg = new float[n * ns];
        int[] perClass = new int[n];
        for (int i = 0; i < ns; i++) {
            int[] s = b.spans.get(i);
            if (s[3] == SpanBatch.SUPPORT) {
                perClass[s[2]]++;
            }
        }
        boolean allClasses = true;
        for (int k = 0; k < n; k++) {
            allClasses &= perClass[k] > 0;
        }
        if (!allClasses) {
            return t;
        }
        for (int i = 0; i < ns; i++) {
            int[] s = b.spans.get(i);
            if (s[3] == SpanBatch.SUPPORT) {
                avg[s[2] * ns + i] = 1f / perClass[s[2]];
            }
        }
        NDArray protos = l2normalise(m.create(avg, new Shape(n, ns)).matMul(z));
        NDArray scale = p.get(SpanHeads.TYPE_SCALE);
        // ---- episode loss over the query rows: logits = scale · [cos(z, proto_c) ..., none]
        int nq = 0;
        for (int[] s : b.spans) {
            if (s[3] == SpanBatch.QUERY) {
                nq++;
            }
        }
        int[] qRows = new int[nq];
        float[] onehot = new float[nq * (n + 1)];
        int q = 0;
        for (int i = 0; i < ns; i++) {
            int[] s = b.spans.get(i);
            if (s[3] == SpanBatch.QUERY) {
                qRows[q] = i;
                onehot[q * (n + 1) + (s[2] >= 0 ? s[2] : n)] = 1f;
                q++;
            }
        }
        if (nq > 0 && c.episodeWeight() > 0) {
            NDArray zq = rows(z, idx(m, qRows));
            NDArray cos = zq.matMul(protos.transpose());
            NDArray noneCol = m.ones(new Shape(nq, 1)).mul(p.get(SpanHeads.TYPE_NONE));
            NDArray logits = NDArrays.concat(new NDList(cos, noneCol), 1).mul(scale);
            NDArray logp = logits.logSoftmax(1);
            t.episode =
                    logp.mul(m.create(onehot, new Shape(nq, n + 1))).sum().neg().div((float) nq);
        }
        // ---- InfoNCE (supervised, CLLMFS-style): anchors = entity rows of the episode's classes,
        // positives = same class, negatives = other classes and the "none" rows
        if (c.infonceWeight() > 0) {
            int[] keep = new int[ns];
            int nk = 0;
            for (int i = 0; i < ns; i++) {
                if (b.spans.get(i)[3] != SpanBatch.SHIFTED) {
                    keep[nk++] = i;
                }
            }
            int[] kr = java.util.Arrays.copyOf(keep, nk);
            float[] pos = new float[nk * nk];
            float[] self = new float[nk * nk];
            float[] anchor = new float[nk];
            int anchors = 0;
            for (int i = 0; i < nk; i++) {
                self[i * nk + i] = 1f;
                int ci = b.spans.get(kr[i])[2];
                if (ci < 0) {
                    continue;
                }
                int np = 0;
                for (int j = 0; j < nk; j++) {
                    if (j != i && b.spans.get(kr[j])[2] == ci) {
                        np++;
                    }
                }
                if (np == 0) {
                    continue;
                }
                anchor[i] = 1f;
                anchors++;
                for (int j = 0; j < nk; j++) {
                    if (j != i && b.spans.get(kr[j])[2] == ci) {
                        pos[i * nk + j] = 1f / np;
                    }
                }
            }
            if (anchors > 0) {
                NDArray zk = rows(z, idx(m, kr));
                NDArray sim = zk.matMul(zk.transpose()).div((float) c.tau());
                // exclude self from the denominator
                NDArray masked = sim.sub(m.create(self, new Shape(nk, nk)).mul(1e9f));
                NDArray logp = masked.logSoftmax(1);
                NDArray perAnchor = logp.mul(m.create(pos, new Shape(nk, nk))).sum(new int[] {1});
                t.infonce = perAnchor.mul(m.create(anchor)).sum().neg().div((float) anchors);
            }
        }
        // ---- BANER's boundary-aware loss: -log sigma(cos(proto, z_gold) - cos(proto, z_shifted))
        if (c.boundaryWeight() > 0 && !b.boundaryPairs.isEmpty()) {
            int np = b.boundaryPairs.size();
            int[] pr = new int[np];
            int[] nr = new int[np];
            int[] cl = new int[np];
            for (int i = 0; i < np; i++) {
                int[] bp = b.boundaryPairs.get(i);
                pr[i] = bp[0];
                nr[i] = bp[1];
                cl[i] = bp[2];
            }
            NDArray anchorP = rows(protos, idx(m, cl));
            NDArray sPos = rows(z, idx(m, pr)).mul(anchorP).sum(new int[] {1});
            NDArray sNeg = rows(z, idx(m, nr)).mul(anchorP).sum(new int[] {1});
            t.boundary = softplus(sNeg.sub(sPos)).mean();
        }
        return t;
    }
}
