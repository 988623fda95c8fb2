package org.fewner.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.substring;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.fewner.common.FewNerException;

/** Reading the input of {@code fewner spark annotate} and writing its entities. */
public final class SparkAnnotateJob {
    private SparkAnnotateJob() {}

    /**
     * The documents of {@code input}: a {@code .parquet} file or directory of Parquet files, a
     * {@code .jsonl}/{@code .json} file (one JSON object per line), or a directory of plain-text
     * files (one row per file: id = path relative to the directory, text = the file's bytes,
     * decoded as strict UTF-8 on the executors; files whose name starts with '.' or '_' are
     * skipped, as Hadoop does).
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
        Path dir = input.toAbsolutePath().normalize();
        String prefix = new org.apache.hadoop.fs.Path(dir.toUri()).toString() + "/";
        Dataset<Row> files =
                spark.read()
                        .format("binaryFile")
                        .option("recursiveFileLookup", "true")
                        .load(dir.toString());
        return files.select(
                substring(col("path"), prefix.length() + 1, Integer.MAX_VALUE).as(idColumn),
                col("content").as("text"));
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
        if (Files.exists(output) && !overwrite) {
            throw new FewNerException(
                    output + ": exists (choose another --output, or --overwrite)");
        }
        Dataset<Row> docs = read(spark, input, config.idColumn());
        if (partitions > 0) docs = docs.repartition(partitions);
        FewNerSpark.Counts counts = new FewNerSpark.Counts(spark.sparkContext());
        Dataset<Row> entities = FewNerSpark.annotate(docs, config, counts);
        var writer = entities.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists);
        if (outputFormat.equals("jsonl")) {
            writer.json(output.toString());
        } else {
            writer.parquet(output.toString());
        }
        return counts.asMap();
    }
}
