package org.fewner.llm.bert;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.fewner.common.FewNerException;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.BackboneOutput;
import org.fewner.llm.tokenizer.ModelTokenizer;

/**
 * Masked-token prediction with a model's MLM head: the sanity check of {@code fewner model check}.
 * The texts run as one right-padded batch, so the check also exercises padding.
 */
public final class MaskFill {
    /** The sentences of {@code fewner model check}. */
    public static final List<String> CHECK_TEXTS =
            List.of(
                    "Paris is the [MASK] of France.",
                    "The capital of Germany is [MASK].",
                    "I went to the [MASK] to buy some milk.");

    public static final String MASK = "[MASK]";

    private MaskFill() {}

    /** One candidate token for the mask. */
    public record Candidate(String token, long id, float logit) {}

    /** The top candidates for the (first) {@code [MASK]} of one text. */
    public record Prediction(String text, List<Candidate> top) {}

    /**
     * @param model a backbone with a masked-LM head (logits)
     * @param texts each containing {@value #MASK}
     * @param k candidates per text
     */
    public static List<Prediction> predict(Backbone model, List<String> texts, int k) {
        ModelTokenizer tok = model.tokenizer();
        int n = texts.size();
        long[][] ids = new long[n][];
        int[] maskAt = new int[n];
        int t = 0;
        for (int i = 0; i < n; i++) {
            ModelTokenizer.Tokens e = tok.encode(texts.get(i), true);
            ids[i] = e.ids();
            maskAt[i] = Arrays.asList(e.tokens()).indexOf(MASK);
            if (maskAt[i] < 0) {
                throw new FewNerException(
                        "text " + (i + 1) + " has no " + MASK + " token: " + texts.get(i));
            }
            t = Math.max(t, e.size());
        }
        long[][] padded = new long[n][t];
        long[][] mask = new long[n][t];
        for (int i = 0; i < n; i++) {
            System.arraycopy(ids[i], 0, padded[i], 0, ids[i].length);
            Arrays.fill(mask[i], 0, ids[i].length, 1);
        }
        List<Prediction> out = new ArrayList<>();
        try (NDManager call = model.manager().newSubManager()) {
            BackboneOutput o = model.forward(call, padded, mask, null);
            if (o.logits() == null) {
                throw new FewNerException(
                        "the model has no masked-LM head (a BertModel checkpoint without "
                                + "cls.predictions.*); model check needs a BertForMaskedLM checkpoint");
            }
            for (int i = 0; i < n; i++) {
                float[] row =
                        org.fewner.llm.model.FiniteOutputs.require(
                                "logits", o.logits().get(i, maskAt[i]).toFloatArray());
                List<Candidate> top = new ArrayList<>();
                for (int id : topK(row, k)) {
                    top.add(new Candidate(tok.decode(new long[] {id}, false).trim(), id, row[id]));
                }
                out.add(new Prediction(texts.get(i), top));
            }
        }
        return out;
    }

    /** Indices of the {@code k} largest values, largest first (ties: lower index first). */
    static int[] topK(float[] values, int k) {
        Integer[] idx = new Integer[values.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(
                idx,
                Comparator.comparingDouble((Integer i) -> -values[i]).thenComparingInt(i -> i));
        int m = Math.min(k, values.length);
        int[] out = new int[m];
        for (int i = 0; i < m; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
