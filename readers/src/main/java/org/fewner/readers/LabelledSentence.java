package org.fewner.readers;

import java.util.List;
import org.fewner.common.FewNerException;

/**
 * One sentence as read from a file: parallel tokens and labels, the file line of each token (for
 * error messages), where it sits ({@code ""} for column files, e.g. {@code "query sentence 3, "}
 * for episodes), and whether a {@code -DOCSTART-} line came between the previous sentence and this
 * one.
 */
public record LabelledSentence(
        List<String> tokens, List<String> labels, int[] lines, String where, boolean newDocument) {
    public LabelledSentence {
        if (tokens.size() != labels.size() || lines.length != tokens.size()) {
            throw new IllegalArgumentException("tokens, labels and lines differ in length");
        }
    }

    /** Number of tokens. */
    public int size() {
        return tokens.size();
    }

    /**
     * The chunks of this sentence, with a bad label reported as a {@link FormatException} at its
     * line.
     */
    public List<Chunk> chunks(String file, int fallbackLine, TagScheme scheme, boolean strict)
            throws FormatException {
        try {
            return TagDecoder.decode(labels, scheme, strict);
        } catch (TagDecoder.TagException e) {
            throw error(file, fallbackLine, e);
        }
    }

    /**
     * The {@link FormatException} for a {@link TagDecoder.TagException} raised on this sentence.
     */
    public FormatException error(String file, int fallbackLine, TagDecoder.TagException e) {
        int i = e.token();
        int line = lines.length > i ? lines[i] : fallbackLine;
        return new FormatException(
                file,
                line,
                where
                        + "token "
                        + (i + 1)
                        + " "
                        + FewNerException.quote(tokens.get(i))
                        + ": "
                        + e.getMessage());
    }
}
