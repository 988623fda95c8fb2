package org.fewner.spark;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What makes a row's text invalid: bytes that are not UTF-8 (a binary text column), or characters
 * that are not text: unpaired UTF-16 surrogates, control characters other than tab, line feed,
 * carriage return and form feed, and the non-characters U+FFFE/U+FFFF (a CAS holding them cannot be
 * written as XMI, and no tokenizer makes words of them).
 */
final class TextCheck {
    private TextCheck() {}

    /** The problem with {@code text}, or null when it is valid. */
    static String problem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "unpaired surrogate " + hex(c) + " at offset " + i;
            }
            if (Character.isLowSurrogate(c)) {
                return "unpaired surrogate " + hex(c) + " at offset " + i;
            }
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') {
                return "control character " + hex(c) + " at offset " + i;
            }
            if (c == 0xFFFE || c == 0xFFFF) {
                return "non-character " + hex(c) + " at offset " + i;
            }
        }
        return null;
    }

    /**
     * Decodes UTF-8 strictly.
     *
     * @throws IllegalArgumentException naming the byte offset of the first malformed sequence
     */
    static String utf8(byte[] bytes) {
        CharsetDecoder d =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = d.decode(in, out, true);
        if (r.isError()) {
            throw new IllegalArgumentException(
                    "not valid UTF-8: malformed byte sequence at byte " + in.position());
        }
        d.flush(out);
        return out.flip().toString();
    }

    private static String hex(char c) {
        return String.format(Locale.ROOT, "U+%04X", (int) c);
    }
}
