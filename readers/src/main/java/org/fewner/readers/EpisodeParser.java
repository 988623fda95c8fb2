package org.fewner.readers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;

/**
 * Streams the episodes of a Few-NERD JSONL file, one line at a time (a file is never loaded whole).
 * Each non-blank line must be an object {@code {"support": {"word": [[...]...], "label":
 * [[...]...]}, "query": {...}, "types": [...]}} with parallel word/label lists; anything else is a
 * {@link FormatException} naming the line. A file without any episode is an error.
 */
public final class EpisodeParser implements Closeable {
    private static final com.fasterxml.jackson.databind.ObjectReader MAPPER =
            Json.MAPPER
                    .reader()
                    .with(
                            com.fasterxml.jackson.databind.DeserializationFeature
                                    .FAIL_ON_TRAILING_TOKENS);

    private final LineReader lines;
    private int episodes;
    private boolean done;

    public EpisodeParser(LineReader lines) {
        this.lines = lines;
    }

    /** The file's name as given. */
    public String name() {
        return lines.name();
    }

    /** Skips the next episode without parsing it; false at the end of the file. */
    public boolean skip() throws IOException {
        String line = nextLine();
        if (line == null) return false;
        episodes++;
        return true;
    }

    /** The next episode, or null at the end of the file. */
    public Episode next() throws IOException {
        String line = nextLine();
        if (line == null) return null;
        int lineNo = lines.lineNumber();
        JsonNode root;
        try {
            root = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new FormatException(
                    name(),
                    lineNo,
                    "not JSON (expected one episode object per line): "
                            + (e.getLocation() == null
                                    ? ""
                                    : "column " + e.getLocation().getColumnNr() + ": ")
                            + org.fewner.common.Json.originalMessage(e),
                    e);
        }
        if (root == null || !root.isObject()) {
            throw new FormatException(
                    name(),
                    lineNo,
                    "expected an episode object {\"support\":…, \"query\":…, \"types\":…}, found "
                            + (root == null
                                    ? "nothing"
                                    : root.getNodeType().toString().toLowerCase()));
        }
        List<LabelledSentence> support = part(root, "support", lineNo);
        List<LabelledSentence> query = part(root, "query", lineNo);
        JsonNode typesNode = root.get("types");
        if (typesNode == null)
            throw new FormatException(
                    name(), lineNo, "episode has no \"types\" (expected a list of type names)");
        List<String> types = strings(typesNode, "types", lineNo);
        if (types.isEmpty()) {
            throw new FormatException(
                    name(), lineNo, "episode has empty \"types\" (expected its N type names)");
        }
        checkLabels(support, "support", types, lineNo);
        checkLabels(query, "query", types, lineNo);
        return new Episode(episodes++, lineNo, support, query, types);
    }

    /**
     * Every gold label must be {@code O} or one of the episode's types (with an optional {@code
     * B-}/{@code I-} prefix): a label outside them would be counted and scored as a type the
     * episode does not ask for.
     */
    private void checkLabels(
            List<LabelledSentence> sentences, String partName, List<String> types, int lineNo) {
        java.util.Set<String> known = new java.util.HashSet<>(types);
        for (int s = 0; s < sentences.size(); s++) {
            List<String> labels = sentences.get(s).labels();
            for (int t = 0; t < labels.size(); t++) {
                String l = labels.get(t);
                if (l.equals("O") || known.contains(l)) {
                    continue;
                }
                if ((l.startsWith("B-") || l.startsWith("I-")) && known.contains(l.substring(2))) {
                    continue;
                }
                if (l.length() >= 2 && l.charAt(1) == '-' || l.isEmpty() || !l.strip().equals(l)) {
                    continue; // a malformed tag: the tag decoder names the exact problem
                }
                throw new FormatException(
                        name(),
                        lineNo,
                        partName
                                + ".label["
                                + s
                                + "]["
                                + t
                                + "] "
                                + FewNerException.quote(l)
                                + " is not among the episode's types "
                                + FewNerException.quote(String.join(", ", types)));
            }
        }
    }

    private String nextLine() throws IOException {
        if (done) return null;
        String line;
        while ((line = lines.readLine()) != null) {
            if (!LineReader.isBlank(line)) return line;
        }
        done = true;
        if (episodes == 0) {
            throw new FormatException(
                    name(),
                    Math.max(1, lines.lineNumber()),
                    "empty file: expected one episode (JSON object) per line");
        }
        return null;
    }

    private List<LabelledSentence> part(JsonNode root, String partName, int lineNo)
            throws FormatException {
        JsonNode part = root.get(partName);
        if (part == null || !part.isObject()) {
            throw new FormatException(
                    name(),
                    lineNo,
                    "episode has no \""
                            + partName
                            + "\" object"
                            + (part == null
                                    ? ""
                                    : " (found "
                                            + part.getNodeType().toString().toLowerCase()
                                            + ")")
                            + " (expected {\"word\": [[tokens]…], \"label\": [[labels]…]})");
        }
        JsonNode words = part.get("word");
        JsonNode labels = part.get("label");
        if (words == null || !words.isArray() || labels == null || !labels.isArray()) {
            throw new FormatException(
                    name(), lineNo, "\"" + partName + "\" needs the lists \"word\" and \"label\"");
        }
        if (words.size() != labels.size()) {
            throw new FormatException(
                    name(),
                    lineNo,
                    partName
                            + ".word has "
                            + words.size()
                            + " sentences but "
                            + partName
                            + ".label has "
                            + labels.size());
        }
        List<LabelledSentence> sentences = new ArrayList<>(words.size());
        for (int s = 0; s < words.size(); s++) {
            List<String> w = strings(words.get(s), partName + ".word[" + s + "]", lineNo);
            List<String> l = strings(labels.get(s), partName + ".label[" + s + "]", lineNo);
            if (w.size() != l.size()) {
                throw new FormatException(
                        name(),
                        lineNo,
                        partName
                                + ".word["
                                + s
                                + "] has "
                                + w.size()
                                + " words but "
                                + partName
                                + ".label["
                                + s
                                + "] has "
                                + l.size()
                                + " labels (expected parallel lists)");
            }
            for (int t = 0; t < w.size(); t++) {
                if (w.get(t).isEmpty())
                    throw new FormatException(
                            name(),
                            lineNo,
                            partName + ".word[" + s + "][" + t + "] is empty (expected a token)");
            }
            int[] lineNos = new int[w.size()];
            Arrays.fill(lineNos, lineNo);
            sentences.add(
                    new LabelledSentence(
                            w, l, lineNos, partName + " sentence " + (s + 1) + ", ", false));
        }
        return sentences;
    }

    private List<String> strings(JsonNode node, String field, int lineNo) throws FormatException {
        if (node == null || !node.isArray()) {
            throw new FormatException(
                    name(), lineNo, field + " is not a list (expected a list of strings)");
        }
        List<String> out = new ArrayList<>(node.size());
        for (JsonNode e : node) {
            if (!e.isTextual())
                throw new FormatException(
                        name(),
                        lineNo,
                        field
                                + " holds "
                                + e.getNodeType().toString().toLowerCase()
                                + " "
                                + e
                                + " (expected strings)");
            out.add(e.textValue());
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
