package org.fewner.training.source;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.training.data.ExampleFiles;
import org.fewner.training.data.ExampleReport;
import org.fewner.training.data.TrainingExample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one intake of training sources, shared by every trainer ({@code fewner train --method span |
 * generative}, {@code fewner sft export}, the developer tools): parses the {@code FORMAT:FILE[@N]}
 * specifications, refuses evaluation data, reads each file through the readers and the collector
 * ({@link SourceCorpora}), keeps a seeded sample of at most N sentences of it ({@link #sample}),
 * and records each file in {@code training.json} by corpus, file name and sha256 ({@link FileRef}),
 * never by path.
 */
public final class SourceIntake {
    private static final Logger LOG = LoggerFactory.getLogger(SourceIntake.class);

    /** Longest sentence kept (words); longer ones are skipped and counted by the collector. */
    public static final int MAX_WORDS = 200;

    private SourceIntake() {}

    /**
     * One {@code --source} item.
     *
     * @param source the file, its format and corpus
     * @param cap at most this many sentences (a seeded sample); 0 = all
     */
    public record Spec(SourceCorpora.Source source, int cap) {
        /** Parses {@code FORMAT:FILE[@MAX_SENTENCES]}. */
        public static Spec parse(String spec) {
            int cap = 0;
            String s = spec;
            int at = s.lastIndexOf('@');
            if (at > s.indexOf(':')) {
                try {
                    cap = Integer.parseInt(s.substring(at + 1));
                } catch (NumberFormatException e) {
                    throw new FewNerException(
                            "--source " + spec + ": expected FORMAT:FILE[@MAX_SENTENCES]", e);
                }
                if (cap <= 0) {
                    throw new FewNerException(
                            "--source "
                                    + FewNerException.quote(spec)
                                    + ": @"
                                    + cap
                                    + " must be a positive number of sentences (omit @N to use"
                                    + " them all)");
                }
                s = s.substring(0, at);
            }
            return new Spec(SourceCorpora.parse(s), cap);
        }
    }

    /** What the sources give: the examples kept (in source order) and the summed report. */
    public record Result(List<TrainingExample> examples, ExampleReport report) {}

    /**
     * Reads every source: each is checked against {@code targets} ({@link
     * TargetFiles#checkNotATarget}), collected (lower-cased when asked) and sampled with {@code
     * seed}. Writes {@code source_files} (corpus, file, sha256, format, sentences read and used)
     * and {@code collector_report} into {@code record}.
     */
    public static Result read(
            List<String> specs,
            List<Path> targets,
            Path work,
            boolean lowerCase,
            long seed,
            ObjectNode record) {
        List<TrainingExample> examples = new ArrayList<>();
        ExampleReport report = new ExampleReport();
        ArrayNode files = record.putArray("source_files");
        for (String text : specs) {
            Spec spec = Spec.parse(text);
            SourceCorpora.Source src = spec.source();
            TargetFiles.checkNotATarget(src.file(), targets);
            ExampleFiles.Collected col = SourceCorpora.read(src, work, lowerCase, MAX_WORDS);
            List<TrainingExample> kept = sample(col.examples(), spec.cap(), seed);
            examples.addAll(kept);
            report.add(col.report());
            FileRef ref = FileRef.of(src.file());
            ObjectNode f = files.addObject();
            f.put("corpus", src.corpus());
            f.put("file", ref.file());
            f.put("sha256", ref.sha256());
            f.put("format", src.format());
            f.put("sentences_read", col.report().sentencesRead);
            f.put("sentences_used", kept.size());
            LOG.info(
                    "{} [{}]: {}; {} sampled",
                    src.file(),
                    src.corpus(),
                    col.report().summary(),
                    kept.size());
        }
        record.set("collector_report", Json.MAPPER.valueToTree(report));
        return new Result(examples, report);
    }

    /** Seeded sample of at most {@code cap} examples, in input order. */
    public static List<TrainingExample> sample(List<TrainingExample> in, int cap, long seed) {
        if (cap <= 0 || in.size() <= cap) {
            return in;
        }
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            idx.add(i);
        }
        Collections.shuffle(idx, new Random(seed));
        List<Integer> keep = new ArrayList<>(idx.subList(0, cap));
        Collections.sort(keep);
        List<TrainingExample> out = new ArrayList<>();
        keep.forEach(i -> out.add(in.get(i)));
        return out;
    }
}
