package org.fewner.llm.bench;

import org.fewner.llm.config.BertConfig;

/**
 * FLOPs of one BERT encoder forward, counting the matrix multiplications only (2 FLOPs per
 * multiply-add): per layer {@code 2·B·T·(4H² + 2·H·I)} for the Q, K, V, attention-output,
 * intermediate and output projections, plus {@code 4·B·T²·H} for the attention products {@code
 * Q·Kᵀ} and {@code P·V}. Embeddings, LayerNorms, softmax, activations and the MLM head are not
 * counted (they are a few percent of the total at these sizes).
 */
public final class EncoderFlops {
    private EncoderFlops() {}

    /** Matmul FLOPs of the encoder (no head) for a [B, T] batch. */
    public static double forward(BertConfig c, int batch, int length) {
        double h = c.hiddenSize();
        double i = c.intermediateSize();
        double bt = (double) batch * length;
        double projections = 2 * bt * (4 * h * h + 2 * h * i);
        double attention = 4 * (double) batch * length * length * h;
        return c.numHiddenLayers() * (projections + attention);
    }
}
