package org.fewner.llm.generation;

/**
 * A language model seen one step at a time (what search needs): the next-token logits after a
 * prompt, then after each appended token. Rows are hypotheses (beams); a step may reorder or
 * duplicate rows.
 */
public interface StepModel extends AutoCloseable {
    /** Vocabulary size V (length of each logits row). */
    int vocabSize();

    /** Runs the prompt; returns the logits for the next token, [V]. */
    float[] prefill(long[] prompt);

    /**
     * Appends one token per new row. Row r continues old row {@code parents[r]} with {@code
     * tokens[r]}.
     *
     * @return next-token logits, [rows][V]
     */
    float[][] step(int[] parents, long[] tokens);

    @Override
    default void close() {}
}
