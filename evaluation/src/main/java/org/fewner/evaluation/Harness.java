package org.fewner.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.WordSentence;

/**
 * Runs one protocol's tasks through one or more method variants (e.g. {@code frozen-prototype} at
 * layers 9 and 12 over one shared encoder) on the same tasks, and writes per variant {@code
 * predictions.jsonl}, {@code results.json}, {@code report.md} and {@code f1.png}.
 *
 * <p><b>Checkpoints.</b> After every task, the predictions are flushed and {@code checkpoint.json}
 * (tasks done, each predictions file's length, elapsed time, the configuration) is replaced
 * atomically. {@code resume} truncates each predictions file to its checkpointed length, re-scores
 * it, skips the finished tasks and goes on, so a killed run ends with the same figures as an
 * uninterrupted one (methods are deterministic per task: task {@code i} is adapted with seed {@code
 * seed + i}).
 */
public final class Harness {
    private Harness() {}

    /**
     * One method variant and where its files go.
     *
     * @param name e.g. {@code frozen-prototype} or {@code frozen-prototype-layer9}
     * @param method the method (the harness does not close it)
     * @param dir its output directory
     * @param config its own settings for results.json (method name, layer, ...)
     */
    public record Variant(
            String name, FewShotMethod method, Path dir, Map<String, Object> config) {}

    /**
     * Run-wide settings.
     *
     * @param seed base seed (task {@code i} gets {@code seed + i})
     * @param resume continue from {@code checkpoint.json}
     * @param progress show a progress bar on stderr
     * @param config the configuration for results.json (also checked on resume)
     * @param sourceTraining the adapter's training record, or a map saying there is none
     * @param command the command line, for results and reports
     */
    public record Settings(
            long seed,
            boolean resume,
            boolean progress,
            Map<String, Object> config,
            Map<String, Object> sourceTraining,
            String command) {}

    /** Test hook: called after each checkpoint with the number of tasks done. */
    static volatile java.util.function.IntConsumer afterCheckpoint = n -> {};

    private static final int QUERY_CHUNK = 256;

    /**
     * Runs every task not yet done and writes the outputs.
     *
     * @param encoderStats the shared encoder's counters for results.json (or an empty map)
     * @return per variant, its results.json content
     */
    public static List<Map<String, Object>> run(
            Protocol protocol,
            List<Variant> variants,
            Path out,
            Settings settings,
            Supplier<Map<String, Object>> encoderStats) {
        Path checkpoint = out.resolve("checkpoint.json");
        String fingerprint = Json.line(settings.config());
        int done = 0;
        int resumedCount = 0;
        double elapsedBefore = 0;
        Map<String, Long> bytes = new LinkedHashMap<>();
        if (settings.resume()) {
            boolean killedBeforeFirstCheckpoint =
                    !Files.isRegularFile(checkpoint) && holdsOnlyPredictions(out);
            if (!Files.isRegularFile(checkpoint) && !killedBeforeFirstCheckpoint) {
                throw new FewNerException(
                        checkpoint + ": no checkpoint to resume (run without --resume first)");
            }
            if (killedBeforeFirstCheckpoint) {
                // the run stopped before finishing its first task: nothing of it counts; start over
                System.err.println(
                        out + ": no checkpoint yet (stopped during the first task): starting over");
            }
        }
        if (settings.resume() && Files.isRegularFile(checkpoint)) {
            JsonNode c = Json.readTree(checkpoint);
            if (!fingerprint.equals(c.path("config").asText())) {
                throw new FewNerException(
                        checkpoint
                                + ": the run there had another configuration ("
                                + FewNerException.quote(c.path("config").asText())
                                + "); resume with the same options");
            }
            done = c.path("tasks_done").asInt();
            resumedCount = c.path("resumed").asInt(0);
            elapsedBefore = c.path("elapsed_seconds").asDouble();
            c.path("bytes")
                    .fields()
                    .forEachRemaining(e -> bytes.put(e.getKey(), e.getValue().asLong()));
        } else if (!settings.resume() && Files.exists(out) && !isEmptyDir(out)) {
            throw new FewNerException(
                    out
                            + ": already exists (choose another --out, or --resume to continue a run there)");
        }
        Map<String, Tally> tallies = new LinkedHashMap<>();
        Map<String, BufferedWriter> writers = new LinkedHashMap<>();
        try {
            for (Variant v : variants) {
                Files.createDirectories(v.dir());
                Path p = v.dir().resolve("predictions.jsonl");
                long keep = bytes.getOrDefault(v.name(), 0L);
                if (Files.exists(p)) {
                    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                        f.setLength(keep);
                    }
                } else if (keep > 0) {
                    throw new FewNerException(
                            p
                                    + ": missing, but "
                                    + checkpoint
                                    + " says it holds "
                                    + keep
                                    + " bytes");
                }
                tallies.put(v.name(), keep == 0 ? new Tally() : Predictions.rescore(p));
                writers.put(
                        v.name(),
                        Files.newBufferedWriter(
                                p,
                                StandardCharsets.UTF_8,
                                StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND));
            }
            TaskSource tasks = protocol.tasks();
            for (int i = 0; i < done; i++) {
                if (!tasks.skip()) {
                    throw new FewNerException(
                            checkpoint
                                    + ": says "
                                    + done
                                    + " tasks are done, but there are only "
                                    + i);
                }
            }
            long start = System.nanoTime();
            long querySentences = tasks.querySentences();
            boolean bySentence = querySentences > 0;
            ProgressBar bar =
                    settings.progress()
                            ? bar(
                                    protocol,
                                    tasks,
                                    bySentence,
                                    querySentences,
                                    bySentence
                                            ? sentencesOf(done, querySentences, tasks.size())
                                            : done)
                            : null;
            try {
                if (bar != null) {
                    bar.setExtraMessage(runningF1(tallies));
                }
                Task task;
                while ((task = tasks.next()) != null) {
                    for (Variant v : variants) {
                        runTask(
                                task,
                                v,
                                settings.seed(),
                                writers.get(v.name()),
                                tallies.get(v.name()),
                                bar != null && bySentence && v == variants.get(0) ? bar : null,
                                variants.size());
                    }
                    done++;
                    Map<String, Object> cp = new LinkedHashMap<>();
                    cp.put("tasks_done", done);
                    Map<String, Long> sizes = new LinkedHashMap<>();
                    for (Variant v : variants) {
                        writers.get(v.name()).flush();
                        sizes.put(v.name(), Files.size(v.dir().resolve("predictions.jsonl")));
                    }
                    cp.put("bytes", sizes);
                    cp.put("elapsed_seconds", elapsedBefore + (System.nanoTime() - start) / 1e9);
                    cp.put("config", fingerprint);
                    cp.put("resumed", resumedCount + (settings.resume() ? 1 : 0));
                    Json.writeAtomically(checkpoint, cp);
                    if (bar != null) {
                        if (!bySentence) bar.step();
                        bar.setExtraMessage(runningF1(tallies));
                    }
                    afterCheckpoint.accept(done);
                }
            } finally {
                if (bar != null) bar.close();
            }
            double elapsed = elapsedBefore + (System.nanoTime() - start) / 1e9;
            for (BufferedWriter w : writers.values()) w.close();
            writers.clear();
            List<Map<String, Object>> all = new ArrayList<>();
            for (Variant v : variants) {
                Map<String, Object> r =
                        results(
                                resumedCount + (settings.resume() ? 1 : 0),
                                protocol,
                                v,
                                tallies.get(v.name()),
                                settings,
                                elapsed,
                                done,
                                encoderStats.get());
                Json.writeAtomically(v.dir().resolve("results.json"), r);
                Report.write(v.dir(), r, tallies.get(v.name()));
                all.add(r);
            }
            return all;
        } catch (IOException e) {
            throw new FewNerException(out + ": cannot write: " + e.getMessage(), e);
        } finally {
            for (BufferedWriter w : writers.values()) {
                try {
                    w.close();
                } catch (IOException ignored) {
                    // the run already failed; its own error is what the user needs
                }
            }
        }
    }

    private static long sentencesOf(int done, long total, int tasks) {
        return tasks == 0 ? 0 : total / tasks * done;
    }

    /**
     * Whether {@code p} is a directory holding nothing but what a run writes before its first
     * checkpoint: folders and {@code predictions.jsonl} files.
     */
    static boolean holdsOnlyPredictions(Path p) {
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (var s = Files.walk(p)) {
            return s.allMatch(
                    f ->
                            Files.isDirectory(f)
                                    || f.getFileName().toString().equals("predictions.jsonl")
                                    || ours(f));
        } catch (IOException e) {
            throw new FewNerException(p + ": cannot list: " + e.getMessage(), e);
        }
    }

    /** The output folder's own marker and lock ({@code OutputFolder}): not content. */
    private static boolean ours(Path f) {
        return f.getFileName().toString().startsWith(".fewner-");
    }

    private static boolean isEmptyDir(Path p) {
        if (!Files.isDirectory(p)) return false;
        try (var s = Files.list(p)) {
            return s.filter(f -> !ours(f)).findAny().isEmpty();
        } catch (IOException e) {
            throw new FewNerException(p + ": cannot list: " + e.getMessage(), e);
        }
    }

    private static ProgressBar bar(
            Protocol protocol, TaskSource tasks, boolean bySentence, long sentences, long initial) {
        return new ProgressBarBuilder()
                .setTaskName(protocol.setting())
                .setInitialMax(bySentence ? sentences : tasks.size())
                .setUnit(bySentence ? " sent." : " ep.", 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .showSpeed()
                .setUpdateIntervalMillis(2000)
                .setMaxRenderedLength(150)
                // a resumed run: speed and ETA from the work of this session only
                .startsFrom(initial, java.time.Duration.ZERO)
                .build();
    }

    private static String runningF1(Map<String, Tally> tallies) {
        StringBuilder b = new StringBuilder();
        for (var e : tallies.entrySet()) {
            b.append(' ');
            b.append(tallies.size() > 1 ? e.getKey().replaceAll(".*-", "") + " " : "")
                    .append("F1 ")
                    .append(
                            String.format(
                                    java.util.Locale.ROOT,
                                    "%.2f",
                                    100 * e.getValue().pooled().f1()));
        }
        return b.toString();
    }

    private static void runTask(
            Task task,
            Variant v,
            long seed,
            BufferedWriter w,
            Tally tally,
            ProgressBar bar,
            int nVariants)
            throws IOException {
        FewShotMethod.Recognizer r = v.method().adapt(task.support(), seed + task.index());
        List<WordSentence> q = task.query();
        String episode = Integer.toString(task.index());
        tally.addEpisode(episode);
        for (int from = 0; from < q.size(); from += QUERY_CHUNK) {
            int to = Math.min(q.size(), from + QUERY_CHUNK);
            List<List<ScoredMention>> pred = r.recognize(q.subList(from, to));
            if (pred.size() != to - from) {
                throw new IllegalStateException(
                        v.name()
                                + " returned "
                                + pred.size()
                                + " results for "
                                + (to - from)
                                + " sentences");
            }
            for (int i = from; i < to; i++) {
                List<ScoredMention> p = pred.get(i - from);
                List<org.fewner.ner.Mention> pm = new ArrayList<>(p.size());
                for (ScoredMention s : p) pm.add(s.mention());
                tally.add(episode, task.gold().get(i), pm);
                w.write(
                        Predictions.toJson(
                                task.index(), i, q.get(i).words(), task.gold().get(i), p));
                w.write('\n');
            }
            if (bar != null) bar.stepBy(to - from);
        }
    }

    /** The software version (the Maven project version, filtered into a resource). */
    public static String version() {
        try (var in = Harness.class.getResourceAsStream("/fewner-evaluation.properties")) {
            if (in == null) return "unknown";
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static Map<String, Object> results(
            int resumed,
            Protocol protocol,
            Variant v,
            Tally tally,
            Settings settings,
            double elapsed,
            int tasks,
            Map<String, Object> encoder) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("protocol", protocol.name());
        r.put("setting", protocol.setting());
        r.put("setting_key", protocol.key());
        r.put("method", v.config().getOrDefault("method", v.name()));
        r.put("variant", v.name());
        r.putAll(tally.summary(protocol.aggregation()));
        Map<String, Object> config = new LinkedHashMap<>(settings.config());
        config.putAll(v.config());
        r.put("config", config);
        r.put("protocol_details", protocol.details());
        r.put("source_training", settings.sourceTraining());
        Map<String, Object> sw = new LinkedHashMap<>();
        sw.put("fewner", version());
        sw.put("java", System.getProperty("java.version"));
        sw.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        sw.put("cpus", Runtime.getRuntime().availableProcessors());
        r.put("software", sw);
        r.put("command", settings.command());
        r.put("resumed_times", resumed);
        r.put("tasks", tasks);
        r.put("elapsed_seconds", Tally.round(elapsed));
        r.put("episodes_per_minute", Tally.round(elapsed > 0 ? tasks / (elapsed / 60) : 0));
        r.put(
                "query_sentences_per_second",
                Tally.round(elapsed > 0 ? tally.sentences() / elapsed : 0));
        r.put("encoder", encoder);
        r.put(
                "encoder_scope",
                "counters of the last session only (a resumed run counts from its resume)");
        List<Map<String, Object>> pub = new ArrayList<>();
        for (Published.Row row : Published.rows(protocol.key())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", row.model());
            m.put("f1", row.f1());
            m.put("std", row.std());
            m.put("trained_on_fewnerd_train", row.trainedOnFewNerdTrain());
            m.put("source", row.source());
            pub.add(m);
        }
        r.put("published", pub);
        r.put("predictions", "predictions.jsonl");
        r.put("finished", Instant.now().toString());
        return r;
    }
}
