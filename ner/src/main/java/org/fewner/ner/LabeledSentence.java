package org.fewner.ner;

import java.util.List;

/**
 * A sentence with its gold mentions (a support example or a training sentence).
 *
 * @param sentence the words
 * @param mentions non-overlapping gold mentions in word order
 */
public record LabeledSentence(WordSentence sentence, List<Mention> mentions) {
    public LabeledSentence {
        mentions = List.copyOf(mentions);
        for (Mention m : mentions) {
            if (m.end() > sentence.size()) {
                throw new IllegalArgumentException(
                        "sentence "
                                + sentence.id()
                                + ": mention "
                                + m
                                + " ends after the last word ("
                                + sentence.size()
                                + " words)");
            }
        }
    }
}
