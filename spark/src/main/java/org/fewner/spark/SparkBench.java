package org.fewner.spark;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.fewner.pipeline.AnnotatePipeline;
import org.fewner.pipeline.DocumentAnnotator;
import org.fewner.uimaannotator.SharedModel;

/**
 * The measurements of {@code fewner bench spark}: the same documents through the pipeline run
 * directly (the loop of {@code fewner bench annotate}) and through {@link FewNerSpark#annotate} on
 * a local master. No Spark type in a signature: the command line lists its caller without Spark.
 */
public final class SparkBench {
    private SparkBench() {}

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /**
     * The pipeline of {@code fewner annotate} over {@code docs} in this thread, after the warm-up
     * documents {@code warm} (not among docs, so that the engine's sentence cache holds none of
     * docs): seconds, documents/s, tokens/s, pipeline and forward seconds.
     */
    public static Map<String, Object> direct(
            List<String> docs, List<String> warm, FewNerSparkConfig config) throws Exception {
        AnnotatePipeline.Settings s = PartitionAnnotator.settings(config);
        SharedModel model = SharedModel.acquire(s.model());
        try (DocumentAnnotator annotator = DocumentAnnotator.create(s)) {
            for (String d : warm) annotator.annotate(d, config.language());
            long pipeline0 = annotator.segmentationNanos() + annotator.recognitionNanos();
            long tokens = 0;
            long entities = 0;
            double forward0 = model.forwardSeconds();
            long w0 = System.nanoTime();
            for (String d : docs) {
                JCas jcas = annotator.annotate(d, config.language());
                tokens += JCasUtil.select(jcas, Token.class).size();
                entities += JCasUtil.select(jcas, NamedEntity.class).size();
            }
            double wall = (System.nanoTime() - w0) / 1e9;
            double forward = model.forwardSeconds() - forward0;
            long pipeline =
                    annotator.segmentationNanos() + annotator.recognitionNanos() - pipeline0;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("setup", "direct (the loop of fewner bench annotate, 1 thread)");
            r.put("slots", 1);
            figures(r, docs.size(), tokens, entities, wall, pipeline / 1e9, forward, 1);
            return r;
        } finally {
            model.release();
        }
    }

    private static void figures(
            Map<String, Object> r,
            long docs,
            long tokens,
            long entities,
            double wall,
            double pipeline,
            double forward,
            int slots) {
        r.put("documents", docs);
        r.put("tokens", tokens);
        r.put("entities", entities);
        r.put("seconds", round(wall));
        r.put("documents_per_second", round(docs / wall));
        r.put("tokens_per_second", round(tokens / wall));
        r.put("pipeline_seconds", round(pipeline));
        r.put("forward_seconds", round(forward));
        // busy share of the slots: time inside the pipeline / (wall time x task slots)
        r.put("pipeline_share", round(pipeline / (wall * slots)));
        r.put("outside_pipeline_share", round(1 - pipeline / (wall * slots)));
        r.put("forward_share", round(forward / (wall * slots)));
    }

    /**
     * {@code docs} through {@link FewNerSpark#annotate} on {@code master} ({@code local[N]}) in
     * {@code partitions} partitions, after a warm-up job on {@code warm} (documents not among docs)
     * that loads the model and makes one pipeline per task slot.
     */
    public static Map<String, Object> spark(
            String master,
            int slots,
            List<String> docs,
            List<String> warm,
            FewNerSparkConfig config,
            int partitions) {
        SparkSession spark =
                SparkSession.builder()
                        .master(master)
                        .appName("fewner bench spark")
                        .config("spark.ui.enabled", "false")
                        .getOrCreate();
        SharedModel model = SharedModel.acquire(PartitionAnnotator.settings(config).model());
        try {
            StructType schema =
                    new StructType()
                            .add("id", DataTypes.StringType)
                            .add("text", DataTypes.StringType);
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < docs.size(); i++) {
                rows.add(RowFactory.create(String.format("doc%04d", i), docs.get(i)));
            }
            Dataset<Row> all = spark.createDataFrame(rows, schema);
            List<Row> warmRows = new ArrayList<>();
            for (int i = 0; i < warm.size(); i++) {
                warmRows.add(RowFactory.create(String.format("warm%04d", i), warm.get(i)));
            }
            FewNerSpark.annotate(
                            spark.createDataFrame(warmRows, schema).repartition(slots),
                            config,
                            new FewNerSpark.Counts(spark.sparkContext()))
                    .count();
            Dataset<Row> in = all.repartition(partitions).cache();
            in.count();
            FewNerSpark.Counts counts = new FewNerSpark.Counts(spark.sparkContext());
            double forward0 = model.forwardSeconds();
            long w0 = System.nanoTime();
            long entities = FewNerSpark.annotate(in, config, counts).count();
            double wall = (System.nanoTime() - w0) / 1e9;
            double forward = model.forwardSeconds() - forward0;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("setup", "spark " + master + ", " + partitions + " partitions");
            r.put("slots", slots);
            figures(
                    r,
                    counts.documents.value(),
                    counts.tokens.value(),
                    entities,
                    wall,
                    counts.pipelineNanos.value() / 1e9,
                    forward,
                    slots);
            r.put("pipeline_setup_seconds", round(counts.setupNanos.value() / 1e9));
            return r;
        } finally {
            model.release();
            spark.stop();
        }
    }
}
