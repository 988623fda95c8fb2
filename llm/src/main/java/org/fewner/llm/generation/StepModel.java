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
     * Runs several prompts at once as rows 0 … P−1; returns each prompt's next-token logits,
     * [P][V]. The default handles one prompt (models that cannot batch).
     */
    default float[][] prefill(long[][] prompts) {
        if (prompts.length != 1) {
            throw new UnsupportedOperationException(
                    getClass().getSimpleName()
                            + " runs one prompt at a time, got "
                            + prompts.length);
        }
        return new float[][] {prefill(prompts[0])};
    }

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
