package org.fewner.llm.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import org.fewner.common.FewNerException;
import org.fewner.llm.config.Activations;

/**
 * The feed-forward activations of {@code hidden_act}, with the semantics of transformers' {@code
 * ACT2FN}.
 *
 * <ul>
 *   <li>{@code gelu}: exact GELU {@code x·Φ(x) = 0.5·x·(1 + erf(x/√2))} (DJL's {@link
 *       Activation#gelu} calls libtorch's {@code gelu} without approximation, which is this erf
 *       form);
 *   <li>{@code gelu_new}, {@code gelu_pytorch_tanh}, {@code gelu_fast}: the tanh approximation
 *       {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}, written out;
 *   <li>{@code quick_gelu}: {@code x·σ(1.702·x)}; {@code relu}; {@code silu}/{@code swish}: {@code
 *       x·σ(x)}; {@code tanh}.
 * </ul>
 */
public final class BertActivation {
    /** √(2/π). */
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);

    private BertActivation() {}

    /**
     * Applies activation {@code name} element-wise.
     *
     * @param name an entry of {@link Activations#SUPPORTED}
     * @param x any shape
     * @return same shape as {@code x}
     */
    public static NDArray apply(String name, NDArray x) {
        return switch (name) {
            case "gelu" -> Activation.gelu(x);
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> tanhGelu(x);
            case "quick_gelu" -> x.mul(Activation.sigmoid(x.mul(1.702f)));
            case "relu" -> Activation.relu(x);
            case "silu", "swish" -> x.mul(Activation.sigmoid(x));
            case "tanh" -> x.tanh();
            default ->
                    throw new FewNerException(
                            "hidden_act '"
                                    + name
                                    + "' is not supported (supported: "
                                    + String.join(", ", Activations.SUPPORTED)
                                    + ")");
        };
    }

    /**
     * {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}, computed as the identical {@code x·σ(2z)}
     * with {@code z = √(2/π)·(x + 0.044715·x³)} (since {@code 0.5·(1 + tanh z) = σ(2z)}): 6
     * libtorch calls instead of 9, and no cancellation in {@code 1 + tanh z} for large negative z.
     */
    static NDArray tanhGelu(NDArray x) {
        NDArray twoZ =
                x.mul(x)
                        .muli(2 * SQRT_2_OVER_PI * 0.044715f)
                        .addi(2 * SQRT_2_OVER_PI)
                        .muli(x); // 2z
        NDArray y = Activation.sigmoid(twoZ).muli(x);
        twoZ.close(); // a full [B·T, I] buffer: free it now, not at the end of the layer
        return y;
    }
}
