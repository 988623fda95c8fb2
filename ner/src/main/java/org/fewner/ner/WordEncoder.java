package org.fewner.ner;

import java.util.List;

/**
 * Turns sentences (words) into per-word vectors at fixed layers: what word-level few-shot methods
 * build on. {@link BackboneWordEncoder} runs a transformer; tests use small hand-made encoders.
 *
 * <p>Implementations are thread-safe.
 */
public interface WordEncoder extends AutoCloseable {
    /** Width of each vector. */
    int hiddenSize();

    /** The layers every {@link EncodedSentence} carries (HF numbering: 0 = embedding output). */
    List<Integer> layers();

    /**
     * Encodes sentences of any length (a sentence longer than the model's limit is encoded in
     * overlapping windows, never truncated).
     *
     * @return one {@link EncodedSentence} per input sentence, in input order
     */
    List<EncodedSentence> encode(List<WordSentence> sentences);

    /** Counters since construction (sentences, cache hits, windows, forward time). */
    EncoderStats stats();

    @Override
    void close();
}
