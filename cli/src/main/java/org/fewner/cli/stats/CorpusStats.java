package org.fewner.cli.stats;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.fewner.common.FewNerException;
import org.fewner.readers.Chunk;
import org.fewner.readers.ColumnFileParser;
import org.fewner.readers.Episode;
import org.fewner.readers.EpisodeParser;
import org.fewner.readers.FormatException;
import org.fewner.readers.LabelledSentence;
import org.fewner.readers.LineReader;
import org.fewner.readers.TagDecoder;
import org.fewner.readers.TagScheme;

/**
 * Counts a corpus file by the counting rule of {@code datasets/README.md}, streaming it through the
 * readers' parsers ({@link ColumnFileParser}, {@link EpisodeParser}) and chunker ({@link
 * TagDecoder}). The tag scheme is decided per file (IO if no label starts with B-/I-) in the same
 * single pass: sentences are chunked both ways until a BIO label shows up, and a bad label is
 * reported for the scheme the file turns out to have.
 */
public final class CorpusStats {

    /** The input formats of {@code fewner stats}. */
    public enum Format {
        CONLL2003("conll2003"),
        CONLL("conll"),
        FEWNERD_EPISODES("fewnerd-episodes");

        private final String cliName;

        Format(String cliName) {
            this.cliName = cliName;
        }

        /** The name used on the command line. */
        public String cliName() {
            return cliName;
        }

        /** Parses a command-line name. */
        public static Format parse(String name) {
            for (Format f : values()) if (f.cliName.equals(name)) return f;
            throw new FewNerException(
                    "unknown format '" + name + "': expected conll2003, conll or fewnerd-episodes");
        }
    }

    private CorpusStats() {}

    /**
     * Counts {@code file}; the result has the keys {@code file, sentences, tokens, entities, types}
     * and, for episode files, {@code episodes, support_sentences, query_sentences}, in this order.
     */
    public static Map<String, Object> count(String file, Format format) throws IOException {
        Path path = Path.of(file);
        org.fewner.common.InputFiles.requireFile(path);
        Tally tally = new Tally(file);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("file", file);
        if (format == Format.FEWNERD_EPISODES) {
            long episodes = 0;
            long support = 0;
            long query = 0;
            try (EpisodeParser parser = new EpisodeParser(LineReader.open(path))) {
                Episode e;
                while ((e = parser.next()) != null) {
                    episodes++;
                    support += e.support().size();
                    query += e.query().size();
                    for (LabelledSentence s : e.support()) tally.add(s, e.line());
                    for (LabelledSentence s : e.query()) tally.add(s, e.line());
                }
            }
            tally.finish(out);
            out.put("episodes", episodes);
            out.put("support_sentences", support);
            out.put("query_sentences", query);
        } else {
            int columns = format == Format.CONLL2003 ? 4 : 2;
            String hint = format == Format.CONLL2003 ? "token POS chunk NER" : "token<TAB>label";
            try (ColumnFileParser parser =
                    new ColumnFileParser(LineReader.open(path), columns, hint)) {
                LabelledSentence s;
                while ((s = parser.next()) != null) tally.add(s, 0);
            }
            tally.finish(out);
        }
        return out;
    }

    /** Sentence, token and chunk counts under both schemes until the file's scheme is known. */
    static final class Tally {
        private final String file;
        private long sentences;
        private long tokens;
        private boolean bio;
        private final Map<String, Long> bioTypes = new TreeMap<>();
        private final Map<String, Long> ioTypes = new TreeMap<>();
        private FormatException bioError;
        private FormatException ioError;

        Tally(String file) {
            this.file = file;
        }

        void add(LabelledSentence s, int line) {
            sentences++;
            tokens += s.size();
            if (!bio) {
                for (String label : s.labels()) {
                    if (TagDecoder.isBioPrefixed(label)) {
                        bio = true;
                        break;
                    }
                }
            }
            if (bioError == null) {
                try {
                    addAll(bioTypes, TagDecoder.decodeBio(s.labels(), false));
                } catch (TagDecoder.TagException e) {
                    bioError = s.error(file, line, e);
                }
            }
            if (!bio && ioError == null) {
                try {
                    addAll(ioTypes, TagDecoder.decodeIo(s.labels()));
                } catch (TagDecoder.TagException e) {
                    ioError = s.error(file, line, e);
                }
            }
        }

        private static void addAll(Map<String, Long> types, List<Chunk> chunks) {
            for (Chunk c : chunks) types.merge(c.type(), 1L, Long::sum);
        }

        void finish(Map<String, Object> out) throws FormatException {
            FormatException error = bio ? bioError : ioError;
            if (error != null) throw error;
            Map<String, Long> types = bio ? bioTypes : ioTypes;
            long entities = 0;
            for (long n : types.values()) entities += n;
            out.put("sentences", sentences);
            out.put("tokens", tokens);
            out.put("entities", entities);
            out.put("types", types);
        }

        /** The scheme the file turned out to have. */
        TagScheme scheme() {
            return bio ? TagScheme.BIO : TagScheme.IO;
        }
    }
}
