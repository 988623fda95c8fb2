package org.fewner.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineReaderTest {
    @TempDir Path dir;

    private static List<String> lines(Path p) throws Exception {
        List<String> out = new ArrayList<>();
        try (LineReader r = LineReader.open(p)) {
            String l;
            while ((l = r.readLine()) != null) {
                out.add(l);
                assertEquals(out.size(), r.lineNumber());
            }
        }
        return out;
    }

    @Test
    void splitsAtLfOnlyAndDropsOneCr() throws Exception {
        Path p = dir.resolve("a.txt");
        Files.writeString(p, "a\r\nb\rc\n\u2028x\u0085\n\r\r\nlast");
        assertEquals(List.of("a", "b\rc", "\u2028x\u0085", "\r", "last"), lines(p));
        Files.writeString(p, "one\n\n");
        assertEquals(List.of("one", ""), lines(p));
        Files.writeString(p, "");
        assertEquals(List.of(), lines(p));
    }

    @Test
    void opensGzipByName() throws Exception {
        Path p = dir.resolve("a.txt.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
            o.write("x\ty\n\u00e9\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(List.of("x\ty", "\u00e9"), lines(p));
    }

    @Test
    void invalidUtf8NamesFileAndLine() throws Exception {
        Path p = dir.resolve("bad.txt");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < 5000; i++)
            b.write("line of text\n".getBytes(StandardCharsets.US_ASCII));
        b.write(new byte[] {'a', (byte) 0xC3, '(', '\n'});
        b.write("more\n".getBytes(StandardCharsets.US_ASCII));
        Files.write(p, b.toByteArray());
        try (LineReader r = LineReader.open(p)) {
            for (int i = 0; i < 5000; i++) r.readLine();
            FormatException e = assertThrows(FormatException.class, r::readLine);
            assertEquals(5001, e.line());
            assertTrue(
                    e.getMessage().startsWith(p + ":5001: invalid byte sequence"), e.getMessage());
        }
    }

    @Test
    void notGzipIsAnError() throws Exception {
        Path p = dir.resolve("x.gz");
        Files.writeString(p, "plain");
        FormatException e = assertThrows(FormatException.class, () -> lines(p));
        assertTrue(e.getMessage().contains("gzip"), e.getMessage());
    }

    @Test
    void blankMeansOnlySpacesAndTabs() {
        assertTrue(LineReader.isBlank(""));
        assertTrue(LineReader.isBlank(" \t "));
        assertEquals(false, LineReader.isBlank("\u00a0"));
        assertNull(null);
    }
}
