package org.fewner.cli.adapter;

import org.fewner.cli.UserFacingException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The sentences of a support file, as plain token lists, for {@code adapter compose}'s placeholder loss. A stop-gap
 * parser of the two column formats only (token in the first column, blank line between sentences); the readers
 * module owns real parsing and the training issue replaces this with the NER loss over labelled spans.
 *
 * <ul>
 *   <li>{@code conll}: CoNLL-2003 style, fields separated by spaces/tabs, {@code -DOCSTART-} lines skipped;</li>
 *   <li>{@code tsv}: {@code token<TAB>label} (WNUT-17, NCBI/BC5CDR, ProML and CONTaiNER support samples).</li>
 * </ul>
 */
final class SupportSentences {
    private SupportSentences() {}

    static List<List<String>> read(Path file, String format) {
        if (!format.equals("conll") && !format.equals("tsv")) {
            throw new UserFacingException("--format: expected conll or tsv, got '" + format + "' (this placeholder reads"
                    + " only the two-column token formats; other formats come with the readers module)");
        }
        List<List<String>> out = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    if (!cur.isEmpty()) {
                        out.add(cur);
                        cur = new ArrayList<>();
                    }
                    continue;
                }
                if (line.startsWith("-DOCSTART-")) {
                    continue;
                }
                String[] f = format.equals("tsv") ? line.split("\t") : line.trim().split("\\s+");
                if (f.length < 2 || f[0].isEmpty()) {
                    throw new UserFacingException(file + ":" + n + ": expected a token and a label "
                            + (format.equals("tsv") ? "separated by a tab" : "separated by spaces") + ", got '" + line + "'");
                }
                cur.add(f[0]);
            }
        } catch (IOException e) {
            throw new UserFacingException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        if (out.isEmpty()) {
            throw new UserFacingException(file + ": no sentences found");
        }
        return out;
    }
}
