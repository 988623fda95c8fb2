package org.fewner.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.fewner.pipeline.DocumentAnnotator;
import org.fewner.uimaannotator.TinyModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FewNerTransformer} in Spark local mode on a tiny random BERT: inside a {@code Pipeline}
 * with a {@code PipelineModel} save/load round trip, every input column kept; sentences and tokens
 * from upstream columns give what OpenNLP's give; empty, invalid and skipped rows.
 */
class FewNerTransformerTest {
    @TempDir static Path tmp;
    static SparkSession spark;
    static Path model;
    static Path support;

    static final StructType SPAN =
            new StructType().add("begin", DataTypes.IntegerType).add("end", DataTypes.IntegerType);

    static final StructType DOCS =
            new StructType()
                    .add("doc", DataTypes.IntegerType)
                    .add("text", DataTypes.StringType)
                    .add("score", DataTypes.DoubleType)
                    .add("tags", DataTypes.createArrayType(DataTypes.StringType))
                    .add("sentences", DataTypes.createArrayType(SPAN))
                    .add("tokens", DataTypes.createArrayType(SPAN));

    @BeforeAll
    static void start() throws Exception {
        model = TinyModels.bert(tmp.resolve("tiny"), 16, 16, 7);
        support = tmp.resolve("support.conll");
        Files.writeString(support, FewNerSparkTest.SUPPORT);
        spark =
                SparkSession.builder()
                        .master("local[2]")
                        .appName("FewNerTransformerTest")
                        .config("spark.ui.enabled", "false")
                        .config("spark.sql.shuffle.partitions", "2")
                        .getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    static FewNerTransformer stage() {
        return new FewNerTransformer()
                .setModel(model.toString())
                .setSupportLocation(support.toString())
                .setMethod("frozen-prototype") // the tiny test model has no span adapter
                .setMethodOptions("layer=2")
                .setBatchSize(2);
    }

    /** The documents with OpenNLP's sentences and tokens (ends exclusive, minus {@code shift}). */
    static List<Row> rows(List<String> texts, int shift) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (DocumentAnnotator a =
                DocumentAnnotator.create(PartitionAnnotator.settings(config()))) {
            for (int i = 0; i < texts.size(); i++) {
                JCas jcas = a.annotate(texts.get(i), "en");
                List<Row> sentences = new ArrayList<>();
                for (Sentence s : JCasUtil.select(jcas, Sentence.class)) {
                    sentences.add(RowFactory.create(s.getBegin(), s.getEnd() - shift));
                }
                List<Row> tokens = new ArrayList<>();
                for (Token t : JCasUtil.select(jcas, Token.class)) {
                    tokens.add(RowFactory.create(t.getBegin(), t.getEnd() - shift));
                }
                rows.add(
                        RowFactory.create(
                                i, texts.get(i), i / 2.0, List.of("t" + i), sentences, tokens));
            }
        }
        return rows;
    }

    static FewNerSparkConfig config() {
        return new FewNerSparkConfig()
                .model(model.toString())
                .support(support.toString(), "conll")
                .method("frozen-prototype") // the tiny test model has no span adapter
                .methodOptions(List.of("layer=2"))
                .batchSize(2);
    }

    /** doc begin end label confidence(%.6f) text, sorted. */
    static TreeSet<String> lines(List<Row> out, String column) {
        TreeSet<String> lines = new TreeSet<>();
        for (Row r : out) {
            for (Row e : r.<Row>getList(r.fieldIndex(column))) {
                lines.add(
                        String.format(
                                Locale.ROOT,
                                "%d %d %d %s %.6f %s",
                                r.getInt(0),
                                e.getInt(0),
                                e.getInt(1),
                                e.getString(2),
                                e.getDouble(3),
                                e.getString(4)));
            }
        }
        return lines;
    }

    @Test
    void pipelineModelRoundTripKeepsEveryInputColumn() throws Exception {
        List<String> texts = FewNerSparkTest.documents(6);
        Dataset<Row> docs = spark.createDataFrame(rows(texts, 0), DOCS).repartition(2);
        FewNerTransformer ner = stage().setIdCol("doc").setOutputCol("entities");
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {ner}).fit(docs);
        String path = tmp.resolve("pipeline").toString();
        fitted.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        FewNerTransformer again = (FewNerTransformer) loaded.stages()[0];
        assertEquals(ner.uid(), again.uid());
        assertEquals(model.toString(), again.getModel());
        assertArrayEquals(new String[] {"layer=2"}, again.getMethodOptions());
        assertEquals(2, again.getBatchSize());
        assertEquals("doc", again.getIdCol());
        assertFalse(again.isDefined(again.tokensCol()));

        Dataset<Row> out = loaded.transform(docs);
        StructType schema = out.schema();
        assertEquals(List.of(DOCS.fieldNames()).size() + 1, schema.fields().length);
        for (int i = 0; i < DOCS.fields().length; i++) {
            assertEquals(DOCS.fields()[i], schema.fields()[i]);
        }
        assertEquals(FewNerSpark.ENTITIES, schema.apply("entities").dataType());
        List<Row> got = out.orderBy("doc").collectAsList();
        List<Row> in = docs.orderBy("doc").collectAsList();
        assertEquals(in.size(), got.size());
        for (int i = 0; i < in.size(); i++) {
            for (int c = 0; c < DOCS.fields().length; c++) {
                assertEquals(in.get(i).get(c), got.get(i).get(c), "row " + i + " column " + c);
            }
            for (Row e : got.get(i).<Row>getList(6)) {
                assertEquals(texts.get(i).substring(e.getInt(0), e.getInt(1)), e.getString(4));
            }
        }
        // the entities are those of FewNerSpark.annotate (the pipeline of fewner annotate)
        TreeSet<String> expected = new TreeSet<>();
        for (Row r : FewNerSpark.annotate(docs, config().idColumn("doc")).collectAsList()) {
            expected.add(
                    String.format(
                            Locale.ROOT,
                            "%s %d %d %s %.6f %s",
                            r.getString(0),
                            r.getInt(1),
                            r.getInt(2),
                            r.getString(3),
                            r.getDouble(4),
                            r.getString(5)));
        }
        assertFalse(expected.isEmpty(), "no entity at all");
        assertEquals(expected, lines(got, "entities"));
        // the stage alone: save, load
        ner.write().overwrite().save(tmp.resolve("stage").toString());
        FewNerTransformer alone = FewNerTransformer.load(tmp.resolve("stage").toString());
        assertEquals(expected, lines(alone.transform(docs).collectAsList(), "entities"));
    }

    @Test
    void upstreamSentencesAndTokensGiveWhatOpenNlpGives() throws Exception {
        List<String> texts = FewNerSparkTest.documents(6);
        Dataset<Row> docs = spark.createDataFrame(rows(texts, 0), DOCS).repartition(2);
        FewNerSpark.Counts counts = new FewNerSpark.Counts(spark.sparkContext());
        TreeSet<String> opennlp = lines(stage().transform(docs).collectAsList(), "entities");
        assertFalse(opennlp.isEmpty());
        List<Row> upstream =
                stage().setSentencesCol("sentences")
                        .setTokensCol("tokens")
                        .setCounts(counts)
                        .transform(docs)
                        .collectAsList();
        assertEquals(opennlp, lines(upstream, "entities"));
        assertEquals(6, counts.documents.value());
        // Spark NLP's annotations: inclusive ends
        Dataset<Row> inclusive = spark.createDataFrame(rows(texts, 1), DOCS);
        List<Row> sparkNlp =
                stage().setSentencesCol("sentences")
                        .setTokensCol("tokens")
                        .setInclusiveEnds(true)
                        .transform(inclusive)
                        .collectAsList();
        assertEquals(opennlp, lines(sparkNlp, "entities"));
        // tokens alone: each row is one sentence
        List<Row> tokensOnly =
                stage().setTokensCol("tokens").setOutputCol("e").transform(docs).collectAsList();
        assertFalse(lines(tokensOnly, "e").isEmpty());
        // a token outside the text fails naming the row, or is skipped (null entities)
        List<Row> bad =
                List.of(
                        RowFactory.create(
                                9,
                                "paris.",
                                0.0,
                                List.of(),
                                null,
                                List.of(RowFactory.create(0, 5), RowFactory.create(5, 9))));
        Dataset<Row> badDocs = spark.createDataFrame(bad, DOCS);
        Exception e =
                assertThrows(
                        Exception.class,
                        () ->
                                stage().setTokensCol("tokens")
                                        .setIdCol("doc")
                                        .transform(badDocs)
                                        .collectAsList());
        assertTrue(
                String.valueOf(e.getMessage())
                        .contains(
                                "row id=9: token 1: offsets [5, 9) do not lie in the text"
                                        + " (length 6)"),
                e.getMessage());
        Row skipped =
                stage().setTokensCol("tokens")
                        .setInvalidRows("skip")
                        .transform(badDocs)
                        .collectAsList()
                        .get(0);
        assertNull(skipped.get(6));
        assertEquals("paris.", skipped.getString(1));
    }

    @Test
    void emptyTextsGiveEmptyArraysAndBadParamsAreRefused() {
        List<Row> rows = new ArrayList<>();
        rows.add(RowFactory.create(1, null, 0.0, null, null, null));
        rows.add(RowFactory.create(2, " \n", 0.0, null, null, null));
        List<Row> got =
                stage().transform(spark.createDataFrame(rows, DOCS)).orderBy("doc").collectAsList();
        assertEquals(2, got.size());
        assertTrue(got.get(0).getList(6).isEmpty());
        assertTrue(got.get(1).getList(6).isEmpty());

        Dataset<Row> docs = spark.createDataFrame(rows, DOCS);
        Exception e =
                assertThrows(
                        Exception.class,
                        () -> stage().setOutputCol("text").transformSchema(docs.schema()));
        assertEquals(
                "outputCol 'text': already a column of the documents (choose another)",
                e.getMessage());
        e =
                assertThrows(
                        Exception.class,
                        () -> stage().setSentencesCol("sentences").transformSchema(docs.schema()));
        assertTrue(e.getMessage().contains("needs a tokens column"), e.getMessage());
        e =
                assertThrows(
                        Exception.class,
                        () -> stage().setTokensCol("tags").transformSchema(docs.schema()));
        assertEquals(
                "tokens column 'tags': type array<string> (expected an array of struct with"
                        + " integer fields begin and end)",
                e.getMessage());
        e =
                assertThrows(
                        Exception.class,
                        () ->
                                new FewNerTransformer()
                                        .setModel(model.toString())
                                        .transformSchema(docs.schema()));
        assertTrue(e.getMessage().startsWith("supportLocation: not set"), e.getMessage());
    }
}
