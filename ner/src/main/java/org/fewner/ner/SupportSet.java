package org.fewner.ner;

import java.util.List;

/**
 * What a method may learn from in one episode (or from one user's support file): the entity types
 * asked for and the labelled examples.
 *
 * @param types the entity types to recognise, in the user's order; every mention label of {@code
 *     sentences} is one of them
 * @param sentences the labelled support sentences
 */
public record SupportSet(List<String> types, List<LabeledSentence> sentences) {
    public SupportSet {
        types = List.copyOf(types);
        sentences = List.copyOf(sentences);
        for (LabeledSentence s : sentences) {
            for (Mention m : s.mentions()) {
                if (!types.contains(m.label())) {
                    throw new IllegalArgumentException(
                            "support sentence "
                                    + s.sentence().id()
                                    + ": label '"
                                    + m.label()
                                    + "' is not among the types "
                                    + types);
                }
            }
        }
    }
}
