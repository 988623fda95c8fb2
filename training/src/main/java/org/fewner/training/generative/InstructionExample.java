package org.fewner.training.generative;

import java.util.List;

/**
 * One instruction-tuning example: one (sentence, entity type) pair in the CLLMFS SFT format (see
 * {@link org.fewner.llm.generation.PromptTemplate}). This is also one line of {@code fewner sft
 * export}'s JSON-lines file (TRL's prompt/completion form plus the bookkeeping fields).
 *
 * @param id sentence id (document and sentence offset, as the collector wrote it)
 * @param type the entity type asked for (the label as it appears in the source file)
 * @param prompt the full prompt, ending with the answer prefix
 * @param answer the answer continuing the prompt: every entity of the type in sentence order, or
 *     the template's "none" answer; the end-of-sequence token is not part of the text (the trainer
 *     appends the model's own)
 * @param text the input sentence (the words joined by single spaces)
 * @param spans the answer's entities as word ranges {@code [start, end)} in sentence order
 * @param entities the entities' texts, in the same order
 */
public record InstructionExample(
        String id,
        String type,
        String prompt,
        String answer,
        String text,
        List<int[]> spans,
        List<String> entities) {
    public InstructionExample {
        spans = List.copyOf(spans);
        entities = List.copyOf(entities);
    }
}
