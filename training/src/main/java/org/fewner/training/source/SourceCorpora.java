package org.fewner.training.source;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.uima.collection.CollectionReaderDescription;
import org.apache.uima.fit.factory.CollectionReaderFactory;
import org.fewner.common.FewNerException;
import org.fewner.readers.Conll2003Reader;
import org.fewner.readers.FewNerReaderBase;
import org.fewner.readers.TwoColumnReader;
import org.fewner.training.data.ExampleFiles;

/**
 * Reads one {@code FORMAT:FILE} source file through the readers and the collector ({@link
 * SourceIntake} reads the {@code --source} list).
 */
public final class SourceCorpora {
    private SourceCorpora() {}

    /** One source file. */
    public record Source(String format, Path file, String corpus) {}

    /** Parses {@code FORMAT:FILE} ({@code conll|conll2003|two-column|bio}). */
    public static Source parse(String spec) {
        int c = spec.indexOf(':');
        if (c <= 0) {
            throw new FewNerException(
                    "--source: expected FORMAT:FILE (e.g. conll:data/train.txt), got "
                            + FewNerException.quote(spec));
        }
        String format = spec.substring(0, c).toLowerCase(Locale.ROOT);
        Path file = Path.of(spec.substring(c + 1));
        if (!List.of("conll", "two-column", "bio", "conll2003").contains(format)) {
            throw new FewNerException(
                    "--source "
                            + spec
                            + ": unknown format '"
                            + format
                            + "' (expected conll, two-column, bio or conll2003)");
        }
        if (!Files.isRegularFile(file)) {
            throw new FewNerException(file + ": no such source file");
        }
        return new Source(format, file, corpusName(file));
    }

    /**
     * A corpus name from the path: the parent folder's name and the file name, e.g. {@code
     * crossner-ai}.
     */
    public static String corpusName(Path file) {
        Path p = file.toAbsolutePath().normalize();
        String parent = p.getParent() == null ? "" : p.getParent().getFileName().toString();
        String grand =
                p.getParent() != null && p.getParent().getParent() != null
                        ? p.getParent().getParent().getFileName().toString()
                        : "";
        // CrossNER's splits of one domain are one corpus (same types); Few-NERD's and the
        // cross-domain targets' folders are named with their dataset (few-nerd-inter).
        if (grand.equals("crossner") || grand.equals("few-nerd") || grand.equals("crossdomain")) {
            return grand + "-" + parent;
        }
        return parent.isEmpty() ? p.getFileName().toString() : parent;
    }

    /** Reads one source file into examples (lower-cased when asked). */
    public static ExampleFiles.Collected read(
            Source s, Path workDir, boolean lowerCase, int maxWords) {
        CollectionReaderDescription reader;
        try {
            Class<? extends FewNerReaderBase> cls =
                    s.format.equals("conll2003") ? Conll2003Reader.class : TwoColumnReader.class;
            reader =
                    CollectionReaderFactory.createReaderDescription(
                            cls, FewNerReaderBase.PARAM_SOURCE_LOCATION, s.file.toString());
        } catch (Exception e) {
            throw new FewNerException(s.file + ": cannot set up a reader: " + e.getMessage(), e);
        }
        Path target = workDir.resolve(s.corpus + "-" + s.file.getFileName() + ".examples.jsonl");
        return ExampleFiles.collect(reader, s.corpus, target, lowerCase, maxWords);
    }
}
