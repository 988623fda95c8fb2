package org.fewner.llm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * What a forward pass returns.
 *
 * @param hiddenStates L+1 arrays [B, T, H]: index 0 the embedding output (after BERT's embedding
 *     LayerNorm; the raw token embeddings for decoders), index i the output of block i (decoders:
 *     before the final norm)
 * @param logits [B, T, V] from the model's head (BERT MLM head, decoder lm_head), or null when it
 *     has none
 */
public record BackboneOutput(NDList hiddenStates, NDArray logits) {
    /** Output of block {@code layer} (0 = embeddings), [B, T, H]. */
    public NDArray hidden(int layer) {
        return hiddenStates.get(layer);
    }
}
