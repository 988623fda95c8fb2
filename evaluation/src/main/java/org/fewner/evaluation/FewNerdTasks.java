package org.fewner.evaluation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.fewner.common.FewNerException;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;
import org.fewner.readers.Episode;
import org.fewner.readers.EpisodeParser;
import org.fewner.readers.LabelledSentence;
import org.fewner.readers.LineReader;
import org.fewner.readers.TagDecoder;
import org.fewner.readers.TagScheme;

/**
 * The first {@code maxEpisodes} episodes of a Few-NERD episode file ({@code .jsonl} or {@code
 * .jsonl.gz}), in file order, streamed. Labels are IO (maximal runs). Every support and query
 * mention must carry one of the episode's types, and every type must have a support example;
 * anything else is a one-line {@link FewNerException} naming the file and line.
 */
public final class FewNerdTasks implements TaskSource {
    private final Path file;
    private final EpisodeParser parser;
    private final int size;
    private int given;

    public FewNerdTasks(Path file, int maxEpisodes) {
        this.file = file;
        org.fewner.common.InputFiles.requireFile(file);
        int count = validateEpisodes(maxEpisodes);
        this.size = count;
        try {
            this.parser = new EpisodeParser(LineReader.open(file));
        } catch (IOException e) {
            throw wrap(e);
        }
    }

    /**
     * Reads and checks every episode that the run will use (the first {@code max}, all when 0)
     * before anything is written: a bad line at the end of a file (a cut download) is a one-line
     * error before the run's first checkpoint, not after hours of work. Returns their number.
     */
    private int validateEpisodes(int max) {
        int n = 0;
        try (EpisodeParser p = new EpisodeParser(LineReader.open(file))) {
            Episode e;
            while ((n < max || max <= 0) && (e = p.next()) != null) {
                toTask(e);
                n++;
            }
        } catch (IOException e) {
            throw wrap(e);
        }
        if (n == 0) {
            throw new FewNerException(
                    file + ": empty file: expected one episode (JSON object) per line");
        }
        return n;
    }

    static FewNerException wrap(IOException e) {
        return new FewNerException(e.getMessage(), e);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long querySentences() {
        return -1;
    }

    @Override
    public Task next() {
        if (given >= size) return null;
        try {
            Episode e = parser.next();
            if (e == null) return null;
            given++;
            return toTask(e);
        } catch (IOException e) {
            throw wrap(e);
        }
    }

    @Override
    public boolean skip() {
        if (given >= size) return false;
        try {
            boolean ok = parser.skip();
            if (ok) given++;
            return ok;
        } catch (IOException e) {
            throw wrap(e);
        }
    }

    Task toTask(Episode e) {
        String where = file + ":" + e.line() + ": episode " + (e.index() + 1);
        List<String> types = e.types();
        if (types.isEmpty()) {
            throw new FewNerException(where + ": \"types\" is empty (expected the N types)");
        }
        List<LabeledSentence> support = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int s = 0; s < e.support().size(); s++) {
            List<Mention> m = mentions(e.support().get(s), types, where, "support", s);
            for (Mention x : m) seen.add(x.label());
            support.add(
                    new LabeledSentence(
                            new WordSentence(
                                    "e" + e.index() + "s" + s, e.support().get(s).tokens()),
                            m));
        }
        List<String> missing = new ArrayList<>(types);
        missing.removeAll(seen);
        if (!missing.isEmpty()) {
            throw new FewNerException(
                    where
                            + ": type(s) "
                            + missing
                            + " have no example in the support set (each of the episode's types needs one)");
        }
        List<WordSentence> query = new ArrayList<>();
        List<List<Mention>> gold = new ArrayList<>();
        for (int s = 0; s < e.query().size(); s++) {
            query.add(new WordSentence("e" + e.index() + "q" + s, e.query().get(s).tokens()));
            gold.add(mentions(e.query().get(s), types, where, "query", s));
        }
        return new Task(
                e.index(),
                file.getFileName() + ":" + e.line(),
                new SupportSet(types, support),
                query,
                gold);
    }

    private static List<Mention> mentions(
            LabelledSentence s, List<String> types, String where, String part, int index) {
        List<Mention> m;
        try {
            m = Chunks.of(s.labels(), TagScheme.IO);
        } catch (TagDecoder.TagException ex) {
            throw new FewNerException(
                    where + ": " + part + " sentence " + (index + 1) + ": " + ex.getMessage(), ex);
        }
        for (Mention x : m) {
            if (!types.contains(x.label())) {
                throw new FewNerException(
                        where
                                + ": "
                                + part
                                + " sentence "
                                + (index + 1)
                                + " has label "
                                + FewNerException.quote(x.label())
                                + ", not one of the episode's types "
                                + types);
            }
        }
        return m;
    }

    @Override
    public void close() {
        try {
            parser.close();
        } catch (IOException e) {
            // closing a read-only stream: nothing to report
        }
    }
}
