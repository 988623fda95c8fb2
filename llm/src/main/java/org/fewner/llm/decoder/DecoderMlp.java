package org.fewner.llm.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.fewner.llm.config.DecoderConfig;
import org.fewner.llm.nn.LinearLayer;

/** SwiGLU feed-forward: {@code down_proj(silu(gate_proj(x)) · up_proj(x))}. */
final class DecoderMlp {
    /** gate_proj / up_proj [I, H], down_proj [H, I]. */
    final LinearLayer gate;
    final LinearLayer up;
    final LinearLayer down;

    DecoderMlp(DecoderConfig c, String prefix) {
        gate = new LinearLayer(prefix + "gate_proj", c.hiddenSize(), c.intermediateSize(), c.mlpBias());
        up = new LinearLayer(prefix + "up_proj", c.hiddenSize(), c.intermediateSize(), c.mlpBias());
        down = new LinearLayer(prefix + "down_proj", c.intermediateSize(), c.hiddenSize(), c.mlpBias());
    }

    /**
     * @param x [B, T, H]
     * @return [B, T, H]
     */
    NDArray forward(ParameterStore ps, NDArray x, PairList<String, Object> params) {
        NDArray g = DecoderAttention.linear(ps, gate, x, params);
        g = Activation.sigmoid(g).muli(g); // silu
        NDArray u = DecoderAttention.linear(ps, up, x, params);
        return DecoderAttention.linear(ps, down, g.muli(u), params);
    }
}
