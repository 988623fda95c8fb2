package org.fewner.training.generative;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.generation.PromptTemplate;
import org.fewner.llm.generation.SpanGenerator;
import org.fewner.llm.generation.TokenEncoder;

/**
 * The generative method's losses on a batch of instruction examples (teacher forcing).
 *
 * <ul>
 *   <li>Answer loss: {@code L_ans = −(1/N) Σ log p(y_t | x, y_<t)} over the N answer tokens of the
 *       batch (the prompt's tokens and the padding are not targets).
 *   <li>InfoNCE (supervised, CLLMFS): each entity of the batch is represented by its answer tokens'
 *       hidden states at layer L, pooled ({@code mean}, or {@code boundary} = [first; last]) and
 *       L2-normalised to z; for an anchor i with positives P(i) (entities of the same type) {@code
 *       L_nce = −(1/|A|) Σ_i (1/|P(i)|) Σ_{p∈P(i)} log(exp(z_i·z_p/τ) / Σ_{a≠i} exp(z_i·z_a/τ))}.
 * </ul>
 *
 * Batches are right-padded with an attention mask: a causal model never reads the padding of a
 * right-padded row, and the padding positions are no targets.
 */
public final class GenerativeLosses {
    private GenerativeLosses() {}

    /**
     * One tokenised example.
     *
     * @param prompt prompt ids (special tokens as generation uses them)
     * @param answer answer ids, end token included, exactly as the constraint automaton accepts
     * @param spans per entity its [first, end) token range within {@code answer}
     * @param type index of the example's entity type
     */
    public record Encoded(long[] prompt, long[] answer, List<int[]> spans, int type) {}

    /** Tokenises an example as {@link SpanGenerator} prompts and constrains it. */
    public static Encoded encode(
            DecoderModel model, PromptTemplate t, InstructionExample e, int typeIndex) {
        long[] stops = model.stopTokenIds();
        if (stops.length == 0) {
            throw new IllegalArgumentException(
                    "the model has no end-of-sequence token id (eos_token_id in config.json)");
        }
        long[] prompt = SpanGenerator.promptIds(model.tokenizer(), stops, e.prompt());
        SpanGenerator.AnswerTokens a =
                SpanGenerator.answerIds(
                        TokenEncoder.of(model.tokenizer()), t, stops[0], e.entities());
        return new Encoded(prompt, a.ids(), a.spans(), typeIndex);
    }

    /** A right-padded batch. */
    public static final class Batch {
        public final long[][] ids;
        public final long[][] mask;

        /** Flat row (b·T + position) of each answer-token prediction, and its target id. */
        public final long[] targetRows;

        public final long[] targets;

        /** Per entity: flat rows of its answer tokens (as inputs), and its type. */
        public final List<long[]> spanRows = new ArrayList<>();

        public final List<Integer> spanTypes = new ArrayList<>();

        /** Answer tokens of the batch. */
        public final int answerTokens;

        public Batch(List<Encoded> ex) {
            int b = ex.size();
            int t = 0;
            for (Encoded e : ex) {
                t = Math.max(t, e.prompt.length + e.answer.length);
            }
            ids = new long[b][t];
            mask = new long[b][t];
            List<Long> rows = new ArrayList<>();
            List<Long> tg = new ArrayList<>();
            for (int i = 0; i < b; i++) {
                Encoded e = ex.get(i);
                int p = e.prompt.length;
                System.arraycopy(e.prompt, 0, ids[i], 0, p);
                System.arraycopy(e.answer, 0, ids[i], p, e.answer.length);
                for (int j = 0; j < p + e.answer.length; j++) {
                    mask[i][j] = 1;
                }
                // position p-1+k predicts answer token k
                for (int k = 0; k < e.answer.length; k++) {
                    rows.add((long) i * t + p - 1 + k);
                    tg.add(e.answer[k]);
                }
                for (int[] s : e.spans) {
                    long[] r = new long[s[1] - s[0]];
                    for (int k = 0; k < r.length; k++) {
                        r[k] = (long) i * t + p + s[0] + k;
                    }
                    spanRows.add(r);
                    spanTypes.add(e.type);
                }
            }
            targetRows = rows.stream().mapToLong(Long::longValue).toArray();
            targets = tg.stream().mapToLong(Long::longValue).toArray();
            answerTokens = targets.length;
        }

        public int rows() {
            return ids.length;
        }

        public int length() {
            return ids[0].length;
        }
    }

    /** Loss terms (scalars); {@code infonce} null when off or without an anchor. */
    public record Terms(NDArray answer, NDArray infonce, NDArray total) {}

    /**
     * The losses at input embeddings {@code x} [B, T, H].
     *
     * @param layer InfoNCE layer L (HF numbering)
     * @param infonceWeight λ (0: the term is not computed)
     */
    public static Terms compute(
            NDManager m,
            DecoderModel model,
            String adapter,
            Batch b,
            NDArray x,
            int layer,
            double infonceWeight,
            String pooling,
            double tau) {
        int h = model.config().hiddenSize();
        int bt = b.rows() * b.length();
        NDList out = model.forwardEmbeddings(m, x, b.mask, adapter);
        NDArray normed = out.get(out.size() - 1).reshape(bt, h);
        NDArray rows = normed.get(m.create(b.targetRows));
        NDArray logp = model.lmHeadLogits(m, rows, adapter).logSoftmax(1);
        NDArray picked = logp.gather(m.create(b.targets).reshape(b.answerTokens, 1), 1);
        NDArray answer = picked.mean().neg();
        NDArray nce = null;
        if (infonceWeight > 0) {
            nce = infoNce(m, out.get(layer).reshape(bt, h), b, pooling, tau);
        }
        // scalar operands as arrays of m (DJL's x.mul(float) frees its temporary operand before
        // backward needs it)
        NDArray total = nce == null ? answer : answer.add(nce.mul(m.create((float) infonceWeight)));
        return new Terms(answer, nce, total);
    }

    /**
     * Supervised InfoNCE over the batch's entities (see the class comment); null without anchor.
     */
    static NDArray infoNce(NDManager m, NDArray flat, Batch b, String pooling, double tau) {
        int n = b.spanRows.size();
        if (n < 2) {
            return null;
        }
        long cols = flat.getShape().get(0);
        NDArray z;
        if (pooling.equals("boundary")) {
            long[] first = new long[n];
            long[] last = new long[n];
            for (int i = 0; i < n; i++) {
                long[] r = b.spanRows.get(i);
                first[i] = r[0];
                last[i] = r[r.length - 1];
            }
            z = flat.get(m.create(first)).concat(flat.get(m.create(last)), 1);
        } else {
            float[] pool = new float[(int) (n * cols)];
            for (int i = 0; i < n; i++) {
                long[] r = b.spanRows.get(i);
                for (long row : r) {
                    pool[(int) (i * cols + row)] = 1f / r.length;
                }
            }
            z = m.create(pool, new Shape(n, cols)).matMul(flat);
        }
        // +1e-12 inside the root: sqrt's derivative at 0 is infinite (a NaN gradient after max)
        z = z.div(z.square().sum(new int[] {1}, true).add(1e-12f).sqrt());
        float[] pos = new float[n * n];
        float[] self = new float[n * n];
        float[] anchor = new float[n];
        int anchors = 0;
        for (int i = 0; i < n; i++) {
            self[i * n + i] = 1f;
            int np = 0;
            for (int j = 0; j < n; j++) {
                if (j != i && b.spanTypes.get(j).equals(b.spanTypes.get(i))) {
                    np++;
                }
            }
            if (np == 0) {
                continue;
            }
            anchor[i] = 1f;
            anchors++;
            for (int j = 0; j < n; j++) {
                if (j != i && b.spanTypes.get(j).equals(b.spanTypes.get(i))) {
                    pos[i * n + j] = 1f / np;
                }
            }
        }
        if (anchors == 0) {
            return null;
        }
        NDArray sim = z.matMul(z.transpose()).div(m.create((float) tau));
        // |sim| <= 1/τ: subtracting 1e4/τ removes self-pairs without extreme values
        NDArray masked = sim.sub(m.create(self, new Shape(n, n)).mul((float) (1e4 / tau)));
        NDArray lp = masked.logSoftmax(1);
        NDArray perAnchor = lp.mul(m.create(pos, new Shape(n, n))).sum(new int[] {1});
        return perAnchor.mul(m.create(anchor)).sum().neg().div(m.create((float) anchors));
    }
}
