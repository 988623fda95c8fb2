package org.fewner.llm.nn;

import ai.djl.ndarray.NDArray;

/**
 * One adapter's low-rank update of one linear layer: {@code ΔW = scale · B · A}.
 *
 * @param a lora_A, [r, in]
 * @param b lora_B, [out, r]
 * @param scale alpha / r, or alpha / √r with rsLoRA (fixed when the adapter is added, as PEFT does)
 * @param dropout dropout probability on the LoRA input during training (0 at inference)
 */
public record LoraWeights(NDArray a, NDArray b, float scale, float dropout) {
    public int rank() {
        return (int) a.getShape().get(0);
    }
}
