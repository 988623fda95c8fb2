package org.fewner.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PrintableTest {
    @Test
    void controlCharactersAreEscapedAndOtherTextKept() {
        assertEquals("a\\u0000b\\u001b[2J", Printable.line("a\u0000b\u001b[2J"));
        assertEquals("x\\ny", Printable.line("x\ny").replace("\\u000a", "\\n"));
        assertEquals("x\ny\\u0000", Printable.keepLineBreaks("x\ny\u0000"));
        assertEquals("Zoë 厚生労働省\t😀", Printable.line("Zoë 厚生労働省\t😀"));
    }
}
