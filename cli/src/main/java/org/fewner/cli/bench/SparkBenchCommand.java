package org.fewner.cli.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fewner.cli.options.Range;
import org.fewner.common.AtomicFiles;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.spark.FewNerSparkConfig;
import org.fewner.spark.SparkBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fewner bench spark}: the documents of {@code fewner bench annotate} (CoNLL-2003 testb
 * rebuilt as plain documents) through the pipeline run directly and through Spark on each {@code
 * --master}: documents/s, tokens/s, scaling efficiency and the share of time outside the pipeline.
 */
@Command(
        name = "spark",
        mixinStandardHelpOptions = true,
        description = {
            "Throughput of FewNerSpark.annotate on local masters against the pipeline run directly"
                    + " (the loop of 'fewner bench annotate'), on CoNLL-2003 testb rebuilt as plain"
                    + " documents.",
            "Prints a Markdown table; writes bench-spark.json and bench-spark.md with --out."
        })
public final class SparkBenchCommand implements Runnable {
    /**
     * The command line's main class, by name: a class literal would make this sub-package depend on
     * the root package that registers it (a package cycle; see ArchitectureTest).
     */
    static final String FEWNER_MAIN_CLASS = "org.fewner.cli.FewNer";

    @Option(
            names = "--master",
            required = true,
            paramLabel = "local[N]",
            description = "Spark master, repeatable (e.g. --master local[1] --master local[2]).")
    List<String> masters = new ArrayList<>();

    @Option(names = "--model", defaultValue = "default", description = "Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(
            names = "--method",
            defaultValue = "frozen-prototype",
            description = "Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "Method option.")
    List<String> options = new ArrayList<>();

    @Option(
            names = "--test",
            paramLabel = "FILE",
            description = "CoNLL-2003 file. Default: <shared>/datasets/conll2003/eng.testb.")
    Path test;

    @Option(
            names = "--support",
            defaultValue = "examples/data/news-support.conll",
            description = "Default: ${DEFAULT-VALUE}.")
    Path support;

    @Option(names = "--format", defaultValue = "conll", description = "Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(
            names = "--max-docs",
            defaultValue = "40",
            description = "The first N documents (0 = all). Default: ${DEFAULT-VALUE}.")
    @Range(min = 0, note = "0 = all")
    int maxDocs;

    @Option(names = "--batch-size", defaultValue = "16", description = "Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    int batchSize;

    @Option(
            names = "--partitions-per-slot",
            defaultValue = "4",
            description = "Partitions = N x this for local[N]. Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    int partitionsPerSlot;

    @Option(
            names = "--torch-threads",
            defaultValue = "1",
            description =
                    "libtorch intra-op threads of the JVM (one model thread per task slot)."
                            + " Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    int torchThreads;

    @Option(names = "--out", paramLabel = "DIR", description = "Write bench-spark.json and .md.")
    Path out;

    /**
     * Internal: measure this one setup in this JVM and print its row (the parent runs one JVM
     * each).
     */
    @Option(names = "--setup", hidden = true)
    String setup;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        try {
            bench();
        } catch (FewNerException e) {
            throw new FewNerException(e.getMessage(), e);
        } catch (NoClassDefFoundError e) {
            throw new FewNerException(
                    "Apache Spark is not on the class path (" + e.getMessage() + "): run ./fewner",
                    e);
        } catch (Exception e) {
            throw new IllegalStateException("bench spark failed: " + e, e);
        }
    }

    static final String ROW = "fewner-bench-spark-row: ";

    /** Runs this command with --setup in a new JVM (same java, JVM options, class path). */
    @SuppressWarnings("unchecked")
    Map<String, Object> child(String which) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(FEWNER_MAIN_CLASS);
        cmd.addAll(spec.commandLine().getParseResult().originalArgs());
        cmd.add("--setup");
        cmd.add(which);
        cmd.removeIf(a -> a.equals("--out"));
        if (out != null) cmd.remove(out.toString());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String row = null;
        try (var r =
                new java.io.BufferedReader(
                        new java.io.InputStreamReader(
                                p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith(ROW)) row = line.substring(ROW.length());
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || row == null) {
            throw new IllegalStateException(
                    "bench spark --setup " + which + " failed (exit " + rc + ")");
        }
        return Json.MAPPER.readValue(row, Map.class);
    }

    static int slots(String master) {
        Matcher m = Pattern.compile("local\\[(\\d+)]").matcher(master);
        if (!m.matches()) {
            throw new FewNerException(
                    "--master " + FewNerException.quote(master) + ": expected local[N]");
        }
        return Integer.parseInt(m.group(1));
    }

    void bench() throws Exception {
        // before the engine starts: libtorch reads these once
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(torchThreads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Path testFile =
                test != null ? test : AnnotateBenchCommand.shared("datasets/conll2003/eng.testb");
        if (!Files.isRegularFile(testFile)) {
            throw new FewNerException(testFile + ": no such file (CoNLL-2003)");
        }
        for (String m : masters) slots(m);
        List<String> docs = AnnotateBenchCommand.documents(testFile);
        if (maxDocs > 0 && docs.size() > maxDocs) docs = docs.subList(0, maxDocs);
        FewNerSparkConfig config =
                new FewNerSparkConfig()
                        .model(model)
                        .method(method)
                        .methodOptions(options)
                        .support(support.toString(), format)
                        .batchSize(batchSize);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put(
                "command",
                "fewner bench spark "
                        + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        result.put("corpus", testFile.toString());
        result.put("documents", docs.size());
        result.put("characters", docs.stream().mapToLong(String::length).sum());
        result.put("cpus", Runtime.getRuntime().availableProcessors());
        result.put("torch_threads", torchThreads);
        int maxSlots = 1;
        for (String m : masters) maxSlots = Math.max(maxSlots, slots(m));
        List<String> all = AnnotateBenchCommand.documents(testFile);
        if (all.size() <= docs.size()) {
            throw new FewNerException(
                    testFile
                            + ": needs more documents than --max-docs (the rest warm up the engine)");
        }
        // warm-up documents after the measured ones: the engine caches sentence encodings by words
        List<String> warm =
                all.subList(docs.size(), Math.min(all.size(), docs.size() + 2 * maxSlots));
        if (setup != null) {
            Map<String, Object> row =
                    setup.equals("direct")
                            ? SparkBench.direct(docs, warm, config)
                            : SparkBench.spark(
                                    setup,
                                    slots(setup),
                                    docs,
                                    warm,
                                    config,
                                    slots(setup) * partitionsPerSlot);
            System.out.println(ROW + Json.line(row));
            return;
        }
        // Each setup in a JVM of its own: the engine's sentence cache and the pooled pipelines of
        // one
        // setup must not serve the next.
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(child("direct"));
        Double perSlot1 = null;
        for (String m : masters) {
            int n = slots(m);
            Map<String, Object> r = child(m);
            double thr = ((Number) r.get("documents_per_second")).doubleValue();
            if (n == 1) perSlot1 = thr;
            rows.add(r);
        }
        for (Map<String, Object> r : rows) {
            int n = ((Number) r.get("slots")).intValue();
            if (perSlot1 != null && r.get("setup").toString().startsWith("spark")) {
                double thr = ((Number) r.get("documents_per_second")).doubleValue();
                r.put("scaling_efficiency", Math.round(thr / (n * perSlot1) * 1000) / 1000.0);
            }
        }
        result.put("rows", rows);
        String md = markdown(result);
        System.out.println(md);
        if (out != null) {
            Files.createDirectories(out);
            Json.writeAtomically(out.resolve("bench-spark.json"), result);
            AtomicFiles.writeString(out.resolve("bench-spark.md"), md);
        }
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> r) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%s documents of %s (%s characters), %s CPUs, %s libtorch thread(s)%n%n",
                        r.get("documents"),
                        r.get("corpus"),
                        r.get("characters"),
                        r.get("cpus"),
                        r.get("torch_threads")));
        sb.append(
                "| setup | documents/s | tokens/s | seconds | in pipeline | outside pipeline |"
                        + " forward | scaling efficiency |\n");
        sb.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Map<String, Object> row : (List<Map<String, Object>>) r.get("rows")) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %s | %.1f%% | %.1f%% | %.1f%% | %s |%n",
                            row.get("setup"),
                            row.get("documents_per_second"),
                            row.get("tokens_per_second"),
                            row.get("seconds"),
                            100 * ((Number) row.get("pipeline_share")).doubleValue(),
                            100 * ((Number) row.get("outside_pipeline_share")).doubleValue(),
                            100 * ((Number) row.get("forward_share")).doubleValue(),
                            row.getOrDefault("scaling_efficiency", "-")));
        }
        sb.append(
                "\nShares are of wall time x task slots (pipeline = OpenNLP segmentation + FewNER"
                        + " engine; outside = Spark scheduling, serialisation, row conversion and"
                        + " idle slots). Scaling efficiency = documents/s at N / (N x documents/s"
                        + " at local[1]).\n");
        return sb.toString();
    }
}
