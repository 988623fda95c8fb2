package org.fewner.ner;

/**
 * A predicted mention and the method's confidence in it.
 *
 * @param mention the words and label
 * @param confidence in [0, 1]; each method documents what it means (a softmax probability over
 *     prototypes, a sequence probability under the span constraint, ...)
 */
public record ScoredMention(Mention mention, double confidence) {}
