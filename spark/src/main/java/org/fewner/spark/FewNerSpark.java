package org.fewner.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.fewner.common.FewNerException;
import org.fewner.uimaannotator.SharedModel;

/**
 * FewNER on Apache Spark: the pipeline of {@code fewner annotate} (OpenNLP segmentation, then the
 * FewNER engine, both from {@link org.fewner.pipeline.AnnotatePipeline}, run by {@link
 * org.fewner.pipeline.DocumentAnnotator}) in {@code mapPartitions}, one model per executor JVM.
 *
 * <pre>{@code
 * Dataset<Row> docs = spark.read().parquet("notes.parquet");          // id, text
 * FewNerSparkConfig cfg = new FewNerSparkConfig().support("/shared/support.conll", "conll");
 * Dataset<Row> entities = FewNerSpark.annotate(docs, cfg);            // id, begin, end, label, ...
 * }</pre>
 *
 * <p><b>Model.</b> Each executor JVM loads the model once, lazily, when its first task needs it,
 * and shares it between all its tasks and threads (the engine's shared resource, {@link
 * SharedModel}); the uimaFIT engines themselves are pooled per JVM and reused by later partitions.
 * {@link #modelLoads()} counts the loads in this JVM, {@link Counts#modelLoads} across the cluster.
 *
 * <p><b>Rows.</b> A null or blank text gives no entity rows (counted as {@link Counts#empty}). A
 * text that is not valid ({@code TextCheck}: not UTF-8 in a binary column, control characters,
 * unpaired surrogates) fails the job with an error naming the row id, or with {@link
 * FewNerSparkConfig.InvalidRows#SKIP} gives no rows and is counted ({@link Counts#invalid}) and
 * logged with its id. Long sentences are windowed by the engine as in {@code fewner annotate}.
 * Offsets are UTF-16 code units of the text, as {@code fewner annotate} prints them.
 */
public final class FewNerSpark {
    private FewNerSpark() {}

    /** The schema of the entity rows. */
    public static final StructType ENTITY_SCHEMA =
            new StructType()
                    .add("id", DataTypes.StringType, false)
                    .add("begin", DataTypes.IntegerType, false)
                    .add("end", DataTypes.IntegerType, false)
                    .add("label", DataTypes.StringType, false)
                    .add("confidence", DataTypes.DoubleType, true)
                    .add("text", DataTypes.StringType, false)
                    .add("adapter", DataTypes.StringType, true);

    /**
     * Counters of a job, as Spark accumulators (visible in the Spark UI under {@code fewner.*}).
     * They are filled when an action runs the returned Dataset; each action adds again.
     */
    public static final class Counts implements Serializable {
        private static final long serialVersionUID = 1L;

        /** Rows annotated (valid, non-empty text). */
        public final LongAccumulator documents;

        /** Rows with a null or blank text (no entity rows). */
        public final LongAccumulator empty;

        /** Rows skipped because their text is not valid (with {@code InvalidRows.SKIP}). */
        public final LongAccumulator invalid;

        /** Entity rows produced. */
        public final LongAccumulator entities;

        /** Tokens of the annotated rows (OpenNLP tokens). */
        public final LongAccumulator tokens;

        /** Nanoseconds spent in the pipeline (segmentation and engine), summed over tasks. */
        public final LongAccumulator pipelineNanos;

        /** Nanoseconds spent making pipelines (segmenter, engine; the model load included). */
        public final LongAccumulator setupNanos;

        /** Models loaded by the executors for this job (at most one per executor JVM). */
        public final LongAccumulator modelLoads;

        /** New counters registered with {@code sc}. */
        public Counts(SparkContext sc) {
            documents = sc.longAccumulator("fewner.documents");
            empty = sc.longAccumulator("fewner.emptyRows");
            invalid = sc.longAccumulator("fewner.invalidRowsSkipped");
            entities = sc.longAccumulator("fewner.entities");
            tokens = sc.longAccumulator("fewner.tokens");
            pipelineNanos = sc.longAccumulator("fewner.pipelineNanos");
            setupNanos = sc.longAccumulator("fewner.setupNanos");
            modelLoads = sc.longAccumulator("fewner.modelLoads");
        }

        /** The counters by name (pipelineNanos as seconds). */
        public Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("documents", documents.value());
            m.put("empty_rows", empty.value());
            m.put("invalid_rows_skipped", invalid.value());
            m.put("entities", entities.value());
            m.put("tokens", tokens.value());
            m.put("pipeline_seconds", pipelineNanos.value() / 1e9);
            m.put("setup_seconds", setupNanos.value() / 1e9);
            m.put("model_loads", modelLoads.value());
            return m;
        }
    }

    /** Models loaded in this JVM so far (the driver's count in local mode = the executor's). */
    public static int modelLoads() {
        return SharedModel.loads();
    }

    /**
     * The entities of {@code documents}: one row per entity ({@link #ENTITY_SCHEMA}). Counters are
     * registered with the session's SparkContext; use {@link #annotate(Dataset, FewNerSparkConfig,
     * Counts)} to read them.
     */
    public static Dataset<Row> annotate(Dataset<Row> documents, FewNerSparkConfig config) {
        return annotate(documents, config, new Counts(documents.sparkSession().sparkContext()));
    }

    /**
     * As {@link #annotate(Dataset, FewNerSparkConfig)}, filling {@code counts} when an action runs.
     *
     * @throws FewNerException when a column is missing or has the wrong type, or the config is
     *     incomplete
     */
    public static Dataset<Row> annotate(
            Dataset<Row> documents, FewNerSparkConfig config, Counts counts) {
        config.check();
        StructType schema = documents.schema();
        column(schema, config.idColumn(), "id column", null);
        DataType textType = column(schema, config.textColumn(), "text column", "text");
        Column adapterColumn = lit(null).cast(DataTypes.StringType);
        if (config.adapterColumn() != null) {
            column(schema, config.adapterColumn(), "adapter column", null);
            adapterColumn = col(config.adapterColumn()).cast(DataTypes.StringType);
        }
        Dataset<Row> in =
                documents.select(
                        col(config.idColumn()).cast(DataTypes.StringType).as("id"),
                        col(config.textColumn()).as("text"),
                        adapterColumn.as("adapter"));
        boolean binary = textType instanceof BinaryType;
        FewNerSparkConfig c = config;
        Counts n = counts;
        return in.mapPartitions(
                (MapPartitionsFunction<Row, Row>)
                        rows -> PartitionAnnotator.annotate(rows, c, n, binary),
                Encoders.row(ENTITY_SCHEMA));
    }

    private static DataType column(StructType schema, String name, String what, String text) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new FewNerException(
                    what
                            + " '"
                            + name
                            + "': not in the documents (columns: "
                            + String.join(", ", schema.fieldNames())
                            + ")");
        }
        DataType t = schema.apply(name).dataType();
        if (text != null && !(t instanceof StringType) && !(t instanceof BinaryType)) {
            throw new FewNerException(
                    what
                            + " '"
                            + name
                            + "': type "
                            + t.simpleString()
                            + " (expected string, or binary holding UTF-8)");
        }
        return t;
    }
}
