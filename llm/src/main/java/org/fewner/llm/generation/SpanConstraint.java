package org.fewner.llm.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.fewner.common.FewNerException;

/**
 * The automaton that constrains an answer to spans of the input (the core of constrained span
 * generation).
 *
 * <p>Accepted token sequences are exactly: {@code none EOS}, or {@code (open SPAN close)+ EOS}
 * where each SPAN is the tokenisation of {@code " " + text[start(i), end(j))} for words i ≤ j (at
 * most {@code maxSpanWords} words), and each span starts after the previous one ends (order of
 * appearance, no overlap). Because the automaton knows which words each span covers, every answer
 * maps to exact character offsets. Its states are sets of configurations (an NFA simulated on the
 * fly), so a token that fits both "continue the span" and "close it" is handled; when the same text
 * occurs several times, the earliest possible occurrence is taken.
 */
public final class SpanConstraint {
    final String text;
    final Words words;
    final long[] open;
    final long[] close;
    final long[] none;
    final long[] eos;
    final SpanTrie trie = new SpanTrie();

    /**
     * @param text the input text
     * @param words word boundaries in {@code text}
     * @param encoder the model's tokenizer (no special tokens)
     * @param template answer markers
     * @param eosIds stop tokens (at least one)
     * @param maxSpanWords longest span in words (bounds the trie: words × maxSpanWords sequences)
     */
    public SpanConstraint(
            String text,
            Words words,
            TokenEncoder encoder,
            PromptTemplate template,
            long[] eosIds,
            int maxSpanWords) {
        if (eosIds.length == 0) {
            throw new FewNerException(
                    "constrained generation needs at least one end-of-sequence token id"
                            + " (eos_token_id in config.json or generation_config.json)");
        }
        if (maxSpanWords < 1) {
            throw new FewNerException("maxSpanWords must be >= 1, got " + maxSpanWords);
        }
        if (words.size() > 0 && words.ends()[words.size() - 1] > text.length()) {
            throw new IllegalArgumentException("word boundaries go past the end of the text");
        }
        this.text = text;
        this.words = words;
        this.open = encoder.encode(template.open());
        this.close = encoder.encode(template.close());
        this.none = encoder.encode(template.none());
        this.eos = eosIds.clone();
        for (int i = 0; i < words.size(); i++) {
            for (int j = i; j < Math.min(words.size(), i + maxSpanWords); j++) {
                String span = text.substring(words.starts()[i], words.ends()[j]);
                trie.add(encoder.encode(template.spanPiece(span)), i, j);
            }
        }
    }

    /** The start state: nothing generated yet. */
    public ConstraintState start() {
        List<ConstraintState.Config> cfgs = new ArrayList<>();
        ConstraintState.closure(
                this,
                ConstraintState.Config.fixed(none, 0, ConstraintState.Next.END, 0, null),
                cfgs);
        ConstraintState.addOpen(this, 0, null, cfgs);
        return new ConstraintState(this, cfgs);
    }

    /** The span of words i..j. */
    Span span(int i, int j) {
        int s = words.starts()[i];
        int e = words.ends()[j];
        return new Span(i, j, s, e, text.substring(s, e));
    }

    boolean isEos(long token) {
        return Arrays.stream(eos).anyMatch(t -> t == token);
    }
}
