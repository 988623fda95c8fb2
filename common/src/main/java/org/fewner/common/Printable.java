package org.fewner.common;

/**
 * Text from the user's input made safe for a terminal or a line-oriented output: control characters
 * (NUL, ESC, ...; also DEL, NEL and the Unicode line and paragraph separators) become {@code
 * \}{@code uXXXX} escapes, so that a NUL byte or an escape sequence in a document never reaches
 * stdout raw and one record stays one line.
 *
 * <pre>{@code
 * out.println(begin + " " + end + " " + label + " " + Printable.line(text));
 * }</pre>
 */
public final class Printable {
    private Printable() {}

    /** Escapes every control character but the tab, line breaks included (one line out). */
    public static String line(CharSequence s) {
        return escape(s, false);
    }

    /** Escapes every control character but the tab and line breaks (CR, LF). */
    public static String keepLineBreaks(CharSequence s) {
        return escape(s, true);
    }

    private static String escape(CharSequence s, boolean keepBreaks) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control =
                    (c < 0x20 && c != '\t' && !(keepBreaks && (c == '\n' || c == '\r')))
                            || c == 0x7f
                            || c == 0x85
                            || c == 0x2028
                            || c == 0x2029;
            if (control && b == null) {
                b = new StringBuilder(s.length() + 16);
                b.append(s, 0, i);
            }
            if (b != null) {
                if (control) {
                    b.append(String.format("\\u%04x", (int) c));
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s.toString() : b.toString();
    }
}
