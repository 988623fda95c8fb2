package org.fewner.readers;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.fewner.common.FewNerException;

/**
 * Streams the sentences of a column file (CoNLL-2003 4-column, or 2-column {@code token label}), by
 * the counting rule of {@code datasets/README.md}: a line that is empty or only spaces/tabs is
 * blank; a line whose first field is {@code -DOCSTART-} ends the current sentence and is never a
 * token; a sentence is a maximal run of the other lines. A line with a TAB is split on TAB only
 * (labels may hold spaces, e.g. {@code GATE-creative work}); other lines on runs of spaces. The
 * first field is the token, the last the label, and each token line must have exactly the expected
 * number of fields. A file without any token line is an error.
 */
public final class ColumnFileParser implements Closeable {
    /** First field of a document marker line. */
    public static final String DOCSTART = "-DOCSTART-";

    private final LineReader lines;
    private final int columns;
    private final String columnsHint;
    private boolean pendingDocStart;
    private boolean done;
    private long sentences;

    /**
     * @param lines the file
     * @param columns the exact number of fields of a token line (4 for CoNLL-2003, 2 for
     *     token/label files)
     * @param columnsHint what the columns are, for error messages (e.g. "token POS chunk NER")
     */
    public ColumnFileParser(LineReader lines, int columns, String columnsHint) {
        if (columns < 2) throw new IllegalArgumentException("columns must be >= 2");
        this.lines = lines;
        this.columns = columns;
        this.columnsHint = columnsHint;
    }

    /** The file's name as given. */
    public String name() {
        return lines.name();
    }

    /** The next sentence, or null at the end of the file. */
    public LabelledSentence next() throws IOException {
        if (done) return null;
        List<String> tokens = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        IntList lineNos = new IntList();
        boolean newDocument = pendingDocStart;
        String line;
        while ((line = lines.readLine()) != null) {
            if (LineReader.isBlank(line)) {
                if (!tokens.isEmpty()) break;
                continue;
            }
            String[] fields = split(line);
            if (fields[0].equals(DOCSTART)) {
                if (!tokens.isEmpty()) {
                    pendingDocStart = true;
                    return finish(tokens, labels, lineNos, newDocument);
                }
                newDocument = true;
                continue;
            }
            if (fields.length != columns) {
                throw new FormatException(
                        name(),
                        lines.lineNumber(),
                        "expected "
                                + columns
                                + " columns ("
                                + columnsHint
                                + ", split on TAB if the line has one, else on spaces), found "
                                + fields.length
                                + ": "
                                + FewNerException.quote(line));
            }
            for (int f = 0; f < fields.length; f++) {
                if (fields[f].isEmpty()) {
                    throw new FormatException(
                            name(),
                            lines.lineNumber(),
                            "column "
                                    + (f + 1)
                                    + " is empty (expected "
                                    + columnsHint
                                    + "): "
                                    + FewNerException.quote(line));
                }
            }
            tokens.add(fields[0]);
            labels.add(fields[fields.length - 1]);
            lineNos.add(lines.lineNumber());
        }
        if (tokens.isEmpty()) {
            done = true;
            if (sentences == 0) {
                throw new FormatException(
                        name(),
                        Math.max(1, lines.lineNumber()),
                        "empty file: expected sentences of "
                                + columns
                                + "-column token lines ("
                                + columnsHint
                                + ")");
            }
            return null;
        }
        pendingDocStart = false;
        return finish(tokens, labels, lineNos, newDocument);
    }

    private LabelledSentence finish(
            List<String> tokens, List<String> labels, IntList lineNos, boolean newDocument) {
        sentences++;
        return new LabelledSentence(tokens, labels, lineNos.toArray(), "", newDocument);
    }

    /**
     * Splits a line: on TAB only if it holds one, else on runs of SPACE (leading/trailing spaces
     * ignored).
     */
    static String[] split(String line) {
        if (line.indexOf('\t') >= 0) return line.split("\t", -1);
        List<String> fields = new ArrayList<>(4);
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && line.charAt(i) == ' ') i++;
            int start = i;
            while (i < n && line.charAt(i) != ' ') i++;
            if (i > start) fields.add(line.substring(start, i));
        }
        return fields.toArray(new String[0]);
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }

    /** Growable int array. */
    static final class IntList {
        private int[] a = new int[32];
        private int n;

        void add(int v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
