package org.fewner.evaluation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fewner.common.FewNerException;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;

/**
 * One evaluation protocol set up on its files: the tasks, how figures are aggregated, which files
 * are the target's evaluation data (never to be trained on), and what the results should record.
 *
 * @param name {@code fewnerd}, {@code crossdomain} or {@code kshot}
 * @param setting the setting in words, e.g. {@code INTER 5-way 1~2}, {@code CoNLL 1-shot}
 * @param key the setting's key for published rows ({@code inter-5-1}, {@code conll-1}, ...)
 * @param tasks the tasks
 * @param aggregation which aggregate is the headline {@code micro}
 * @param evaluationFiles the target's evaluation files (query and support data)
 * @param details protocol facts for results.json (files, sample ids, counts)
 */
public record Protocol(
        String name,
        String setting,
        String key,
        TaskSource tasks,
        Tally.Aggregation aggregation,
        List<Path> evaluationFiles,
        Map<String, Object> details) {

    private static final Pattern FEWNERD = Pattern.compile("test_(\\d+)_(\\d+)\\.jsonl(\\.gz)?");

    /** The first {@code maxEpisodes} episodes (all when 0) of a Few-NERD episode file. */
    public static Protocol fewNerd(Path file, int maxEpisodes) {
        FewNerdTasks tasks = new FewNerdTasks(file, maxEpisodes);
        String split =
                file.toAbsolutePath().getParent() == null
                        ? ""
                        : file.toAbsolutePath().getParent().getFileName().toString();
        Matcher m = FEWNERD.matcher(file.getFileName().toString());
        String setting = file.getFileName().toString();
        String key = "";
        if (m.matches()) {
            int k = Integer.parseInt(m.group(2));
            setting =
                    split.toUpperCase(Locale.ROOT)
                            + " "
                            + m.group(1)
                            + "-way "
                            + k
                            + "~"
                            + (2 * k)
                            + "-shot";
            key = split.toLowerCase(Locale.ROOT) + "-" + m.group(1) + "-" + k;
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("file", file.toString());
        d.put("episodes", tasks.size());
        d.put("episode_selection", "the first " + tasks.size() + " episodes in file order");
        return new Protocol(
                "fewnerd", setting, key, tasks, Tally.Aggregation.POOLED, List.of(file), d);
    }

    /**
     * The cross-dataset setting (CONTaiNER/ProML): query = ProML's whole {@code <target>-test.txt},
     * support = each of ProML's 10 shipped samples ({@code <target>/<shots>shot/0..9.txt}); the
     * headline is the mean over the 10 samples.
     *
     * @param datasets the {@code ../shared/datasets} folder
     * @param lowercaseQuery lower-case the query words (the shipped support samples are
     *     lower-cased, the query files are not)
     */
    public static Protocol crossDomain(
            Path datasets, String target, int shots, boolean lowercaseQuery) {
        if (!List.of("conll", "gum", "wnut").contains(target)) {
            throw new FewNerException(
                    "--target " + FewNerException.quote(target) + ": expected conll, gum or wnut");
        }
        if (shots != 1 && shots != 5) {
            throw new FewNerException("--shots " + shots + ": expected 1 or 5");
        }
        Path dir = datasets.resolve("crossdomain/proml");
        Path queryFile = dir.resolve(target + "-test.txt");
        if (!Files.isRegularFile(queryFile)) {
            throw new FewNerException(
                    queryFile
                            + ": missing (expected ProML's cross-dataset files under "
                            + dir
                            + ")");
        }
        Corpus query = Corpus.read(queryFile, Corpus.Format.CONLL);
        List<String> types = query.types();
        List<WordSentence> words = query.words();
        if (lowercaseQuery) {
            List<WordSentence> lower = new ArrayList<>(words.size());
            for (WordSentence w : words) {
                lower.add(
                        new WordSentence(
                                w.id(),
                                w.words().stream().map(x -> x.toLowerCase(Locale.ROOT)).toList()));
            }
            words = lower;
        }
        List<Task> tasks = new ArrayList<>();
        List<Path> files = new ArrayList<>(List.of(queryFile));
        List<String> samples = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Path f = dir.resolve(target + "/" + shots + "shot/" + i + ".txt");
            Corpus support = Corpus.read(f, Corpus.Format.CONLL);
            checkSupport(f, support.sentences(), types);
            files.add(f);
            samples.add(datasets.relativize(f).toString());
            tasks.add(
                    new Task(
                            i,
                            datasets.relativize(f).toString(),
                            new SupportSet(types, support.sentences()),
                            words,
                            query.gold()));
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("query_file", datasets.relativize(queryFile).toString());
        d.put("query_sentences", words.size());
        d.put("types", types);
        d.put("samples", samples);
        d.put("lowercase_query", lowercaseQuery);
        d.put(
                "note",
                "ProML's support samples are lower-cased sentences taken from the query file itself "
                        + "(support is a subset of query, see crossdomain/proml/PROVENANCE.md)");
        String name = Map.of("conll", "CoNLL", "gum", "GUM", "wnut", "WNUT").get(target);
        return new Protocol(
                "crossdomain",
                name + " " + shots + "-shot",
                target + "-" + shots,
                new FixedTasks(tasks),
                Tally.Aggregation.MEAN_OVER_EPISODES,
                files,
                d);
    }

    /** Every support mention's type is a target type, and every target type has an example. */
    static void checkSupport(Path file, List<LabeledSentence> support, List<String> types) {
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (LabeledSentence s : support) {
            for (Mention m : s.mentions()) {
                if (!types.contains(m.label())) {
                    throw new FewNerException(
                            file
                                    + ": support type "
                                    + FewNerException.quote(m.label())
                                    + " is not a type of the test data "
                                    + types);
                }
                seen.add(m.label());
            }
        }
        List<String> missing = new ArrayList<>(types);
        missing.removeAll(seen);
        if (!missing.isEmpty()) {
            throw new FewNerException(
                    file
                            + ": type(s) "
                            + missing
                            + " of the test data have no example in this support set");
        }
    }

    /**
     * K-shot supervised: K entities per type sampled from {@code train} with Few-NERD's greedy rule
     * and {@code seed}; the method learns from the sample and predicts the whole test file.
     *
     * @param train {@code FORMAT:FILE}
     * @param test {@code FORMAT:FILE}
     */
    public static Protocol kShot(String train, String test, int k, long seed) {
        Corpus tr = Corpus.read(train);
        Corpus te = Corpus.read(test);
        List<String> types = tr.types();
        for (String t : te.types()) {
            if (!types.contains(t)) {
                throw new FewNerException(
                        te.file()
                                + ": test type "
                                + FewNerException.quote(t)
                                + " never occurs in the training file "
                                + tr.file()
                                + " (types there: "
                                + types
                                + ")");
            }
        }
        List<Integer> ids =
                GreedySampler.sample(tr.sentences(), types, k, seed, tr.file().toString());
        List<LabeledSentence> sample = new ArrayList<>();
        for (int i : ids) sample.add(tr.sentences().get(i));
        Map<String, Integer> perType = new java.util.TreeMap<>();
        for (LabeledSentence s : sample)
            for (Mention m : s.mentions()) perType.merge(m.label(), 1, Integer::sum);
        Task task =
                new Task(
                        0,
                        tr.file().getFileName() + " K=" + k + " seed=" + seed,
                        new SupportSet(types, sample),
                        te.words(),
                        te.gold());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("train_file", tr.file().toString());
        d.put("train_scheme", tr.scheme().name());
        d.put("test_file", te.file().toString());
        d.put("test_scheme", te.scheme().name());
        d.put("test_sentences", te.sentences().size());
        d.put("k", k);
        d.put("seed", seed);
        d.put("types", types);
        d.put("sample_sentence_indices", ids);
        List<String> sampleIds = new ArrayList<>();
        for (LabeledSentence s : sample) sampleIds.add(s.sentence().id());
        d.put("sample_ids", sampleIds);
        d.put("sample_entities_per_type", perType);
        String name =
                te.file().getParent() == null ? "" : te.file().getParent().getFileName().toString();
        return new Protocol(
                "kshot",
                name + " K=" + k,
                name + "-k" + k,
                new FixedTasks(List.of(task)),
                Tally.Aggregation.POOLED,
                List.of(te.file()),
                d);
    }
}
