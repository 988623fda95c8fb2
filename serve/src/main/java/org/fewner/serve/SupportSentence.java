package org.fewner.serve;

import java.util.List;

/**
 * One annotated sentence of a support set: its words and its mentions, as word indices.
 *
 * @param words the tokens' texts
 * @param mentions the annotated mentions, sorted, non-overlapping
 */
public record SupportSentence(List<String> words, List<Mention> mentions) {
    public SupportSentence {
        words = List.copyOf(words);
        mentions = List.copyOf(mentions);
    }

    /** Words {@code [start, end)} labelled {@code label}. */
    public record Mention(int start, int end, String label) {}

    /** The words of {@code m} joined by single spaces. */
    public String text(Mention m) {
        return String.join(" ", words.subList(m.start(), m.end()));
    }
}
