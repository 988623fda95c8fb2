package org.fewner.llm.generation;

import java.util.List;
import org.fewner.common.FewNerException;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.tokenizer.ModelTokenizer;

/**
 * Constrained entity-span generation with a decoder model: one prompt per entity type, the answer
 * constrained by a {@link SpanConstraint} over the input words, spans returned with exact character
 * offsets.
 */
public final class SpanGenerator {
    private final DecoderModel model;
    private final PromptTemplate template;
    private final int maxSpanWords;

    /**
     * @param maxSpanWords longest entity in words (bounds the constraint's size)
     */
    public SpanGenerator(DecoderModel model, PromptTemplate template, int maxSpanWords) {
        this.model = model;
        this.template = template;
        this.maxSpanWords = maxSpanWords;
    }

    /**
     * The answer for one entity type.
     *
     * @param type entity type name as written in the instruction
     * @param definition its definition, or null
     * @param text the input sentence
     * @param words word boundaries in {@code text}
     * @param adapter LoRA adapter name, or null
     */
    public Answer generate(
            String type,
            String definition,
            String text,
            Words words,
            String adapter,
            int beams,
            int maxNewTokens) {
        ModelTokenizer tok = model.tokenizer();
        int vocab = model.config().vocabSize();
        for (long id : model.stopTokenIds()) {
            if (id < 0 || id >= vocab) {
                throw new FewNerException(
                        "config.json (or generation_config.json): eos_token_id "
                                + id
                                + " is outside the vocabulary (0.."
                                + (vocab - 1)
                                + "), so generation could never stop on it");
            }
        }
        SpanConstraint constraint =
                new SpanConstraint(
                        text,
                        words,
                        TokenEncoder.of(tok),
                        template,
                        model.stopTokenIds(),
                        maxSpanWords);
        long[] prompt =
                promptIds(tok, model.stopTokenIds(), template.render(type, definition, text));
        int room = model.config().maxPositionEmbeddings() - prompt.length;
        if (room < 1) {
            throw new FewNerException(
                    "prompt of "
                            + prompt.length
                            + " tokens is longer than the model's"
                            + " max_position_embeddings "
                            + model.config().maxPositionEmbeddings());
        }
        try (DecoderStepModel sm = new DecoderStepModel(model, adapter)) {
            ConstrainedSearch.Result r =
                    ConstrainedSearch.run(
                            sm, prompt, constraint, beams, Math.min(maxNewTokens, room));
            long[] body =
                    r.finished()
                            ? java.util.Arrays.copyOf(r.tokens(), r.tokens().length - 1)
                            : r.tokens();
            return new Answer(
                    type,
                    tok.decode(body, false),
                    r.spans(),
                    r.finished(),
                    r.tokens().length,
                    r.score());
        }
    }

    /**
     * A rendered prompt's token ids as generation and training both see them: special tokens added
     * (e.g. BOS), a trailing end-of-sequence token dropped (a tokenizer post-processor that appends
     * EOS would end the answer before it starts).
     */
    public static long[] promptIds(ModelTokenizer tok, long[] stops, String prompt) {
        long[] ids = tok.encode(prompt, true).ids();
        long lastId = ids.length == 0 ? -1 : ids[ids.length - 1];
        if (java.util.Arrays.stream(stops).anyMatch(s -> s == lastId)) {
            ids = java.util.Arrays.copyOf(ids, ids.length - 1);
        }
        return ids;
    }

    /**
     * The answer's token ids as the {@link SpanConstraint} accepts them (each marker and span piece
     * tokenised on its own, then the first stop token), with each span's token range.
     *
     * @param spanTexts the entity texts in sentence order (empty: the "none" answer)
     * @return ids, and per span {@code [first token, end token)} within ids
     */
    public static AnswerTokens answerIds(
            TokenEncoder enc, PromptTemplate t, long eos, java.util.List<String> spanTexts) {
        java.util.List<Long> ids = new java.util.ArrayList<>();
        java.util.List<int[]> ranges = new java.util.ArrayList<>();
        if (spanTexts.isEmpty()) {
            for (long x : enc.encode(t.none())) ids.add(x);
        }
        for (String s : spanTexts) {
            for (long x : enc.encode(t.open())) ids.add(x);
            int from = ids.size();
            for (long x : enc.encode(t.spanPiece(s))) ids.add(x);
            ranges.add(new int[] {from, ids.size()});
            for (long x : enc.encode(t.close())) ids.add(x);
        }
        ids.add(eos);
        return new AnswerTokens(
                ids.stream().mapToLong(Long::longValue).toArray(), java.util.List.copyOf(ranges));
    }

    /**
     * @param ids answer token ids, end token included
     * @param spans per span its {@code [first, end)} token range within ids
     */
    public record AnswerTokens(long[] ids, java.util.List<int[]> spans) {}

    /**
     * @param type the entity type
     * @param answer decoded answer text (without the end token)
     * @param spans the spans with character offsets
     * @param finished whether the answer ended with an end token
     * @param tokens generated tokens
     * @param score sum of log-probabilities
     */
    public record Answer(
            String type,
            String answer,
            List<Span> spans,
            boolean finished,
            int tokens,
            double score) {}
}
