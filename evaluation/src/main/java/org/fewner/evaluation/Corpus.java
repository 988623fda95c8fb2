package org.fewner.evaluation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.fewner.common.FewNerException;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.WordSentence;
import org.fewner.readers.ColumnFileParser;
import org.fewner.readers.LabelledSentence;
import org.fewner.readers.LineReader;
import org.fewner.readers.TagDecoder;
import org.fewner.readers.TagScheme;

/**
 * A whole column file read into labelled sentences: CoNLL-2003's 4 columns ({@code conll2003}) or
 * {@code token<TAB>label} ({@code conll}), as {@code fewner stats} names the formats. The tag
 * scheme is decided per file (README rule 6: IO when no label starts with B-/I-, else BIO by the
 * conlleval rule, which serves IOB1 and IOB2 alike).
 *
 * @param file the file
 * @param scheme the scheme found
 * @param sentences the sentences with their mentions
 */
public record Corpus(Path file, TagScheme scheme, List<LabeledSentence> sentences) {

    /** The input formats. */
    public enum Format {
        CONLL2003("conll2003", 4, "token POS chunk NER"),
        CONLL("conll", 2, "token<TAB>label");

        public final String id;
        final int columns;
        final String hint;

        Format(String id, int columns, String hint) {
            this.id = id;
            this.columns = columns;
            this.hint = hint;
        }

        public static Format of(String id) {
            for (Format f : values()) if (f.id.equals(id.toLowerCase(Locale.ROOT))) return f;
            throw new FewNerException(
                    "unknown format "
                            + FewNerException.quote(id)
                            + ": expected conll2003 or conll");
        }
    }

    /** Reads {@code FORMAT:FILE}. */
    public static Corpus read(String formatAndFile) {
        int colon = formatAndFile.indexOf(':');
        if (colon <= 0) {
            throw new FewNerException(
                    FewNerException.quote(formatAndFile)
                            + ": expected FORMAT:FILE (FORMAT conll2003 or conll)");
        }
        return read(
                Path.of(formatAndFile.substring(colon + 1)),
                Format.of(formatAndFile.substring(0, colon)));
    }

    /** Reads {@code file} in {@code format}; bad input is a one-line error naming file and line. */
    public static Corpus read(Path file, Format format) {
        org.fewner.common.InputFiles.requireFile(file);
        List<LabelledSentence> raw = new ArrayList<>();
        try (ColumnFileParser p =
                new ColumnFileParser(LineReader.open(file), format.columns, format.hint)) {
            LabelledSentence s;
            while ((s = p.next()) != null) raw.add(s);
        } catch (IOException e) {
            throw new FewNerException(e.getMessage(), e);
        }
        List<String> all = new ArrayList<>();
        for (LabelledSentence s : raw) all.addAll(s.labels());
        TagScheme scheme = TagDecoder.detect(all);
        List<LabeledSentence> out = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            LabelledSentence s = raw.get(i);
            List<Mention> m;
            try {
                m = Chunks.of(s.labels(), scheme);
            } catch (TagDecoder.TagException e) {
                throw new FewNerException(s.error(file.toString(), 0, e).getMessage(), e);
            }
            out.add(
                    new LabeledSentence(
                            new WordSentence(file.getFileName() + ":" + s.lines()[0], s.tokens()),
                            m));
        }
        return new Corpus(file, scheme, out);
    }

    /** The entity types of the file, sorted. */
    public List<String> types() {
        TreeSet<String> t = new TreeSet<>();
        for (LabeledSentence s : sentences) for (Mention m : s.mentions()) t.add(m.label());
        return List.copyOf(t);
    }

    /** The words of every sentence. */
    public List<WordSentence> words() {
        List<WordSentence> w = new ArrayList<>(sentences.size());
        for (LabeledSentence s : sentences) w.add(s.sentence());
        return w;
    }

    /** The gold mentions of every sentence. */
    public List<List<Mention>> gold() {
        List<List<Mention>> g = new ArrayList<>(sentences.size());
        for (LabeledSentence s : sentences) g.add(s.mentions());
        return g;
    }
}
