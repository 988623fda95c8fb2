package org.fewner.llm.generation;

/**
 * A span of the input: words {@code firstWord..lastWord} (inclusive), characters {@code [start,
 * end)}.
 *
 * @param text the covered input text
 */
public record Span(int firstWord, int lastWord, int start, int end, String text) {}
