package org.fewner.common;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The one configured JSON reader and writer of FewNER. Every module reads and writes JSON through
 * {@link #MAPPER} (or the helpers here), so that output looks the same everywhere and parse errors
 * are one line with file, line and column.
 *
 * <p>Settings: pretty output with a stable field order as declared; no Jackson source excerpts in
 * error messages (they are multi-line and may echo megabytes of input); unknown properties are not
 * an error for records read from files written by other tools.
 */
public final class Json {
    /** The shared, thread-safe mapper. Do not reconfigure it: derive a reader or writer instead. */
    public static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                    .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .build();

    private Json() {}

    /** One object on one line (JSON lines), without pretty-printing. */
    public static String line(Object value) {
        try {
            return MAPPER.writer()
                    .without(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot write JSON for " + value.getClass().getName(), e);
        }
    }

    /** Pretty-printed JSON text. */
    public static String pretty(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot write JSON for " + value.getClass().getName(), e);
        }
    }

    /**
     * Reads a whole JSON file as a tree; any problem is a one-line {@link FewNerException} naming
     * the file.
     */
    public static JsonNode readTree(Path file) {
        InputFiles.requireFile(file);
        try {
            return MAPPER.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new FewNerException(file + problemOf(e), e);
        } catch (IOException e) {
            throw new FewNerException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Parses one JSON text that came from {@code line} of {@code file}; errors name the file, line
     * and column.
     */
    public static JsonNode parseLine(Path file, long line, String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String col = loc == null ? "" : ":" + loc.getColumnNr();
            throw new FewNerException(
                    file + ":" + line + col + ": not valid JSON: " + originalMessage(e), e);
        }
    }

    /**
     * Writes pretty JSON to {@code file} atomically (a temporary sibling renamed over the target),
     * so a reader never sees half a file.
     */
    public static void writeAtomically(Path file, Object value) {
        AtomicFiles.writeString(file, pretty(value) + "\n");
    }

    /** {@code :line:column: not valid JSON: message} for a parse error, one line. */
    public static String problemOf(JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        String where = loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr();
        return where + ": not valid JSON: " + originalMessage(e);
    }

    /**
     * Jackson's message without its location suffix or source excerpt, on one line and at most ~200
     * characters of quoted input.
     */
    public static String originalMessage(JsonProcessingException e) {
        String m = String.valueOf(e.getOriginalMessage());
        m = m.replaceAll("\\[Source: [^;\\]]*; ", "[");
        m = m.replaceAll("\\s*[\\r\\n]+\\s*", " ");
        return m.length() <= 300 ? m : m.substring(0, 300) + "...";
    }
}
