package org.fewner.llm.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.fewner.llm.config.DecoderConfig;
import org.fewner.llm.nn.ForwardParams;
import org.fewner.llm.nn.FusedLinear;
import org.fewner.llm.nn.LinearLayer;

/** SwiGLU feed-forward: {@code down_proj(silu(gate_proj(x)) · up_proj(x))}. */
final class DecoderMlp extends AbstractBlock {
    /** gate_proj / up_proj [I, H], down_proj [H, I]. */
    final LinearLayer gate;

    final LinearLayer up;
    final LinearLayer down;

    /** gate/up as one matmul when no adapter touches them. */
    private FusedLinear gateUp;

    DecoderMlp(DecoderConfig c, String prefix) {
        super((byte) 1);
        gate =
                addChildBlock(
                        "gate_proj",
                        new LinearLayer(
                                prefix + "gate_proj",
                                c.hiddenSize(),
                                c.intermediateSize(),
                                c.mlpBias()));
        up =
                addChildBlock(
                        "up_proj",
                        new LinearLayer(
                                prefix + "up_proj",
                                c.hiddenSize(),
                                c.intermediateSize(),
                                c.mlpBias()));
        down =
                addChildBlock(
                        "down_proj",
                        new LinearLayer(
                                prefix + "down_proj",
                                c.intermediateSize(),
                                c.hiddenSize(),
                                c.mlpBias()));
    }

    void fuse(FusedLinear f) {
        this.gateUp = f;
    }

    /**
     * @param inputs {@code x} [B, T, H]
     * @return [B, T, H]
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray g;
        NDArray u;
        if (gateUp != null && gateUp.usable(ForwardParams.adapterOf(params))) {
            ai.djl.ndarray.NDList gu =
                    gateUp.forward(x, ForwardParams.adapterOf(params), training)
                            .split(gateUp.splits(), -1 + (int) x.getShape().dimension());
            g = gu.get(0);
            u = gu.get(1);
        } else {
            g = DecoderAttention.linear(ps, gate, x, params);
            u = DecoderAttention.linear(ps, up, x, params);
        }
        g = Activation.sigmoid(g).mul(g); // silu
        return new NDList(
                DecoderAttention.linear(
                        ps, down, Autograd.recording() ? g.mul(u) : g.muli(u), params));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
