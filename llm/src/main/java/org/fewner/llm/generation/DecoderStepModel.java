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

    /**
     * @param adapter LoRA adapter name, or null for the base model
     */
    public DecoderStepModel(DecoderModel model, String adapter) {
        this.model = model;
        this.adapter = adapter;
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
