package org.fewner.llm.generation;

import java.util.ArrayList;
import java.util.List;

/**
 * Word boundaries as character spans. Within the annotator these come from UIMA tokens; {@link
 * #split} is the fallback for plain text: runs of letters/digits/marks are words, every other
 * non-space code point is a word of its own (so punctuation can be left out of a span), CJK
 * ideographs are one word each.
 *
 * @param starts start offset of each word
 * @param ends end offset (exclusive) of each word
 */
public record Words(int[] starts, int[] ends) {
    public Words {
        if (starts.length != ends.length) {
            throw new IllegalArgumentException("word starts and ends differ in length");
        }
        for (int i = 0; i < starts.length; i++) {
            if (starts[i] >= ends[i] || (i > 0 && starts[i] < ends[i - 1])) {
                throw new IllegalArgumentException(
                        "word "
                                + i
                                + " ["
                                + starts[i]
                                + ", "
                                + ends[i]
                                + ") is empty, or overlaps or precedes the word before it");
            }
        }
    }

    public int size() {
        return starts.length;
    }

    /** Splits plain text into words (see the class comment). */
    public static Words split(String text) {
        List<int[]> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int n = Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                i += n;
            } else if (isWordChar(cp) && !isIdeograph(cp)) {
                int j = i;
                while (j < text.length()) {
                    int c = text.codePointAt(j);
                    if (!isWordChar(c) || isIdeograph(c)) {
                        break;
                    }
                    j += Character.charCount(c);
                }
                out.add(new int[] {i, j});
                i = j;
            } else {
                out.add(new int[] {i, i + n});
                i += n;
            }
        }
        int[] s = new int[out.size()];
        int[] e = new int[out.size()];
        for (int k = 0; k < s.length; k++) {
            s[k] = out.get(k)[0];
            e[k] = out.get(k)[1];
        }
        return new Words(s, e);
    }

    private static boolean isWordChar(int cp) {
        int t = Character.getType(cp);
        return Character.isLetterOrDigit(cp)
                || t == Character.NON_SPACING_MARK
                || t == Character.COMBINING_SPACING_MARK;
    }

    private static boolean isIdeograph(int cp) {
        return Character.isIdeographic(cp);
    }
}
