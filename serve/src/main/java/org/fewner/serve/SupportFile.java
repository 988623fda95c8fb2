package org.fewner.serve;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.fewner.common.FewNerException;

/**
 * A recommender's support set as it persists under {@code --state}: a CoNLL file as the engine's
 * reader reads it ({@code FewNerAnnotator.PARAM_SUPPORT_FORMAT = "conll"}: {@code
 * token<TAB>BIO-label}, a blank line between sentences). Each training document starts with a
 * marker line {@code -DOCSTART- doc=<URL-encoded key>}, which the engine's reader skips (it ends a
 * sentence and is never a token) and which {@link #read} uses to give the documents back, so that a
 * document sent again replaces its sentences after a restart too. The engine itself gets the
 * support set in its support view ({@link SupportView}).
 */
public final class SupportFile {
    static final String DOCSTART = "-DOCSTART- doc=";

    private SupportFile() {}

    /** The file's text for {@code documents}, in their order. */
    public static String format(Collection<SupportDocument> documents) {
        StringBuilder out = new StringBuilder();
        for (SupportDocument d : documents) {
            if (d.sentences().isEmpty()) {
                continue;
            }
            out.append(DOCSTART)
                    .append(URLEncoder.encode(d.key(), StandardCharsets.UTF_8))
                    .append("\n\n");
            for (SupportSentence s : d.sentences()) {
                String[] tags = new String[s.words().size()];
                java.util.Arrays.fill(tags, "O");
                for (SupportSentence.Mention m : s.mentions()) {
                    String label = label(m.label());
                    tags[m.start()] = "B-" + label;
                    for (int i = m.start() + 1; i < m.end(); i++) {
                        tags[i] = "I-" + label;
                    }
                }
                for (int i = 0; i < tags.length; i++) {
                    out.append(word(s.words().get(i))).append('\t').append(tags[i]).append('\n');
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** A word as the column format can hold it: no white space, never the document marker. */
    static String word(String w) {
        String s = w.strip().replaceAll("\\s", "_");
        if (s.isEmpty()) {
            return "_";
        }
        return s.equals("-DOCSTART-") ? "_DOCSTART_" : s;
    }

    /** A label as the column format can hold it: one line, no TAB, no surrounding spaces. */
    static String label(String l) {
        String s = l.replaceAll("[\\t\\r\\n]+", " ").strip();
        return s.isEmpty() ? "_" : s;
    }

    /** The documents of a file that {@link #format} wrote. */
    public static List<SupportDocument> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FewNerException(file + ": cannot read the support file: " + e, e);
        }
        List<SupportDocument> docs = new ArrayList<>();
        String key = null;
        List<SupportSentence> sentences = new ArrayList<>();
        List<String> words = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        int lineNo = 0;
        for (String line : lines) {
            lineNo++;
            if (line.startsWith(DOCSTART)) {
                flush(words, tags, sentences);
                if (key != null) {
                    docs.add(new SupportDocument(key, sentences));
                }
                key =
                        URLDecoder.decode(
                                line.substring(DOCSTART.length()).strip(), StandardCharsets.UTF_8);
                sentences = new ArrayList<>();
            } else if (line.isBlank()) {
                flush(words, tags, sentences);
            } else {
                int tab = line.indexOf('\t');
                if (tab < 0 || key == null) {
                    throw FewNerException.at(
                            file, lineNo, "expected token<TAB>label after a -DOCSTART- line");
                }
                words.add(line.substring(0, tab));
                tags.add(line.substring(tab + 1));
            }
        }
        flush(words, tags, sentences);
        if (key != null) {
            docs.add(new SupportDocument(key, sentences));
        }
        return docs;
    }

    private static void flush(
            List<String> words, List<String> tags, List<SupportSentence> sentences) {
        if (words.isEmpty()) {
            return;
        }
        List<SupportSentence.Mention> ms = new ArrayList<>();
        int start = -1;
        String label = null;
        for (int i = 0; i <= tags.size(); i++) {
            String t = i < tags.size() ? tags.get(i) : "O";
            boolean inside = t.startsWith("I-") && label != null && t.substring(2).equals(label);
            if (!inside && label != null) {
                ms.add(new SupportSentence.Mention(start, i, label));
                label = null;
            }
            if (t.startsWith("B-") || (t.startsWith("I-") && label == null)) {
                start = i;
                label = t.substring(2);
            }
        }
        sentences.add(new SupportSentence(words, ms));
        words.clear();
        tags.clear();
    }
}
