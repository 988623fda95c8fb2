package org.fewner.readers;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Streams the lines of a text file: gzip is opened transparently when the name ends in {@code .gz},
 * bytes are decoded strictly (invalid input is a {@link FormatException} naming file and line),
 * lines end at LF only and lose one trailing CR. Other characters (U+2028, U+0085, U+FEFF, NBSP)
 * are kept as they are.
 */
public final class LineReader implements Closeable {
    private final String name;
    private final InputStream raw;
    private final CharsetDecoder decoder;
    private final String charsetName;
    private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16).flip();
    private boolean inputDone;
    private String badInput;
    private final char[] buf = new char[1 << 16];
    private int pos;
    private int limit;
    private boolean eof;
    private int lineNumber;
    private final StringBuilder line = new StringBuilder(256);

    /**
     * Reads {@code in} (raw bytes, gzip-compressed if {@code name} ends in .gz) decoded with {@code
     * charset}.
     */
    public LineReader(InputStream in, String name, Charset charset) throws IOException {
        this.name = name;
        InputStream bytes = in;
        if (name.endsWith(".gz")) {
            try {
                bytes = new GZIPInputStream(new BufferedInputStream(in, 1 << 16), 1 << 16);
            } catch (IOException e) {
                in.close();
                throw new FormatException(
                        name, 0, "not a gzip file (the name ends in .gz): " + e.getMessage(), e);
            }
        }
        CharsetDecoder decoder =
                charset.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        this.raw = bytes;
        this.decoder = decoder;
        this.charsetName = charset.name();
    }

    /** Opens a UTF-8 file. */
    public static LineReader open(Path file) throws IOException {
        // a directory, a FIFO (which would block), "-" or a missing file: each its own one line
        org.fewner.common.InputFiles.requireFile(file);
        return new LineReader(Files.newInputStream(file), file.toString(), StandardCharsets.UTF_8);
    }

    /** The name used in error messages. */
    public String name() {
        return name;
    }

    /** 1-based number of the line last returned by {@link #readLine()} (0 before the first). */
    public int lineNumber() {
        return lineNumber;
    }

    /** The next line without its LF and one trailing CR, or null at the end of the file. */
    public String readLine() throws IOException {
        if (eof && pos >= limit) return null;
        line.setLength(0);
        while (true) {
            if (pos >= limit && !fill()) break;
            int start = pos;
            while (pos < limit && buf[pos] != '\n') pos++;
            line.append(buf, start, pos - start);
            if (pos < limit) {
                pos++;
                lineNumber++;
                return stripCr();
            }
        }
        if (line.length() == 0) return null; // the file ended with LF (or is empty)
        lineNumber++;
        return stripCr();
    }

    private String stripCr() {
        int n = line.length();
        if (n > 0 && line.charAt(n - 1) == '\r') line.setLength(n - 1);
        return line.toString();
    }

    private boolean fill() throws IOException {
        if (badInput != null) {
            throw new FormatException(
                    name,
                    lineNumber + 1,
                    "invalid byte sequence (" + badInput + "): expected " + charsetName + " text");
        }
        if (eof) return false;
        CharBuffer out = CharBuffer.wrap(buf);
        while (out.position() == 0) {
            if (!inputDone && !bytes.hasRemaining() || !inputDone && bytes.remaining() < 8) {
                bytes.compact();
                int n;
                try {
                    n = raw.read(bytes.array(), bytes.position(), bytes.remaining());
                } catch (java.util.zip.ZipException | java.io.EOFException e) {
                    throw new FormatException(
                            name, lineNumber + 1, "corrupt gzip data: " + e.getMessage(), e);
                }
                if (n < 0) inputDone = true;
                else bytes.position(bytes.position() + n);
                bytes.flip();
            }
            CoderResult r = decoder.decode(bytes, out, inputDone);
            if (r.isError()) {
                badInput =
                        (r.isMalformed() ? "malformed" : "unmappable")
                                + " input of "
                                + r.length()
                                + " byte(s)";
                break;
            }
            if (inputDone && !bytes.hasRemaining()) {
                decoder.flush(out);
                if (out.position() == 0) {
                    eof = true;
                    pos = limit = 0;
                    return false;
                }
                break;
            }
        }
        if (out.position() == 0) return fill();
        pos = 0;
        limit = out.position();
        return true;
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }

    /** True if the line is empty or only SPACE and TAB characters. */
    public static boolean isBlank(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c != ' ' && c != '\t') return false;
        }
        return true;
    }
}
