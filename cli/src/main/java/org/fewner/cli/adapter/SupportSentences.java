package org.fewner.cli.adapter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fewner.common.FewNerException;
import org.fewner.readers.Chunk;
import org.fewner.readers.ColumnFileParser;
import org.fewner.readers.LabelledSentence;
import org.fewner.readers.LineReader;
import org.fewner.readers.TagDecoder;
import org.fewner.readers.TagScheme;

/**
 * The sentences of a support file as token lists, for {@code adapter compose}'s placeholder loss
 * (labels are read and checked by the readers module's {@link ColumnFileParser}, but not used yet):
 * the format names of {@code fewner stats}: {@code conll2003} = CoNLL-2003 4 columns, {@code conll}
 * = token and label (WNUT-17, NCBI/BC5CDR, ProML/CONTaiNER support samples).
 */
final class SupportSentences {
    private SupportSentences() {}

    /**
     * The support sentences' tokens, and the entity types of their gold chunks with counts. PEFT
     * adapters carry no label set, so the types cannot be checked against the adapters: they are
     * decoded (a malformed tag is an error naming file and line) and reported, and the placeholder
     * loss uses the text alone (docs/errors.md).
     */
    record Support(List<List<String>> tokens, java.util.SortedMap<String, Integer> types) {}

    static List<List<String>> read(Path file, String format) {
        return readSupport(file, format).tokens();
    }

    static Support readSupport(Path file, String format) {
        int columns =
                switch (format) {
                    case "conll2003" -> 4;
                    case "conll" -> 2;
                    default ->
                            throw new FewNerException(
                                    "--format: expected conll2003 or conll (as in fewner stats), got '"
                                            + format
                                            + "'");
                };
        List<List<String>> out = new ArrayList<>();
        List<LabelledSentence> sentences = new ArrayList<>();
        try (ColumnFileParser p =
                new ColumnFileParser(
                        LineReader.open(file),
                        columns,
                        columns == 4 ? "token POS chunk NER" : "token label")) {
            LabelledSentence s;
            while ((s = p.next()) != null) {
                if (s.size() > 0) {
                    out.add(s.tokens());
                    sentences.add(s);
                }
            }
        } catch (IOException e) {
            throw new FewNerException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new FewNerException(file + ": no sentences found");
        }
        TagScheme scheme =
                TagDecoder.detect(sentences.stream().flatMap(x -> x.labels().stream()).toList());
        java.util.SortedMap<String, Integer> types = new java.util.TreeMap<>();
        for (LabelledSentence s : sentences) {
            for (Chunk c : s.chunks(file.toString(), s.lines()[0], scheme, false)) {
                types.merge(c.type(), 1, Integer::sum);
            }
        }
        return new Support(out, types);
    }
}
