package org.fewner.llm.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.decoder.KvCache;
import org.fewner.llm.model.FiniteOutputs;

/**
 * A {@link StepModel} over a {@link DecoderModel} with a {@link KvCache}: each step runs only the
 * new tokens.
 */
public final class DecoderStepModel implements StepModel {
    private final DecoderModel model;
    private final String adapter;
    private final NDManager manager;
    private final KvCache cache;
    private final boolean sharePrefix;
    private int sharedPrefixTokens;

    /**
     * @param adapter LoRA adapter name, or null for the base model
     */
    public DecoderStepModel(DecoderModel model, String adapter) {
        this(model, adapter, true);
    }

    /**
     * @param adapter LoRA adapter name, or null for the base model
     * @param sharePrefix whether a batched prefill runs the prompts' common prefix once (then
     *     copies its keys and values to every row)
     */
    public DecoderStepModel(DecoderModel model, String adapter, boolean sharePrefix) {
        this.model = model;
        this.adapter = adapter;
        this.sharePrefix = sharePrefix;
        this.manager = model.manager().newSubManager();
        this.cache = new KvCache(manager, model.config().numHiddenLayers());
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    @Override
    public float[] prefill(long[] prompt) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
        try (NDManager mm = manager.newSubManager()) {
            long[] mask = new long[prompt.length];
            java.util.Arrays.fill(mask, 1);
            NDArray logits =
                    model.forward(
                                    mm,
                                    new long[][] {prompt},
                                    new long[][] {mask},
                                    cache,
                                    adapter,
                                    false,
                                    true)
                            .logits();
            return FiniteOutputs.require("logits", logits.toFloatArray());
        }
    }

    /**
     * Left-pads the prompts into one batch [P, T] and runs it (padding is masked and gets no
     * position, so each row computes what it would alone). With prefix sharing, the longest prefix
     * common to all prompts (at least 2 tokens, leaving each prompt one token of its own) runs once
     * at B = 1, its cache rows are copied to the P rows, and only the suffixes run, left-padded
     * after the prefix.
     */
    @Override
    public float[][] prefill(long[][] prompts) {
        int p = prompts.length;
        int shortest = Integer.MAX_VALUE;
        for (long[] x : prompts) {
            if (x.length == 0) {
                throw new IllegalArgumentException("empty prompt");
            }
            shortest = Math.min(shortest, x.length);
        }
        int prefix = 0;
        if (sharePrefix && p > 1) {
            while (prefix < shortest - 1) {
                long t = prompts[0][prefix];
                boolean same = true;
                for (long[] x : prompts) {
                    same &= x[prefix] == t;
                }
                if (!same) {
                    break;
                }
                prefix++;
            }
            if (prefix < 2) {
                prefix = 0;
            }
        }
        sharedPrefixTokens = prefix;
        try (NDManager mm = manager.newSubManager()) {
            if (prefix > 0) {
                long[] ids = java.util.Arrays.copyOf(prompts[0], prefix);
                long[] mask = new long[prefix];
                java.util.Arrays.fill(mask, 1);
                model.forward(
                        mm, new long[][] {ids}, new long[][] {mask}, cache, adapter, false, true);
                cache.selectRows(new int[p]);
            }
            int t = 0;
            for (long[] x : prompts) {
                t = Math.max(t, x.length - prefix);
            }
            long[][] ids = new long[p][t];
            long[][] mask = new long[p][t];
            for (int i = 0; i < p; i++) {
                int n = prompts[i].length - prefix;
                System.arraycopy(prompts[i], prefix, ids[i], t - n, n);
                for (int j = t - n; j < t; j++) {
                    mask[i][j] = 1;
                }
            }
            NDArray logits = model.forward(mm, ids, mask, cache, adapter, false, true).logits();
            float[] flat = FiniteOutputs.require("logits", logits.toFloatArray());
            int v = vocabSize();
            float[][] out = new float[p][v];
            for (int i = 0; i < p; i++) {
                System.arraycopy(flat, i * v, out[i], 0, v);
            }
            return out;
        }
    }

    /** Prompt tokens the last batched prefill ran once for all rows (0: no shared prefix). */
    public int sharedPrefixTokens() {
        return sharedPrefixTokens;
    }

    @Override
    public float[][] step(int[] parents, long[] tokens) {
        boolean identity = parents.length == cache.rows();
        for (int i = 0; identity && i < parents.length; i++) {
            identity = parents[i] == i;
        }
        if (!identity) {
            cache.selectRows(parents);
        }
        long[][] ids = new long[tokens.length][1];
        long[][] mask = new long[tokens.length][1];
        for (int i = 0; i < tokens.length; i++) {
            ids[i][0] = tokens[i];
            mask[i][0] = 1;
        }
        try (NDManager mm = manager.newSubManager()) {
            NDArray logits = model.forward(mm, ids, mask, cache, adapter, false, true).logits();
            float[] flat = FiniteOutputs.require("logits", logits.toFloatArray());
            int v = vocabSize();
            float[][] out = new float[tokens.length][v];
            for (int i = 0; i < tokens.length; i++) {
                System.arraycopy(flat, i * v, out[i], 0, v);
            }
            return out;
        }
    }

    @Override
    public void close() {
        cache.close();
        manager.close();
    }
}
