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
    public record Encoded(
            long[] prompt,
            long[] answer,
            List<int[]> spans,
            int type,
            List<int[]> wordTokens,
            List<int[]> entityWords) {
        public Encoded {
            spans = List.copyOf(spans);
            wordTokens = List.copyOf(wordTokens);
            entityWords = List.copyOf(entityWords);
        }

        /** An example without word positions (no boundary-aware term). */
        public Encoded(long[] prompt, long[] answer, List<int[]> spans, int type) {
            this(prompt, answer, spans, type, List.of(), List.of());
        }
    }

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
        return new Encoded(
                prompt,
                a.ids(),
                a.spans(),
                typeIndex,
                wordTokens(model.tokenizer(), t, e, prompt.length),
                e.spans());
    }

    /**
     * Per word of the sentence, its {@code [first, end)} token range in the prompt (the tokens
     * whose characters overlap the word's), or an empty list when the text cannot be located.
     */
    static List<int[]> wordTokens(
            org.fewner.llm.tokenizer.ModelTokenizer tok,
            PromptTemplate t,
            InstructionExample e,
            int promptLength) {
        int at = t.textOffset(e.prompt(), e.text());
        if (at < 0) {
            return List.of();
        }
        org.fewner.llm.tokenizer.ModelTokenizer.Tokens toks = tok.encode(e.prompt(), true);
        List<int[]> out = new ArrayList<>();
        int pos = at;
        for (String w : e.text().split(" ", -1)) {
            int ws = pos;
            int we = pos + w.length();
            int first = -1;
            int end = -1;
            for (int i = 0; i < Math.min(promptLength, toks.size()); i++) {
                if (toks.charStart()[i] >= 0
                        && toks.charStart()[i] < we
                        && toks.charEnd()[i] > ws) {
                    if (first < 0) {
                        first = i;
                    }
                    end = i + 1;
                }
            }
            if (first < 0) {
                return List.of();
            }
            out.add(new int[] {first, end});
            pos = we + 1;
        }
        return out;
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

        /**
         * Boundary-aware term: per gold entity its words' prompt-token rows, its type, and per
         * boundary-shifted span (start−1, start−2, end+1, end+2 within the sentence) its rows and
         * the index of its gold entity.
         */
        public final List<long[]> goldRows = new ArrayList<>();

        public final List<Integer> goldTypes = new ArrayList<>();
        public final List<long[]> shiftedRows = new ArrayList<>();
        public final List<Integer> shiftedOf = new ArrayList<>();

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
                if (!e.wordTokens.isEmpty()) {
                    int words = e.wordTokens.size();
                    for (int[] w : e.entityWords) {
                        goldRows.add(rowsOf(e.wordTokens, i, t, w[0], w[1]));
                        goldTypes.add(e.type);
                        int[][] shifts = {
                            {w[0] - 1, w[1]}, {w[0] - 2, w[1]}, {w[0], w[1] + 1}, {w[0], w[1] + 2}
                        };
                        for (int[] sh : shifts) {
                            if (sh[0] >= 0 && sh[1] <= words) {
                                shiftedRows.add(rowsOf(e.wordTokens, i, t, sh[0], sh[1]));
                                shiftedOf.add(goldRows.size() - 1);
                            }
                        }
                    }
                }
            }
            targetRows = rows.stream().mapToLong(Long::longValue).toArray();
            targets = tg.stream().mapToLong(Long::longValue).toArray();
            answerTokens = targets.length;
        }

        public int rows() {
            return ids.length;
        }

        /** Flat rows (b·T + token) of the prompt tokens of words {@code [from, to)} of row b. */
        private static long[] rowsOf(List<int[]> wordTokens, int b, int t, int from, int to) {
            int first = wordTokens.get(from)[0];
            int end = wordTokens.get(to - 1)[1];
            long[] r = new long[end - first];
            for (int k = 0; k < r.length; k++) {
                r[k] = (long) b * t + first + k;
            }
            return r;
        }

        public int length() {
            return ids[0].length;
        }
    }

    /**
     * Loss terms (scalars); {@code infonce} and {@code boundary} null when off or without an
     * anchor.
     */
    public record Terms(NDArray answer, NDArray infonce, NDArray boundary, NDArray total) {}

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
            double tau,
            double boundaryWeight) {
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
        NDArray boundary = null;
        if (boundaryWeight > 0) {
            boundary = boundaryLoss(m, out.get(layer).reshape(bt, h), b);
        }
        // scalar operands as arrays of m (DJL's x.mul(float) frees its temporary operand before
        // backward needs it)
        NDArray total = nce == null ? answer : answer.add(nce.mul(m.create((float) infonceWeight)));
        if (boundary != null) {
            total = total.add(boundary.mul(m.create((float) boundaryWeight)));
        }
        return new Terms(answer, nce, boundary, total);
    }

    /** Mean of the rows of {@code flat} [N, H] listed in each entry: [entries, H]. */
    private static NDArray meanPool(NDManager m, NDArray flat, List<long[]> rows) {
        long cols = flat.getShape().get(0);
        float[] pool = new float[(int) (rows.size() * cols)];
        for (int i = 0; i < rows.size(); i++) {
            for (long row : rows.get(i)) {
                pool[(int) (i * cols + row)] = 1f / rows.get(i).length;
            }
        }
        return m.create(pool, new Shape(rows.size(), cols)).matMul(flat);
    }

    /** Rows divided by their L2 norm (+1e-12 inside the root, as in InfoNCE). */
    private static NDArray unit(NDArray z) {
        return z.div(z.square().sum(new int[] {1}, true).add(1e-12f).sqrt());
    }

    /**
     * BANER's boundary-aware loss on a decoder (the span issue's term, training/docs/span.md): each
     * gold entity's representation z⁺ is the mean of its words' prompt-token hidden states at layer
     * L; its anchor p is the mean z⁺ of the batch's other entities of its type (leave one out; an
     * entity without such a partner has no anchor); each boundary-shifted span z⁻ (start−1,
     * start−2, end+1, end+2) adds {@code −log σ(cos(p, z⁺) − cos(p, z⁻))}; the term is the mean
     * over those pairs, or null without any.
     */
    static NDArray boundaryLoss(NDManager m, NDArray flat, Batch b) {
        int n = b.goldRows.size();
        float[] proto = new float[n * n];
        boolean[] anchored = new boolean[n];
        for (int i = 0; i < n; i++) {
            int same = 0;
            for (int j = 0; j < n; j++) {
                same += j != i && b.goldTypes.get(j).equals(b.goldTypes.get(i)) ? 1 : 0;
            }
            for (int j = 0; j < n && same > 0; j++) {
                if (j != i && b.goldTypes.get(j).equals(b.goldTypes.get(i))) {
                    proto[i * n + j] = 1f / same;
                }
            }
            anchored[i] = same > 0;
        }
        List<long[]> negRows = new ArrayList<>();
        List<Long> owner = new ArrayList<>();
        for (int k = 0; k < b.shiftedRows.size(); k++) {
            if (anchored[b.shiftedOf.get(k)]) {
                negRows.add(b.shiftedRows.get(k));
                owner.add((long) b.shiftedOf.get(k));
            }
        }
        if (negRows.isEmpty()) {
            return null;
        }
        NDArray zPos = meanPool(m, flat, b.goldRows);
        NDArray p = unit(m.create(proto, new Shape(n, n)).matMul(zPos));
        NDArray cosPos = p.mul(unit(zPos)).sum(new int[] {1});
        NDArray idx = m.create(owner.stream().mapToLong(Long::longValue).toArray());
        NDArray cosNeg = p.get(idx).mul(unit(meanPool(m, flat, negRows))).sum(new int[] {1});
        // −log σ(Δ) = log(1 + exp(−Δ)); |Δ| ≤ 2, so no overflow
        NDArray delta = cosPos.get(idx).sub(cosNeg);
        return delta.neg().exp().add(m.create(1f)).log().mean();
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
