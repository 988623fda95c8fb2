package org.fewner.common;

import java.nio.file.Path;

/**
 * The one base type for errors caused by the user's input (a file, an option, a parameter): every
 * module's user-facing exception extends it, and the command line prints its message alone ({@code
 * fewner: <message>}, exit 2) without a stack trace. The message names where the problem is (file
 * and line or field, or the option) and what was expected. A rethrow always keeps its cause.
 *
 * <p>Anything that is not a {@code FewNerException} reaching the top is a bug in FewNER and is
 * reported with its stack trace.
 */
public class FewNerException extends RuntimeException {
    /**
     * Longest excerpt of the offending input quoted in a message; longer inputs are cut with "...".
     */
    public static final int MAX_QUOTE = 200;

    public FewNerException(String message) {
        super(message);
    }

    public FewNerException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code file:line: problem} (line 1-based; a line below 1 is left out). */
    public static FewNerException at(Path file, long line, String problem) {
        return new FewNerException(where(file, line) + ": " + problem);
    }

    /** {@code file:line: problem}, keeping {@code cause}. */
    public static FewNerException at(Path file, long line, String problem, Throwable cause) {
        return new FewNerException(where(file, line) + ": " + problem, cause);
    }

    /** {@code file:line} or {@code file} when the line is unknown (below 1). */
    public static String where(Path file, long line) {
        return line >= 1 ? file + ":" + line : String.valueOf(file);
    }

    /**
     * The input quoted for a message: at most {@link #MAX_QUOTE} characters, cut with "..." and the
     * full length, so a 60 MB line never ends up in a message; line breaks and other control
     * characters but the tab are escaped ({@code \n}, {@code \u0000}), so the message stays one
     * line.
     */
    public static String quote(CharSequence input) {
        if (input == null) {
            return "null";
        }
        if (input.length() <= MAX_QUOTE) {
            return "'" + escape(input) + "'";
        }
        return "'"
                + escape(input.subSequence(0, MAX_QUOTE))
                + "...' ("
                + input.length()
                + " characters)";
    }

    private static String escape(CharSequence s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> {
                    if ((c < 0x20 && c != '\t')
                            || c == 0x7f
                            || c == 0x85
                            || c == 0x2028
                            || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
