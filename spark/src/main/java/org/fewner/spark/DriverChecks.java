package org.fewner.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.fewner.common.AtomicFiles;
import org.fewner.common.FewNerException;
import org.fewner.common.OutputFolder;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.pipeline.TextDocuments;

/**
 * What {@code fewner spark annotate} checks on the driver before Spark starts, so that the usual
 * mistakes end as one line naming the file instead of failed tasks (with their stack traces) and a
 * half-written {@code --output}: the output folder (writable, not someone else's), the adapters
 * (complete, readable files) and, for a directory of text files, that every file is UTF-8.
 * Locations under {@code sparkfiles:} exist only on the executors and are not checked here.
 */
final class DriverChecks {
    /** The command recorded in the output's marker. */
    static final String COMMAND = "spark annotate";

    private DriverChecks() {}

    /**
     * {@code --output}: an existing file is refused; a non-empty folder only with {@code
     * --overwrite} and only when it is an earlier output of this command (its marker, or nothing
     * but Spark's part files from before markers); the folder, or its nearest existing parent, must
     * be writable.
     */
    static void output(Path output, boolean overwrite) {
        if (Files.exists(output) && !Files.isDirectory(output)) {
            throw new FewNerException(
                    output
                            + ": exists and is not a directory (expected an output directory;"
                            + " nothing was written)");
        }
        if (Files.isDirectory(output) && !OutputFolder.contents(output).isEmpty()) {
            boolean ours = COMMAND.equals(OutputFolder.owner(output)) || sparkOutput(output);
            if (!ours) {
                throw new FewNerException(
                        output
                                + ": exists, is not empty and is not the output of 'fewner spark"
                                + " annotate' (choose a new --output; nothing was written or"
                                + " deleted)");
            }
            if (!overwrite) {
                throw new FewNerException(
                        output
                                + ": already holds an earlier output of 'fewner spark annotate'"
                                + " (--overwrite replaces it; or choose another --output)");
            }
        }
        Path p = output.toAbsolutePath().normalize();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null || !Files.isDirectory(p) || !Files.isWritable(p)) {
            throw new FewNerException(
                    output
                            + ": cannot be written ("
                            + (p == null
                                    ? "no existing parent"
                                    : p
                                            + (Files.isDirectory(p)
                                                    ? " is not writable"
                                                    : " is not a directory"))
                            + "; nothing was written)");
        }
    }

    /** A folder holding only what Spark writes (part files, _SUCCESS, checksums). */
    static boolean sparkOutput(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(f -> f.getFileName().toString()).toList();
            return names.contains("_SUCCESS")
                    && names.stream()
                            .allMatch(
                                    n ->
                                            n.startsWith("part-")
                                                    || n.equals("_SUCCESS")
                                                    || n.startsWith(".fewner-")
                                                    || (n.startsWith(".") && n.endsWith(".crc")));
        } catch (IOException e) {
            return false;
        }
    }

    /** An adapter on a local path: a directory whose files read completely. */
    static void adapter(String name, Path dir) {
        if (!Files.exists(dir)) {
            throw new FewNerException(dir + ": no such adapter directory (--adapter " + name + ")");
        }
        LoraAdapter.read(dir);
    }

    /**
     * A directory of text files ({@code --on-invalid fail}): every file must be UTF-8, checked on
     * the driver so that the job does not fail on an executor.
     */
    static void textFiles(Path input) {
        String lower =
                input.getFileName() == null
                        ? ""
                        : input.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!Files.isDirectory(input)
                || lower.endsWith(".parquet")
                || lower.endsWith(".jsonl")
                || lower.endsWith(".json")) {
            return;
        }
        for (Path f : TextDocuments.expand(List.of(input))) {
            byte[] b;
            try {
                b = Files.readAllBytes(f);
            } catch (IOException e) {
                throw new FewNerException(f + ": cannot read: " + e.getMessage(), e);
            }
            try {
                TextCheck.utf8(b);
            } catch (IllegalArgumentException e) {
                throw new FewNerException(
                        f
                                + ": "
                                + e.getMessage()
                                + " (--on-invalid skip skips such documents; nothing was written)",
                        e);
            }
        }
    }

    /**
     * A JSON-lines input: every non-blank line must be a JSON object (Spark turned a line cut in
     * half into a row without id and text, counted as an empty document) in valid UTF-8; checked on
     * the driver, naming the line.
     */
    static void jsonLines(Path input) {
        String lower =
                input.getFileName() == null
                        ? ""
                        : input.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!Files.isRegularFile(input) || !(lower.endsWith(".jsonl") || lower.endsWith(".json"))) {
            return;
        }
        long line = 0;
        try (java.io.BufferedReader r =
                Files.newBufferedReader(input, java.nio.charset.StandardCharsets.UTF_8)) {
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                line++;
                if (l.isBlank()) {
                    continue;
                }
                com.fasterxml.jackson.databind.JsonNode n;
                try {
                    n = org.fewner.common.Json.MAPPER.readTree(l);
                } catch (IOException e) {
                    throw new FewNerException(
                            input
                                    + ":"
                                    + line
                                    + ": not a JSON object (a line cut short?): "
                                    + FewNerException.quote(l)
                                    + " (expected one JSON object per line; nothing was written)",
                            e);
                }
                if (n == null || !n.isObject()) {
                    throw new FewNerException(
                            input
                                    + ":"
                                    + line
                                    + ": not a JSON object: "
                                    + FewNerException.quote(l)
                                    + " (expected one JSON object per line; nothing was written)");
                }
            }
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new FewNerException(
                    input + ":" + (line + 1) + ": not valid UTF-8 (nothing was written)", e);
        } catch (IOException e) {
            throw new FewNerException(input + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Removes what a failed run created: {@code output} when it did not exist before. */
    static void removeCreated(Path output, boolean existedBefore) {
        if (existedBefore || !Files.exists(output)) {
            return;
        }
        try {
            AtomicFiles.deleteRecursively(output);
        } catch (IOException | RuntimeException ignored) {
            // best effort: the error that ended the run is the one to report
        }
    }
}
