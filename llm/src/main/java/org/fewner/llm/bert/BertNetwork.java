package org.fewner.llm.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The whole BERT network: embeddings, N {@link BertLayer}s and, when the checkpoint has one, the
 * MLM head, i.e. Hugging Face's {@code BertModel} without the pooler ({@code BertForMaskedLM} with
 * the head). (It was named {@code BertEncoderBlock}, which a reader of transformers takes for the
 * layer stack {@code BertEncoder}.) The output lists every hidden state so that callers (annotator,
 * inspect) can pick layers.
 */
public final class BertNetwork extends AbstractBlock {
    /** Word + position + token-type embeddings and LayerNorm. */
    final BertEmbeddings embeddings;

    /** The encoder blocks in order. */
    final List<BertLayer> layers;

    /** MLM head, or null for a {@code BertModel} checkpoint. */
    final BertMlmHead head;

    /** Option in the forward params: run the MLM head too (default true when there is a head). */
    public static final String WITH_HEAD = "fewner.withHead";

    /**
     * @param prefix {@code "bert."} for {@code BertFor*} checkpoints, {@code ""} for {@code
     *     BertModel}
     */
    public BertNetwork(
            String prefix,
            int hidden,
            int heads,
            int intermediateSize,
            int layerCount,
            String act,
            double eps,
            int vocab,
            boolean withHead) {
        this(
                prefix,
                hidden,
                heads,
                intermediateSize,
                layerCount,
                act,
                eps,
                vocab,
                withHead,
                BertLayer.DEFAULT_CHUNK_ROWS);
    }

    /**
     * @param chunkRows rows per group in each layer ({@link BertLayer}), 0 = whole batch
     */
    public BertNetwork(
            String prefix,
            int hidden,
            int heads,
            int intermediateSize,
            int layerCount,
            String act,
            double eps,
            int vocab,
            boolean withHead,
            int chunkRows) {
        super((byte) 1);
        embeddings = addChildBlock("embeddings", new BertEmbeddings(hidden, eps));
        List<BertLayer> ls = new ArrayList<>();
        for (int i = 0; i < layerCount; i++) {
            ls.add(
                    addChildBlock(
                            "layer" + i,
                            new BertLayer(
                                    prefix + "encoder.layer." + i + ".",
                                    hidden,
                                    heads,
                                    intermediateSize,
                                    act,
                                    eps,
                                    chunkRows)));
        }
        layers = Collections.unmodifiableList(ls);
        head = withHead ? addChildBlock("head", new BertMlmHead(hidden, vocab, act, eps)) : null;
    }

    /**
     * @param inputs ids [B, T], positions [B, T], token types [B, T] (int64), key mask bias [B, 1,
     *     1, T] (float32; omitted when nothing is padded)
     * @return L+1 hidden states [B, T, H] ({@code hidden.0} = embedding output), then the logits
     *     [B, T, V] when the head exists and {@link #WITH_HEAD} is not false
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray maskBias =
                inputs.size() > 3 ? inputs.get(3) : null; // absent when nothing is padded
        NDList out = new NDList(layers.size() + 2);
        NDArray x =
                embeddings
                        .forward(
                                ps,
                                new NDList(inputs.get(0), inputs.get(1), inputs.get(2)),
                                training,
                                params)
                        .singletonOrThrow();
        out.add(x);
        for (BertLayer layer : layers) {
            x =
                    layer.forward(
                                    ps,
                                    maskBias == null ? new NDList(x) : new NDList(x, maskBias),
                                    training,
                                    params)
                            .singletonOrThrow();
            out.add(x);
        }
        Object withHead = params == null ? null : params.get(WITH_HEAD);
        if (head != null && !Boolean.FALSE.equals(withHead)) {
            out.add(head.forward(ps, new NDList(x), training, params).singletonOrThrow());
        }
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape h = embeddings.getOutputShapes(inputShapes)[0];
        Shape[] out = new Shape[layers.size() + 1 + (head == null ? 0 : 1)];
        java.util.Arrays.fill(out, h);
        if (head != null) {
            out[out.length - 1] = head.getOutputShapes(new Shape[] {h})[0];
        }
        return out;
    }
}
