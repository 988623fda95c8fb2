package org.fewner.llm.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.fewner.llm.config.ModelConfig;
import org.fewner.llm.nn.LinearLayer;
import org.fewner.llm.tokenizer.ModelTokenizer;

/**
 * A loaded transformer (BERT encoder or decoder LLM) with its tokenizer: what the annotator,
 * training and evaluation build on. Implementations are thread-safe for concurrent forward calls
 * (each call brings its own {@link NDManager} and names its adapter), and keep their weights in
 * {@link #manager()}.
 */
public interface Backbone extends AutoCloseable {

    ModelConfig config();

    ModelTokenizer tokenizer();

    /** Where the weights live. */
    Device device();

    /** Owns the weights; closed with the backbone. */
    NDManager manager();

    /**
     * Every linear layer by HF module name (what LoRA {@code target_modules} match), in model
     * order.
     */
    Map<String, LinearLayer> linearLayers();

    /**
     * A batched forward pass.
     *
     * @param callManager owns every array created by this call (close it to free them)
     * @param inputIds [B][T] token ids, padded to one length
     * @param attentionMask [B][T] 1 for real tokens, 0 for padding (left or right)
     * @param adapter the LoRA adapter to apply, or null for the base model
     * @return hidden states of every layer ({@code hidden.0} embeddings … {@code hidden.L}) and the
     *     head's logits
     */
    BackboneOutput forward(
            NDManager callManager, long[][] inputIds, long[][] attentionMask, String adapter);

    @Override
    void close();
}
