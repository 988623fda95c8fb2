package org.fewner.ner;

import java.util.List;

/**
 * A sentence as words (the tokens of a UIMA {@code Sentence}, of a CoNLL block, of a Few-NERD
 * episode).
 *
 * @param id identifies the sentence within its source (file and line, episode and index, CAS and
 *     offset); used for caching encodings and in predictions files
 * @param words the words, none empty
 */
public record WordSentence(String id, List<String> words) {
    public WordSentence {
        words = List.copyOf(words);
    }

    public int size() {
        return words.size();
    }
}
