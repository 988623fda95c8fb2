package org.fewner.llm.config;

import java.util.List;

/**
 * The {@code hidden_act} names FewNER computes (same semantics as transformers' {@code ACT2FN}).
 */
public final class Activations {
    public static final List<String> SUPPORTED =
            List.of(
                    "gelu",
                    "gelu_new",
                    "gelu_pytorch_tanh",
                    "gelu_fast",
                    "quick_gelu",
                    "relu",
                    "silu",
                    "swish",
                    "tanh");

    private Activations() {}

    static void check(ConfigReader r, String act) {
        if (!SUPPORTED.contains(act)) {
            throw r.error(
                    "hidden_act '"
                            + act
                            + "' is not supported (supported: "
                            + String.join(", ", SUPPORTED)
                            + ")");
        }
    }
}
