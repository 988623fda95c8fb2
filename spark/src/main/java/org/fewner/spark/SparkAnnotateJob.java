package org.fewner.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fewner.common.FewNerException;
import org.fewner.common.OutputFolder;
import org.fewner.pipeline.TextDocuments;

/** Reading the input of {@code fewner spark annotate} and writing its entities. */
public final class SparkAnnotateJob {
    private SparkAnnotateJob() {}

    /**
     * The documents of {@code input}: a {@code .parquet} file or directory of Parquet files, a
     * {@code .jsonl}/{@code .json} file (one JSON object per line), or a directory of plain-text
     * files (one row per file, the files of {@code fewner annotate DIR}: id = path relative to the
     * directory, text = the file's bytes, read and decoded as strict UTF-8 on the executors, so the
     * directory must be on a file system every node sees).
     */
    public static Dataset<Row> read(SparkSession spark, Path input, String idColumn) {
        String name = input.getFileName() == null ? "" : input.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (!Files.exists(input)) {
            throw new FewNerException(input + ": no such file or directory");
        }
        if (lower.endsWith(".parquet")) {
            return spark.read().parquet(input.toString());
        }
        if (lower.endsWith(".jsonl") || lower.endsWith(".json")) {
            if (!Files.isRegularFile(input)) {
                throw new FewNerException(input + ": expected a JSON-lines file");
            }
            return spark.read().json(input.toString());
        }
        if (!Files.isDirectory(input)) {
            throw new FewNerException(
                    input
                            + ": expected a directory of text files, a .parquet file or a .jsonl"
                            + " file");
        }
        // The files as fewner annotate lists them (TextDocuments.expand: recursive, sorted, hidden
        // files skipped); listed on the driver (as Spark lists a directory), read on the executors.
        Path dir = input.toAbsolutePath().normalize();
        List<Row> files = new ArrayList<>();
        for (Path f : TextDocuments.expand(List.of(dir))) {
            Path abs = f.toAbsolutePath().normalize();
            files.add(RowFactory.create(dir.relativize(abs).toString(), abs.toString()));
        }
        StructType listed =
                new StructType()
                        .add(idColumn, DataTypes.StringType, false)
                        .add("path", DataTypes.StringType, false);
        StructType read =
                new StructType()
                        .add(idColumn, DataTypes.StringType, false)
                        .add("text", DataTypes.BinaryType, false);
        return spark.createDataFrame(files, listed)
                .map(
                        (MapFunction<Row, Row>)
                                r -> RowFactory.create(r.getString(0), bytes(r.getString(1))),
                        Encoders.row(read));
    }

    private static byte[] bytes(String path) {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (java.io.IOException e) {
            throw new FewNerException(path + ": cannot read: " + e, e);
        }
    }

    /**
     * Annotates {@code input} and writes the entities to {@code output} (jsonl: JSON-lines part
     * files; parquet). Returns the counters.
     */
    public static Map<String, Object> run(
            SparkSession spark,
            Path input,
            Path output,
            String outputFormat,
            boolean overwrite,
            int partitions,
            FewNerSparkConfig config) {
        if (!outputFormat.equals("jsonl") && !outputFormat.equals("parquet")) {
            throw new FewNerException(
                    "--output-format "
                            + FewNerException.quote(outputFormat)
                            + ": expected jsonl or parquet");
        }
        DriverChecks.output(output, overwrite);
        try (AutoCloseable lock = OutputFolder.lock(output, DriverChecks.COMMAND)) {
            // again, now that no other run can change it
            DriverChecks.output(output, overwrite);
            return write(spark, input, output, outputFormat, overwrite, partitions, config);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw sneaky(e);
        }
    }

    /**
     * Rethrows Spark's undeclared checked exceptions as they are (the handlers look for causes).
     */
    @SuppressWarnings("unchecked")
    private static <T extends Exception> RuntimeException sneaky(Exception e) throws T {
        throw (T) e;
    }

    private static Map<String, Object> write(
            SparkSession spark,
            Path input,
            Path output,
            String outputFormat,
            boolean overwrite,
            int partitions,
            FewNerSparkConfig config) {
        boolean existed = Files.exists(output);
        boolean done = false;
        try {
            Dataset<Row> docs = read(spark, input, config.idColumn());
            requireKnownAdapters(docs, config);
            if (partitions > 0) docs = docs.repartition(partitions);
            FewNerSpark.Counts counts = new FewNerSpark.Counts(spark.sparkContext());
            Dataset<Row> entities = FewNerSpark.annotate(docs, config, counts);
            // an existing empty folder (DriverChecks let it pass) is written over: nothing is lost
            boolean replace = overwrite || (existed && OutputFolder.contents(output).isEmpty());
            var writer =
                    entities.write().mode(replace ? SaveMode.Overwrite : SaveMode.ErrorIfExists);
            if (outputFormat.equals("jsonl")) {
                writer.json(output.toString());
            } else {
                writer.parquet(output.toString());
            }
            OutputFolder.mark(output, DriverChecks.COMMAND);
            done = true;
            return counts.asMap();
        } finally {
            // a failed run (also Spark's undeclared checked SparkException) leaves no --output it
            // created: an empty one blocked a rerun
            if (!done) {
                DriverChecks.removeCreated(output, existed);
            }
        }
    }

    /**
     * With an adapter column: every value it holds must name an adapter given with {@code
     * --adapter} (or be {@code none}, empty or null), checked on the driver with a small job over
     * the column's distinct values before the documents are annotated.
     */
    static void requireKnownAdapters(Dataset<Row> docs, FewNerSparkConfig config) {
        String column = config.adapterColumn();
        if (column == null || !java.util.Arrays.asList(docs.columns()).contains(column)) {
            return; // a missing column is refused by FewNerSpark.annotate's layout check
        }
        List<Row> values =
                docs.select(functions.col(column).cast(DataTypes.StringType))
                        .distinct()
                        .limit(10_000)
                        .collectAsList();
        for (Row r : values) {
            String v = r.isNullAt(0) ? null : r.getString(0);
            if (v == null || v.isEmpty() || v.equals("none") || config.adapters().containsKey(v)) {
                continue;
            }
            throw new FewNerException(
                    "--adapter-column "
                            + column
                            + ": "
                            + FewNerException.quote(v)
                            + " names no adapter (known: "
                            + String.join(", ", config.adapters().keySet())
                            + (config.adapters().isEmpty() ? "none given with --adapter" : ", none")
                            + "; nothing was written)");
        }
    }
}
