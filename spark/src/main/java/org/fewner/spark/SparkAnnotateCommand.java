package org.fewner.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.pipeline.EngineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fewner spark annotate} (and the main class of the assembly jar for {@code spark-submit}):
 * documents from a directory of text files, a Parquet file or a JSON-lines file -> {@link
 * FewNerSpark#annotate} -> entities as JSON lines or Parquet. No Spark type appears in this class's
 * fields or method signatures, so the command line can list it without Spark on the class path.
 */
@Command(
        name = "annotate",
        mixinStandardHelpOptions = true,
        description = {
            "Annotates documents on Apache Spark with the pipeline of 'fewner annotate' (OpenNLP"
                    + " segmentation, then the FewNER engine), one model per executor JVM.",
            "Writes one JSON object (or Parquet row) per entity: id, begin, end, label, confidence,"
                    + " text, adapter; offsets in UTF-16 code units of the document's text.",
            "--model, --adapter and --support are read on the executors: a path every node sees,"
                    + " or sparkfiles:NAME (shipped with spark-submit --files/--archives); default"
                    + " models come from the cache of the command line."
        })
public final class SparkAnnotateCommand implements Runnable {
    @Option(
            names = "--master",
            paramLabel = "URL",
            description =
                    "Spark master, e.g. local[2]. Default: the spark.master of spark-submit, else"
                            + " local[*].")
    String master;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "DIR|FILE.parquet|FILE.jsonl",
            description =
                    "A directory of UTF-8 text files (one document per file, id = relative path),"
                            + " a Parquet file or a JSON-lines file with id and text columns.")
    Path input;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "DIR",
            description = "Directory written by Spark (part files).")
    Path output;

    @Option(
            names = "--output-format",
            defaultValue = "jsonl",
            paramLabel = "jsonl|parquet",
            description = "Default: ${DEFAULT-VALUE}.")
    String outputFormat;

    @Option(
            names = "--overwrite",
            description =
                    "Replace an earlier output of 'fewner spark annotate' in --output (a folder holding"
                            + " its .fewner-output marker, or only Spark's part files); any other"
                            + " non-empty folder is refused.")
    boolean overwrite;

    @Option(names = "--id-column", defaultValue = "id", description = "Default: ${DEFAULT-VALUE}.")
    String idColumn;

    @Option(
            names = "--text-column",
            defaultValue = "text",
            description = "Default: ${DEFAULT-VALUE}.")
    String textColumn;

    @Option(
            names = "--adapter-column",
            paramLabel = "COLUMN",
            description =
                    "Column naming each row's adapter (a name given with --adapter, or 'none';"
                            + " empty: --default-adapter or the base model).")
    String adapterColumn;

    @Mixin EngineOptions engine = new EngineOptions();

    @Option(
            names = "--on-invalid",
            defaultValue = "fail",
            paramLabel = "fail|skip",
            description =
                    "A row whose text is not valid text: fail the job naming the row id, or skip"
                            + " and count it. Default: ${DEFAULT-VALUE}.")
    String onInvalid;

    @Option(
            names = "--partitions",
            defaultValue = "0",
            description = "Repartition the documents into N partitions (0: as read).")
    @org.fewner.common.options.Range(min = 0, max = 1_000_000, note = "0 = as read")
    int partitions;

    /** The config of these options. */
    FewNerSparkConfig config() {
        if (!List.of("fail", "skip").contains(onInvalid)) {
            throw new FewNerException(
                    "--on-invalid " + FewNerException.quote(onInvalid) + ": expected fail or skip");
        }
        if (!Files.exists(input)) {
            throw new FewNerException(input + ": no such file or directory");
        }
        if (!List.of("jsonl", "parquet").contains(outputFormat)) {
            throw new FewNerException(
                    "--output-format "
                            + FewNerException.quote(outputFormat)
                            + ": expected jsonl or parquet");
        }
        if (partitions < 0) {
            // the command line checks the @Range; spark-submit's main class does not run it
            throw new FewNerException(
                    "--partitions: expected an integer >= 0, got " + partitions + " (0 = as read)");
        }
        DriverChecks.output(output, overwrite);
        String support = engine.support();
        if (!support.startsWith(Locations.PREFIX) && !Files.isRegularFile(Path.of(support))) {
            throw new FewNerException(support + ": no such support file");
        }
        engine.check();
        FewNerSparkConfig c =
                new FewNerSparkConfig()
                        .idColumn(idColumn)
                        .textColumn(textColumn)
                        .adapterColumn(adapterColumn)
                        .model(engine.model())
                        .method(engine.method())
                        .methodOptions(engine.methodOptions())
                        .support(support, engine.format())
                        .types(engine.types())
                        .batchSize(engine.batchSize())
                        .threshold(engine.threshold())
                        .defaultAdapter(engine.defaultAdapter())
                        .invalidRows(
                                onInvalid.equals("skip")
                                        ? FewNerSparkConfig.InvalidRows.SKIP
                                        : FewNerSparkConfig.InvalidRows.FAIL);
        engine.adapters(l -> l.replaceFirst("^" + Locations.PREFIX, "")).forEach(c::adapter);
        // what the executors would fail on, found on the driver before Spark starts
        engine.adapters(l -> l)
                .forEach(
                        (name, location) -> {
                            if (!location.startsWith(Locations.PREFIX)) {
                                DriverChecks.adapter(name, Path.of(location));
                            }
                        });
        DriverChecks.jsonLines(input);
        if (onInvalid.equals("fail")) {
            DriverChecks.textFiles(input);
        }
        return c;
    }

    @Override
    public void run() {
        FewNerSparkConfig c = config();
        Map<String, Object> counts;
        try {
            counts = SparkRunner.annotate(this, c);
        } catch (NoClassDefFoundError e) {
            throw new FewNerException(
                    "Apache Spark is not on the class path ("
                            + e.getMessage()
                            + "): run './fewner spark ...' (it adds cli/target/spark-lib), or"
                            + " spark-submit with the assembly jar",
                    e);
        }
        System.err.println("fewner spark annotate: " + Json.line(counts));
        System.out.println(output);
    }
}
