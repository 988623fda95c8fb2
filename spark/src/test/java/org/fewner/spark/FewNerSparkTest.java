package org.fewner.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.fewner.common.FewNerException;
import org.fewner.pipeline.AnnotatePipeline;
import org.fewner.pipeline.DocumentAnnotator;
import org.fewner.type.ScoredNamedEntity;
import org.fewner.uimaannotator.TinyModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FewNerSpark#annotate} in Spark local mode (one session for the class) on a tiny random
 * BERT with the real frozen-prototype method: the same entities as the pipeline run directly, one
 * model per JVM with 8 partitions, and each bad-input case.
 */
class FewNerSparkTest {
    @TempDir static Path tmp;
    static SparkSession spark;
    static Path model;
    static Path support;

    static final String SUPPORT =
            "marie\tB-PER\ncurie\tI-PER\nvisited\tO\nparis\tB-LOC\n.\tO\n\n"
                    + "john\tB-PER\nsmith\tI-PER\nmet\tO\nthe\tO\nun\tB-ORG\nin\tO\nlondon\tB-LOC\n.\tO\n";

    static final String[] SENTENCES = {
        "marie curie visited paris.",
        "john smith met the un in london.",
        "the city of berlin and tokyo.",
        "acme corp said today the un visited london.",
    };

    /** Documents; document 5 has a sentence longer than the tiny model's 16 positions. */
    static List<String> documents(int n) {
        List<String> docs = new ArrayList<>();
        for (int d = 0; d < n; d++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 3; i++)
                sb.append(SENTENCES[(d + i) % SENTENCES.length]).append(' ');
            if (d == 5) {
                sb.append("marie curie met john smith in paris and london and berlin and tokyo ")
                        .append("and the un said today the city of paris visited acme corp.");
            }
            docs.add(sb.toString().trim() + "\n");
        }
        return docs;
    }

    @BeforeAll
    static void start() throws Exception {
        model = TinyModels.bert(tmp.resolve("tiny"), 16, 16, 7);
        support = tmp.resolve("support.conll");
        Files.writeString(support, SUPPORT);
        spark =
                SparkSession.builder()
                        .master("local[2]")
                        .appName("FewNerSparkTest")
                        .config("spark.ui.enabled", "false")
                        .config("spark.sql.shuffle.partitions", "2")
                        .getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    static FewNerSparkConfig config(Path modelDir) {
        return new FewNerSparkConfig()
                .model(modelDir.toString())
                .support(support.toString(), "conll")
                .method("frozen-prototype") // the tiny test model has no span adapter
                .methodOptions(List.of("layer=2"))
                .batchSize(2);
    }

    static final StructType DOCS =
            new StructType()
                    .add("id", DataTypes.StringType)
                    .add("text", DataTypes.StringType)
                    .add("adapter", DataTypes.StringType);

    static Dataset<Row> docs(List<Row> rows, int partitions) {
        return spark.createDataFrame(rows, DOCS).repartition(partitions);
    }

    static List<Row> rows(List<String> texts) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            rows.add(RowFactory.create(String.format("d%02d", i), texts.get(i), null));
        }
        return rows;
    }

    /** id begin end label confidence(%.6f) text adapter, sorted. */
    static TreeSet<String> lines(List<Row> entities) {
        TreeSet<String> out = new TreeSet<>();
        for (Row r : entities) {
            out.add(
                    String.format(
                            java.util.Locale.ROOT,
                            "%s %d %d %s %.6f %s %s",
                            r.getString(0),
                            r.getInt(1),
                            r.getInt(2),
                            r.getString(3),
                            r.getDouble(4),
                            r.getString(5),
                            r.getString(6)));
        }
        return out;
    }

    /** The same documents through the pipeline of fewner annotate, run directly (no Spark). */
    static TreeSet<String> direct(List<String> texts, AnnotatePipeline.Settings s)
            throws Exception {
        TreeSet<String> out = new TreeSet<>();
        try (DocumentAnnotator annotator = DocumentAnnotator.create(s)) {
            for (int i = 0; i < texts.size(); i++) {
                JCas jcas = annotator.annotate(texts.get(i), "en");
                for (NamedEntity ne : JCasUtil.select(jcas, NamedEntity.class)) {
                    ScoredNamedEntity e = (ScoredNamedEntity) ne;
                    out.add(
                            String.format(
                                    java.util.Locale.ROOT,
                                    "%s %d %d %s %.6f %s %s",
                                    String.format("d%02d", i),
                                    e.getBegin(),
                                    e.getEnd(),
                                    e.getValue(),
                                    e.getConfidence(),
                                    e.getCoveredText(),
                                    e.getAdapterId()));
                }
            }
        }
        return out;
    }

    @Test
    void sameEntitiesAsThePipelineRunDirectlyWithWindowedSentences() throws Exception {
        List<String> texts = documents(8);
        FewNerSpark.Counts counts = new FewNerSpark.Counts(spark.sparkContext());
        List<Row> got =
                FewNerSpark.annotate(docs(rows(texts), 3), config(model), counts).collectAsList();
        TreeSet<String> expected = direct(texts, PartitionAnnotator.settings(config(model)));
        assertFalse(expected.isEmpty(), "no entity at all");
        assertEquals(expected, lines(got));
        assertEquals(8, counts.documents.value());
        assertEquals(got.size(), counts.entities.value());
        for (Row r : got) {
            String text = texts.get(Integer.parseInt(r.getString(0).substring(1)));
            assertEquals(text.substring(r.getInt(1), r.getInt(2)), r.getString(5));
        }
    }

    @Test
    void modelLoadedOncePerJvmWithEightPartitions() throws Exception {
        Path other = TinyModels.bert(tmp.resolve("tiny-once"), 16, 16, 11);
        int before = FewNerSpark.modelLoads();
        FewNerSpark.Counts counts = new FewNerSpark.Counts(spark.sparkContext());
        Dataset<Row> in = docs(rows(documents(16)), 8);
        assertEquals(8, in.rdd().getNumPartitions());
        long n = FewNerSpark.annotate(in, config(other), counts).count();
        assertTrue(n > 0, "no entity");
        assertEquals(1, FewNerSpark.modelLoads() - before, "models loaded in this JVM");
        assertEquals(1, counts.modelLoads.value(), "models loaded by the executors");
        assertEquals(16, counts.documents.value());
        // a second job reuses the JVM's model (and pooled pipelines)
        FewNerSpark.annotate(in, config(other), counts).count();
        assertEquals(1, FewNerSpark.modelLoads() - before, "models loaded after a second job");
    }

    @Test
    void nullEmptyAndBlankTextsGiveNoRowsAndAreCounted() {
        List<Row> rows = new ArrayList<>(rows(documents(2)));
        rows.add(RowFactory.create("null-text", null, null));
        rows.add(RowFactory.create("empty-text", "", null));
        rows.add(RowFactory.create("blank-text", " \n\t ", null));
        FewNerSpark.Counts counts = new FewNerSpark.Counts(spark.sparkContext());
        List<Row> got = FewNerSpark.annotate(docs(rows, 2), config(model), counts).collectAsList();
        assertTrue(got.stream().allMatch(r -> r.getString(0).startsWith("d")), got.toString());
        assertFalse(got.isEmpty());
        assertEquals(3, counts.empty.value());
        assertEquals(2, counts.documents.value());
        assertEquals(0, counts.invalid.value());
    }

    @Test
    void invalidTextFailsTheJobNamingTheRow() {
        List<Row> rows = new ArrayList<>(rows(documents(3)));
        rows.add(RowFactory.create("bad-17", "marie curie\u0000 visited paris.", null));
        Exception e =
                assertThrows(
                        Exception.class,
                        () -> FewNerSpark.annotate(docs(rows, 2), config(model)).collectAsList());
        String m = String.valueOf(e.getMessage());
        assertTrue(
                m.contains(
                        "row id=bad-17: text is not valid: control character U+0000 at offset 11"),
                m);
    }

    @Test
    void invalidRowsSkippedAndCounted() {
        List<Row> rows = new ArrayList<>(rows(documents(3)));
        rows.add(RowFactory.create("bad-1", "paris\u0007", null));
        // (an unpaired surrogate cannot reach a task: Spark's UTF-8 strings turn it into '?')
        rows.add(RowFactory.create("bad-2", "non-character \uFFFF", null));
        rows.add(RowFactory.create(null, "marie curie visited paris.", null));
        FewNerSpark.Counts counts = new FewNerSpark.Counts(spark.sparkContext());
        List<Row> got =
                FewNerSpark.annotate(
                                docs(rows, 2),
                                config(model).invalidRows(FewNerSparkConfig.InvalidRows.SKIP),
                                counts)
                        .collectAsList();
        assertEquals(3, counts.invalid.value());
        assertEquals(3, counts.documents.value());
        assertTrue(got.stream().allMatch(r -> r.getString(0).startsWith("d")), got.toString());
    }

    @Test
    void binaryTextThatIsNotUtf8() {
        StructType schema =
                new StructType()
                        .add("doc", DataTypes.IntegerType)
                        .add("body", DataTypes.BinaryType);
        List<Row> rows =
                List.of(
                        RowFactory.create(
                                1, "marie curie visited paris.".getBytes(StandardCharsets.UTF_8)),
                        RowFactory.create(2, new byte[] {'p', 'a', (byte) 0xC3, '(', 'x'}));
        Dataset<Row> in = spark.createDataFrame(rows, schema);
        FewNerSparkConfig c = config(model).idColumn("doc").textColumn("body");
        Exception e = assertThrows(Exception.class, () -> FewNerSpark.annotate(in, c).count());
        assertTrue(
                String.valueOf(e.getMessage())
                        .contains(
                                "row id=2: text is not valid: not valid UTF-8: malformed byte"
                                        + " sequence at byte 2"),
                e.getMessage());
        FewNerSpark.Counts counts = new FewNerSpark.Counts(spark.sparkContext());
        List<Row> got =
                FewNerSpark.annotate(in, c.invalidRows(FewNerSparkConfig.InvalidRows.SKIP), counts)
                        .collectAsList();
        assertEquals(1, counts.invalid.value());
        assertTrue(got.stream().allMatch(r -> r.getString(0).equals("1")), got.toString());
    }

    @Test
    void missingOrMistypedColumnsAreRefusedOnTheDriver() {
        Dataset<Row> in = docs(rows(documents(1)), 1);
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () -> FewNerSpark.annotate(in, config(model).textColumn("body")));
        assertEquals(
                "text column 'body': not in the documents (columns: id, text, adapter)",
                e.getMessage());
        Dataset<Row> numbers = in.selectExpr("id", "length(text) as text");
        e = assertThrows(FewNerException.class, () -> FewNerSpark.annotate(numbers, config(model)));
        assertEquals(
                "text column 'text': type int (expected string, or binary holding UTF-8)",
                e.getMessage());
    }

    @Test
    void adapterChosenPerRowFromTheAdapterColumn() throws Exception {
        Path adapter = TinyModels.adapter(model, tmp.resolve("news"), 3);
        List<String> texts = documents(4);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            rows.add(
                    RowFactory.create(
                            String.format("d%02d", i), texts.get(i), i % 2 == 0 ? "news" : null));
        }
        FewNerSparkConfig c =
                config(model).adapter("news", adapter.toString()).adapterColumn("adapter");
        List<Row> got = FewNerSpark.annotate(docs(rows, 2), c).collectAsList();
        assertFalse(got.isEmpty());
        for (Row r : got) {
            int i = Integer.parseInt(r.getString(0).substring(1));
            assertEquals(i % 2 == 0 ? "news" : "none", r.getString(6), r.toString());
        }
        // the adapter rows equal the pipeline with that adapter fixed
        FewNerSparkConfig fixed = config(model).adapter("news", adapter.toString());
        TreeSet<String> expected = direct(texts, PartitionAnnotator.settings(fixed));
        expected.removeIf(l -> Integer.parseInt(l.substring(1, 3)) % 2 != 0);
        TreeSet<String> actual = lines(got);
        actual.removeIf(l -> Integer.parseInt(l.substring(1, 3)) % 2 != 0);
        assertEquals(expected, actual);

        List<Row> unknown = List.of(RowFactory.create("u-1", texts.get(0), "legal"));
        Exception e =
                assertThrows(
                        Exception.class, () -> FewNerSpark.annotate(docs(unknown, 1), c).count());
        assertTrue(
                String.valueOf(e.getMessage())
                        .contains("row id=u-1: u-1: collectionId 'legal' has no entry"),
                e.getMessage());
    }

    @Test
    void severalAdaptersWithoutAColumnOrDefaultAreRefused() {
        FewNerSparkConfig c = config(model).adapter("a", "/x").adapter("b", "/y");
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () -> FewNerSpark.annotate(docs(rows(documents(1)), 1), c));
        assertEquals(
                "adapters [a, b]: several adapters need an adapter column or a default adapter",
                e.getMessage());
    }

    @Test
    void countersAsMap() {
        FewNerSpark.Counts counts = new FewNerSpark.Counts(spark.sparkContext());
        FewNerSpark.annotate(docs(rows(documents(2)), 1), config(model), counts).count();
        Map<String, Object> m = counts.asMap();
        assertEquals(2L, m.get("documents"));
        assertTrue((Long) m.get("tokens") > 10, m.toString());
    }
}
