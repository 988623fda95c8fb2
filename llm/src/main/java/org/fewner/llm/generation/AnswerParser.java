package org.fewner.llm.generation;

import java.util.ArrayList;
import java.util.List;

/**
 * Maps an answer's text back to input spans without the automaton: the inverse of {@link
 * PromptTemplate#answer}. Each {@code open + " " + X + close} segment must be the input text of
 * words i..j with i after the previous span; the earliest such occurrence is taken. Used to check
 * generated answers independently, and to read answers written elsewhere (e.g. SFT data).
 */
public final class AnswerParser {
    private AnswerParser() {}

    /**
     * @return the spans, in order
     * @throws IllegalArgumentException when the answer is not of the template's form or a segment
     *     is no span of the input at word boundaries after the previous one
     */
    public static List<Span> parse(String answer, String text, Words words, PromptTemplate t) {
        if (answer.equals(t.none())) {
            return List.of();
        }
        List<Span> out = new ArrayList<>();
        int pos = 0;
        int nextWord = 0;
        String open = t.open() + " ";
        while (pos < answer.length()) {
            if (!answer.startsWith(open, pos)) {
                throw new IllegalArgumentException(
                        "answer: expected '"
                                + open
                                + "' at character "
                                + pos
                                + " of '"
                                + answer
                                + "'");
            }
            int s = pos + open.length();
            // the segment ends at the first close marker after which the answer ends or a new span
            // opens
            int e = answer.indexOf(t.close(), s);
            while (e >= 0
                    && !(e + t.close().length() == answer.length()
                            || answer.startsWith(open, e + t.close().length()))) {
                e = answer.indexOf(t.close(), e + 1);
            }
            if (e < 0) {
                throw new IllegalArgumentException(
                        "answer: no '"
                                + t.close()
                                + "' after character "
                                + s
                                + " of '"
                                + answer
                                + "'");
            }
            String seg = answer.substring(s, e);
            Span span = find(seg, text, words, nextWord);
            if (span == null) {
                throw new IllegalArgumentException(
                        "answer: '"
                                + seg
                                + "' is not a span of the input at word "
                                + "boundaries after word "
                                + nextWord);
            }
            out.add(span);
            nextWord = span.lastWord() + 1;
            pos = e + t.close().length();
        }
        return out;
    }

    /** The earliest-ending span of words i..j (i ≥ from) whose text is {@code seg}, or null. */
    static Span find(String seg, String text, Words w, int from) {
        Span best = null;
        for (int i = from; i < w.size(); i++) {
            if (!text.startsWith(seg, w.starts()[i])) {
                continue;
            }
            int end = w.starts()[i] + seg.length();
            for (int j = i; j < w.size() && w.ends()[j] <= end; j++) {
                if (w.ends()[j] == end && (best == null || j < best.lastWord())) {
                    best = new Span(i, j, w.starts()[i], end, seg);
                }
            }
        }
        return best;
    }
}
