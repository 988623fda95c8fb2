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
        return generateBatch(
                        List.of(new Query(type, definition, text, words)),
                        adapter,
                        beams,
                        maxNewTokens,
                        false)
                .get(0);
    }

    /**
     * One question: the answer for {@code type} in {@code text}.
     *
     * @param type entity type name as written in the instruction
     * @param definition its definition, or null
     * @param text the input sentence
     * @param words word boundaries in {@code text}
     */
    public record Query(String type, String definition, String text, Words words) {}

    /**
     * The answers to several questions from one batched constrained search ({@link
     * ConstrainedSearch#runBatch}): the prompts are prefilled as one left-padded batch (with {@code
     * sharePrefix}, their common prefix once) and every decoding step runs the live hypotheses of
     * all unfinished questions together. Each answer is what {@link #generate} gives for its
     * question alone (up to float rounding of the batched arithmetic).
     */
    public List<Answer> generateBatch(
            List<Query> queries, String adapter, int beams, int maxNewTokens, boolean sharePrefix) {
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
        int n = queries.size();
        long[][] prompts = new long[n][];
        List<SpanConstraint> constraints = new java.util.ArrayList<>();
        int[] budgets = new int[n];
        for (int i = 0; i < n; i++) {
            Query q = queries.get(i);
            constraints.add(
                    new SpanConstraint(
                            q.text(),
                            q.words(),
                            TokenEncoder.of(tok),
                            template,
                            model.stopTokenIds(),
                            maxSpanWords));
            prompts[i] =
                    promptIds(
                            tok,
                            model.stopTokenIds(),
                            template.render(q.type(), q.definition(), q.text()));
            int room = model.config().maxPositionEmbeddings() - prompts[i].length;
            if (room < 1) {
                throw new FewNerException(
                        "prompt of "
                                + prompts[i].length
                                + " tokens is longer than the model's"
                                + " max_position_embeddings "
                                + model.config().maxPositionEmbeddings());
            }
            budgets[i] = Math.min(maxNewTokens, room);
        }
        List<Answer> out = new java.util.ArrayList<>();
        if (n == 0) {
            return out;
        }
        try (DecoderStepModel sm = new DecoderStepModel(model, adapter, sharePrefix)) {
            List<ConstrainedSearch.Result> rs =
                    ConstrainedSearch.runBatch(sm, prompts, constraints, beams, budgets);
            for (int i = 0; i < n; i++) {
                ConstrainedSearch.Result r = rs.get(i);
                long[] body =
                        r.finished()
                                ? java.util.Arrays.copyOf(r.tokens(), r.tokens().length - 1)
                                : r.tokens();
                out.add(
                        new Answer(
                                queries.get(i).type(),
                                tok.decode(body, false),
                                r.spans(),
                                r.finished(),
                                r.tokens().length,
                                r.score()));
            }
        }
        return out;
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
