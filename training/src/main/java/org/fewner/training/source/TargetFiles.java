package org.fewner.training.source;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.ner.LabeledSentence;
import org.fewner.training.data.TrainingExample;

/**
 * Evaluation targets ({@code --target}) against the sources: a source that is evaluation data is
 * refused, and source sentences that occur in a target are dropped and counted.
 */
public final class TargetFiles {
    /** Files under the shared datasets that are evaluation targets: never a source. */
    static final List<String> EVALUATION_FILES =
            List.of(
                    "few-nerd/",
                    "crossdomain/",
                    "conll2003/eng.testb",
                    "conll2003/eng.testa",
                    "wnut17/emerging.test.annotated",
                    "wnut17/emerging.dev.conll",
                    "ncbi-disease/test.tsv",
                    "bc5cdr/test.tsv");

    private TargetFiles() {}

    /** Refuses a source that is an evaluation target (a {@code --target} or a known test file). */
    public static void checkNotATarget(Path source, List<Path> targets) {
        Path abs = source.toAbsolutePath().normalize();
        for (Path t : targets) {
            if (abs.equals(t.toAbsolutePath().normalize())) {
                throw new FewNerException(
                        source + ": is an evaluation target (--target); it cannot be a source");
            }
        }
        String s = abs.toString().replace('\\', '/');
        int at = s.indexOf("/datasets/");
        if (at >= 0) {
            String rel = s.substring(at + "/datasets/".length());
            for (String e : EVALUATION_FILES) {
                if (rel.startsWith(e)) {
                    throw new FewNerException(
                            source
                                    + ": is evaluation data ("
                                    + e
                                    + "); training on it would make every figure on it meaningless");
                }
            }
            boolean gumTarget = false;
            for (Path t : targets) {
                gumTarget |= t.toString().toLowerCase(Locale.ROOT).contains("gum");
            }
            if (rel.startsWith("source/gum-nontarget/") && gumTarget) {
                throw new FewNerException(
                        source
                                + ": GUM's train split overlaps GUM's evaluation data (PROVENANCE.md); not allowed with a GUM target");
            }
        }
    }

    /**
     * Lower-cased sentence keys of a target: Few-NERD episodes (support and query) or a column
     * file.
     */
    public static Set<String> targetSentences(Path target, Path work) {
        Set<String> keys = new HashSet<>();
        String name = target.getFileName().toString();
        if (name.endsWith(".jsonl") || name.endsWith(".jsonl.gz")) {
            for (Episodes.Episode e : Episodes.read(target, 0)) {
                for (LabeledSentence s : e.support().sentences()) {
                    keys.add(String.join(" ", s.sentence().words()).toLowerCase(Locale.ROOT));
                }
                for (LabeledSentence s : e.query()) {
                    keys.add(String.join(" ", s.sentence().words()).toLowerCase(Locale.ROOT));
                }
            }
        } else {
            SourceCorpora.Source src =
                    new SourceCorpora.Source(
                            columnFormat(target),
                            target,
                            // one work file per target, also for equal names (bc5cdr/test.tsv,
                            // ncbi-disease/test.tsv)
                            "target-" + SourceCorpora.corpusName(target));
            for (TrainingExample ex : SourceCorpora.read(src, work, true, 0).examples()) {
                keys.add(ex.key());
            }
        }
        return keys;
    }

    /**
     * The column format of a target file: {@code conll2003} when its first data line has four
     * columns (token, POS, chunk, label: CoNLL-2003's {@code eng.test*}), else {@code bio} (token
     * and label, e.g. WNUT-17, the BioNLP TSVs, CrossNER).
     */
    public static String columnFormat(Path target) {
        try (BufferedReader r = Files.newBufferedReader(target)) {
            String line;
            while ((line = r.readLine()) != null) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("-DOCSTART-")) {
                    continue;
                }
                return t.split("\\s+").length == 4 && !t.contains("\t") ? "conll2003" : "bio";
            }
            return "bio";
        } catch (IOException e) {
            throw new FewNerException(
                    target + ": cannot read the target file: " + e.getMessage(), e);
        }
    }

    /**
     * Drops the examples whose sentence occurs in a target; records the targets ({@code targets}:
     * corpus, file name, sha256) and the count ({@code dropped_overlapping_target_sentences}).
     */
    public static List<TrainingExample> dropOverlapping(
            List<TrainingExample> examples, List<Path> targets, Path work, ObjectNode record) {
        int overlap = 0;
        ArrayNode tj = record.putArray("targets");
        List<TrainingExample> kept = examples;
        if (!targets.isEmpty()) {
            Set<String> keys = new HashSet<>();
            for (Path t : targets) {
                keys.addAll(targetSentences(t, work));
                tj.add(Json.MAPPER.valueToTree(FileRef.of(t)));
            }
            kept = new ArrayList<>();
            for (TrainingExample ex : examples) {
                if (keys.contains(ex.key())) {
                    overlap++;
                } else {
                    kept.add(ex);
                }
            }
        }
        record.put("dropped_overlapping_target_sentences", overlap);
        return kept;
    }
}
