package org.fewner.serve;

import java.util.List;

/**
 * The support sentences that one training document gave: its annotated sentences. A document sent
 * again replaces these (keyed by {@link #key}).
 *
 * @param key {@code documentId/userId} (INCEpTION sends one CAS per document and annotator)
 * @param sentences the sentences with at least one mention
 */
public record SupportDocument(String key, List<SupportSentence> sentences) {
    public SupportDocument {
        sentences = List.copyOf(sentences);
    }

    /** The number of mentions. */
    public int mentionCount() {
        return sentences.stream().mapToInt(s -> s.mentions().size()).sum();
    }
}
