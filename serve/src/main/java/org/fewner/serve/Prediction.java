package org.fewner.serve;

/**
 * One predicted mention.
 *
 * @param begin its begin (UTF-16 code units of the document text)
 * @param end its end
 * @param label the entity type
 * @param score the engine's confidence in [0, 1]
 */
public record Prediction(int begin, int end, String label, double score) {}
