package org.fewner.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FewNerExceptionTest {
    @Test
    void atNamesFileAndLineAndLeavesOutAnUnknownLine() {
        assertEquals("a.txt:3: bad", FewNerException.at(Path.of("a.txt"), 3, "bad").getMessage());
        assertEquals("a.txt: bad", FewNerException.at(Path.of("a.txt"), 0, "bad").getMessage());
        IllegalStateException cause = new IllegalStateException("x");
        assertSame(cause, FewNerException.at(Path.of("a.txt"), 1, "bad", cause).getCause());
    }

    @Test
    void quoteEscapesLineBreaksAndControlCharactersButKeepsTabs() {
        assertEquals("'a\\nb\\r\\u0000\tc'", FewNerException.quote("a\nb\r\u0000\tc"));
        assertEquals("'\\u2028\\u007f'", FewNerException.quote("\u2028\u007f"));
        assertEquals("null", FewNerException.quote(null));
    }

    @Test
    void quoteCutsLongInputAndGivesItsLength() {
        String q = FewNerException.quote("x".repeat(FewNerException.MAX_QUOTE + 5));
        assertEquals("'" + "x".repeat(FewNerException.MAX_QUOTE) + "...' (205 characters)", q);
    }
}
