package org.fewner.evaluation;

import java.util.List;
import org.fewner.ner.Mention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;

/**
 * One unit of evaluation: a method adapts to {@code support}, then predicts {@code query}; its
 * predictions are scored against {@code gold}. A Few-NERD episode, one cross-dataset support sample
 * with the whole target test set, or one K-shot sample with the whole test file.
 *
 * @param index 0-based position in its source (the {@code episode} of predictions.jsonl)
 * @param id where it comes from (file and line, sample file), for results and errors
 * @param support types and labelled support sentences
 * @param query the query sentences
 * @param gold per query sentence, its gold mentions
 */
public record Task(
        int index,
        String id,
        SupportSet support,
        List<WordSentence> query,
        List<List<Mention>> gold) {}
