package org.fewner.ner;

/**
 * A few-shot NER method: the one prediction interface that the evaluation harness, the UIMA
 * analysis engine and the Spark module all call, so that a number in the README and an annotation
 * in a pipeline come from the same code.
 *
 * <p>A method holds what does not depend on the episode (a loaded backbone, source-trained adapters
 * and heads, caches of sentence encodings keyed by the words). {@link #adapt} turns one support set
 * into a {@link Recognizer}; nothing learnt from one support set may reach another's recogniser.
 *
 * <p>Implementations are thread-safe: several threads may call {@link #adapt} and the recognisers'
 * {@code recognize} at once.
 */
public interface FewShotMethod extends AutoCloseable {
    /**
     * The name used on the command line and in results ({@code frozen-prototype}, {@code span},
     * ...).
     */
    String name();

    /**
     * Learns from one support set.
     *
     * @param support the types and labelled examples
     * @param seed seeds everything random in the adaptation (sampling, dropout, adaptation steps)
     * @return a recogniser for the support set's types; it keeps no reference to other episodes
     */
    Recognizer adapt(SupportSet support, long seed);

    /** Releases the backbone and caches. */
    @Override
    void close();

    /** Recognises the support set's types in new sentences. Thread-safe. */
    interface Recognizer {
        /**
         * Predicts the mentions of each sentence. Sentences of any length are accepted: one longer
         * than the model's limit is split into overlapping windows whose predictions are merged,
         * never truncated.
         *
         * @param sentences the query sentences
         * @return per sentence, non-overlapping mentions in word order, labels among the support
         *     set's types
         */
        java.util.List<java.util.List<ScoredMention>> recognize(
                java.util.List<WordSentence> sentences);
    }
}
