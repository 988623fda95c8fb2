package org.fewner.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which texts are valid, on hand-picked cases. */
class TextCheckTest {
    @Test
    void validTexts() {
        assertNull(TextCheck.problem("Café 😀 東京\tline\r\nnext\f"));
        assertNull(TextCheck.problem("e\u0301"));
        assertNull(TextCheck.problem(""));
    }

    @Test
    void invalidTexts() {
        assertEquals("control character U+0000 at offset 1", TextCheck.problem("a\u0000"));
        assertEquals("unpaired surrogate U+D83D at offset 2", TextCheck.problem("ab\uD83D"));
        assertEquals("unpaired surrogate U+DE00 at offset 0", TextCheck.problem("\uDE00x"));
        assertEquals("non-character U+FFFF at offset 0", TextCheck.problem("\uFFFF"));
    }

    @Test
    void strictUtf8() {
        assertEquals("Café 😀", TextCheck.utf8("Café 😀".getBytes(StandardCharsets.UTF_8)));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TextCheck.utf8(new byte[] {'o', 'k', (byte) 0xFF}));
        assertEquals("not valid UTF-8: malformed byte sequence at byte 2", e.getMessage());
    }
}
