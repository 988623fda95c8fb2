package org.fewner.cli.adapter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fewner.cli.UserFacingException;
import org.fewner.readers.ColumnFileParser;
import org.fewner.readers.LabelledSentence;
import org.fewner.readers.LineReader;

/**
 * The sentences of a support file as token lists, for {@code adapter compose}'s placeholder loss
 * (labels are read and checked by the readers module's {@link ColumnFileParser}, but not used yet):
 * the format names of {@code fewner stats}: {@code conll2003} = CoNLL-2003 4 columns, {@code conll}
 * = token and label (WNUT-17, NCBI/BC5CDR, ProML/CONTaiNER support samples).
 */
final class SupportSentences {
    private SupportSentences() {}

    static List<List<String>> read(Path file, String format) {
        int columns =
                switch (format) {
                    case "conll2003" -> 4;
                    case "conll" -> 2;
                    default ->
                            throw new UserFacingException(
                                    "--format: expected conll2003 or conll (as in fewner stats), got '"
                                            + format
                                            + "'");
                };
        List<List<String>> out = new ArrayList<>();
        try (ColumnFileParser p =
                new ColumnFileParser(
                        LineReader.open(file),
                        columns,
                        columns == 4 ? "token POS chunk NER" : "token label")) {
            LabelledSentence s;
            while ((s = p.next()) != null) {
                if (s.size() > 0) {
                    out.add(s.tokens());
                }
            }
        } catch (IOException e) {
            throw new UserFacingException(e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new UserFacingException(file + ": no sentences found");
        }
        return out;
    }
}
