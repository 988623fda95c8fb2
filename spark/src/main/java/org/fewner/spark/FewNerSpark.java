package org.fewner.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.fewner.common.FewNerException;
import org.fewner.uimaannotator.SharedModel;

/**
 * FewNER on Apache Spark: the pipeline of {@code fewner annotate} (OpenNLP segmentation, then the
 * FewNER engine, both from {@link org.fewner.pipeline.AnnotatePipeline}, run by {@link
 * org.fewner.pipeline.DocumentAnnotator}) in {@code mapPartitions}, one model per executor JVM.
 * {@link #annotate} is the Spark ML stage {@link FewNerTransformer} with its entities exploded into
 * one row per entity; use the stage itself to keep the input columns or inside a {@code Pipeline}.
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

    /** One entity of {@link FewNerTransformer}'s output column. */
    public static final StructType ENTITY =
            new StructType()
                    .add("begin", DataTypes.IntegerType, false)
                    .add("end", DataTypes.IntegerType, false)
                    .add("label", DataTypes.StringType, false)
                    .add("confidence", DataTypes.DoubleType, true)
                    .add("text", DataTypes.StringType, false)
                    .add("adapter", DataTypes.StringType, true);

    /** The type of {@link FewNerTransformer}'s output column: array of {@link #ENTITY}. */
    public static final ArrayType ENTITIES = DataTypes.createArrayType(ENTITY, false);

    /** The schema of the entity rows of {@link #annotate}. */
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
     * As {@link #annotate(Dataset, FewNerSparkConfig)}, filling {@code counts} when an action runs:
     * {@link FewNerTransformer} on the id, text (and adapter, sentences, tokens) columns, its
     * entities exploded into rows.
     *
     * @throws FewNerException when a column is missing or has the wrong type, or the config is
     *     incomplete
     */
    public static Dataset<Row> annotate(
            Dataset<Row> documents, FewNerSparkConfig config, Counts counts) {
        config.check();
        if (config.idColumn() == null) {
            throw new FewNerException("id column: not set (expected the documents' id column)");
        }
        PartitionAnnotator.layout(documents.schema(), config, true);
        List<Column> in = new ArrayList<>();
        in.add(col(config.idColumn()).cast(DataTypes.StringType).as("id"));
        in.add(col(config.textColumn()).as("text"));
        FewNerTransformer t =
                FewNerTransformer.of(config).setIdCol("id").setInputCol("text").setOutputCol("e");
        if (config.adapterColumn() != null) {
            in.add(col(config.adapterColumn()).as("adapter"));
            t.setAdapterCol("adapter");
        }
        if (config.tokensColumn() != null) {
            in.add(col(config.tokensColumn()).as("tokens"));
            t.setTokensCol("tokens");
        }
        if (config.sentencesColumn() != null) {
            in.add(col(config.sentencesColumn()).as("sentences"));
            t.setSentencesCol("sentences");
        }
        t.setCounts(counts).requireId(true);
        return t.transform(documents.select(in.toArray(Column[]::new)))
                .select(col("id"), explode(col("e")).as("e"))
                .select(
                        col("id"),
                        col("e.begin"),
                        col("e.end"),
                        col("e.label"),
                        col("e.confidence"),
                        col("e.text"),
                        col("e.adapter"));
    }
}
