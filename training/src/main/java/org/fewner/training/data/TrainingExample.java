package org.fewner.training.data;

import java.util.List;
import org.fewner.ner.Mention;

/**
 * One training sentence: its words and its gold entity spans (first word inclusive, {@link
 * Mention#end()} exclusive) with their types, and the corpus it came from (types of different
 * corpora are different types to the episode sampler and the contrastive losses).
 *
 * <p>Word-piece ids are not stored: the span method trains on a frozen backbone whose word vectors
 * are computed once per sentence (the shared {@code WordEncoder}), which tokenises the words
 * itself.
 *
 * @param id where the sentence came from (document URI and sentence offset)
 * @param corpus corpus name (the source file's label)
 * @param words the words
 * @param mentions non-overlapping gold mentions in word order
 */
public record TrainingExample(
        String id, String corpus, List<String> words, List<Mention> mentions) {
    public TrainingExample {
        words = List.copyOf(words);
        mentions = List.copyOf(mentions);
    }

    /** The type as the sampler and the losses see it: {@code corpus:type}. */
    public String qualifiedType(Mention m) {
        return corpus + ":" + m.label();
    }

    /** The words joined by single spaces, lower-cased: the key of the target-overlap check. */
    public String key() {
        return String.join(" ", words).toLowerCase(java.util.Locale.ROOT);
    }
}
