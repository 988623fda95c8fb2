package org.fewner.spark;

import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData;
import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.apache.uima.UIMAException;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.fewner.common.FewNerException;
import org.fewner.pipeline.AnnotatePipeline;
import org.fewner.pipeline.DocumentAnnotator;
import org.fewner.type.ScoredNamedEntity;
import org.fewner.uimaannotator.FewNerAnnotator;
import org.fewner.uimaannotator.SharedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of {@link FewNerTransformer} (and so of {@link FewNerSpark#annotate}): rows of
 * one partition through the pipeline of {@code fewner annotate} ({@link DocumentAnnotator}), or,
 * for rows with sentences and tokens from upstream columns, through its recogniser alone.
 * Annotators (segmenter, engine, a JCas) are pooled per JVM and per settings: a task borrows one,
 * later tasks reuse it; the model behind them is loaded once per JVM by the engine's shared
 * resource.
 */
final class PartitionAnnotator {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionAnnotator.class);

    /** The collectionId of rows without an adapter value (adapter column mode). */
    static final String DEFAULT_KEY = "(default)";

    private static final Map<AnnotatePipeline.Settings, Queue<Pooled>> POOL =
            new ConcurrentHashMap<>();

    /**
     * A pooled annotator, with a JCas of its own for rows segmented upstream (the annotator's JCas
     * serves the rows it segments).
     */
    static final class Pooled {
        final DocumentAnnotator annotator;
        private JCas segmented;

        Pooled(DocumentAnnotator annotator) {
            this.annotator = annotator;
        }

        JCas segmented() throws UIMAException {
            if (segmented == null) segmented = JCasFactory.createJCas();
            return segmented;
        }
    }

    private PartitionAnnotator() {}

    /** The engine settings of {@code c}, with sparkfiles: locations resolved on this JVM. */
    static AnnotatePipeline.Settings settings(FewNerSparkConfig c) {
        AnnotatePipeline.Settings.Builder b =
                AnnotatePipeline.settings()
                        .model(Locations.resolve("model", c.model()))
                        .method(c.method())
                        .methodOptions(c.methodOptions())
                        .support(Locations.resolve("support", c.support()), c.supportFormat())
                        .types(c.types())
                        .batchSize(c.batchSize())
                        .threshold(c.threshold());
        c.adapters().forEach((n, l) -> b.adapter(n, Locations.resolve("adapter " + n, l)));
        String adapter = c.defaultAdapter();
        if (c.adapterColumn() != null) {
            List<String> mapping = new ArrayList<>();
            for (String n : c.adapters().keySet()) mapping.add(n + "=" + n);
            mapping.add(FewNerAnnotator.NO_ADAPTER + "=" + FewNerAnnotator.NO_ADAPTER);
            mapping.add(
                    DEFAULT_KEY + "=" + (adapter == null ? FewNerAnnotator.NO_ADAPTER : adapter));
            b.adapterSelector("collectionId", mapping);
        } else if (adapter == null && c.adapters().size() > 1) {
            throw new FewNerException(
                    "adapters "
                            + c.adapters().keySet()
                            + ": several adapters need an adapter column or a default adapter");
        } else {
            b.defaultAdapter(adapter);
        }
        return b.build();
    }

    static Pooled borrow(AnnotatePipeline.Settings s, FewNerSpark.Counts counts) {
        Pooled p = POOL.computeIfAbsent(s, k -> new ConcurrentLinkedQueue<>()).poll();
        if (p != null) return p;
        // Pipelines are made one at a time per JVM, so that the loads counted here are this
        // pipeline's.
        synchronized (POOL) {
            long t0 = System.nanoTime();
            int before = SharedModel.loads();
            try {
                p = new Pooled(DocumentAnnotator.create(s));
            } catch (UIMAException e) {
                throw userError("pipeline", e);
            }
            int loads = SharedModel.loads() - before;
            if (loads > 0) counts.modelLoads.add(loads);
            counts.setupNanos.add(System.nanoTime() - t0);
        }
        return p;
    }

    static void giveBack(AnnotatePipeline.Settings s, Pooled p) {
        POOL.computeIfAbsent(s, k -> new ConcurrentLinkedQueue<>()).add(p);
    }

    /** The FewNerException in the cause chain, or one naming the failure. */
    static FewNerException userError(String where, Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof FewNerException f) return f;
        }
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        return new FewNerException(where + ": annotation failed: " + root, e);
    }

    /**
     * Where the columns of a row are ({@link #layout}): indices into the row, -1 when absent; the
     * field indices of {@code begin}/{@code end} in the sentence and token structs.
     */
    record Layout(
            int id,
            int text,
            int adapter,
            int sentences,
            int sentenceBegin,
            int sentenceEnd,
            int tokens,
            int tokenBegin,
            int tokenEnd,
            boolean binary,
            boolean requireId)
            implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * The layout of the columns that {@code c} names in {@code schema}, checked on the driver.
     *
     * @throws FewNerException naming a missing or mistyped column
     */
    static Layout layout(StructType schema, FewNerSparkConfig c, boolean requireId) {
        int id = c.idColumn() == null ? -1 : index(schema, c.idColumn(), "id column");
        int text = index(schema, c.textColumn(), "text column");
        DataType textType = schema.fields()[text].dataType();
        if (!(textType instanceof StringType) && !(textType instanceof BinaryType)) {
            throw new FewNerException(
                    "text column '"
                            + c.textColumn()
                            + "': type "
                            + textType.simpleString()
                            + " (expected string, or binary holding UTF-8)");
        }
        int adapter =
                c.adapterColumn() == null ? -1 : index(schema, c.adapterColumn(), "adapter column");
        int[] sentences = spans(schema, c.sentencesColumn(), "sentences column");
        int[] tokens = spans(schema, c.tokensColumn(), "tokens column");
        return new Layout(
                id,
                text,
                adapter,
                sentences[0],
                sentences[1],
                sentences[2],
                tokens[0],
                tokens[1],
                tokens[2],
                textType instanceof BinaryType,
                requireId);
    }

    private static int index(StructType schema, String name, String what) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new FewNerException(
                    what
                            + " '"
                            + name
                            + "': not in the documents (columns: "
                            + String.join(", ", schema.fieldNames())
                            + ")");
        }
        return schema.fieldIndex(name);
    }

    /** {column, begin field, end field} of an array-of-struct(begin, end) column; -1s if unset. */
    private static int[] spans(StructType schema, String name, String what) {
        if (name == null) return new int[] {-1, -1, -1};
        int i = index(schema, name, what);
        DataType t = schema.fields()[i].dataType();
        if (t instanceof ArrayType a && a.elementType() instanceof StructType s) {
            List<String> f = Arrays.asList(s.fieldNames());
            if (f.contains("begin")
                    && f.contains("end")
                    && integral(s.apply("begin").dataType())
                    && integral(s.apply("end").dataType())) {
                return new int[] {i, s.fieldIndex("begin"), s.fieldIndex("end")};
            }
        }
        throw new FewNerException(
                what
                        + " '"
                        + name
                        + "': type "
                        + t.simpleString()
                        + " (expected an array of struct with integer fields begin and end)");
    }

    private static boolean integral(DataType t) {
        return t instanceof IntegerType || t instanceof LongType || t instanceof ShortType;
    }

    /**
     * The rows of {@code rows} with an entities column appended ({@link FewNerSpark#ENTITIES}),
     * lazily, in order: an array of entities for an annotated row, an empty array for a null or
     * blank text, null for an invalid row skipped.
     */
    static Iterator<Row> annotate(
            Iterator<Row> rows,
            FewNerSparkConfig config,
            FewNerSpark.Counts counts,
            Layout layout) {
        int partition = TaskContext.get() == null ? 0 : TaskContext.get().partitionId();
        return new Iterator<>() {
            private AnnotatePipeline.Settings settings;
            private Pooled pooled;
            private long index = -1;

            @Override
            public boolean hasNext() {
                if (rows.hasNext()) return true;
                if (pooled != null) {
                    giveBack(settings, pooled);
                    pooled = null;
                }
                return false;
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                Row row = rows.next();
                index++;
                Object[] values = new Object[row.length() + 1];
                for (int i = 0; i < row.length(); i++) values[i] = row.get(i);
                values[row.length()] = process(row);
                return RowFactory.create(values);
            }

            /** The entities of {@code row}, or null when it is skipped. */
            private Row[] process(Row row) {
                String id =
                        layout.id() < 0 || row.isNullAt(layout.id())
                                ? null
                                : String.valueOf(row.get(layout.id()));
                String name =
                        layout.id() >= 0
                                ? "row id=" + id
                                : "row " + index + " of partition " + partition;
                Object raw = row.get(layout.text());
                String adapter =
                        layout.adapter() < 0 || row.isNullAt(layout.adapter())
                                ? null
                                : String.valueOf(row.get(layout.adapter()));
                if (raw == null) {
                    counts.empty.add(1);
                    return NONE;
                }
                String text;
                String problem;
                if (layout.binary()) {
                    try {
                        text = TextCheck.utf8((byte[]) raw);
                        problem = TextCheck.problem(text);
                    } catch (IllegalArgumentException e) {
                        text = null;
                        problem = e.getMessage();
                    }
                } else {
                    text = (String) raw;
                    problem = TextCheck.problem(text);
                }
                if (problem == null && id == null && layout.requireId()) {
                    problem = "the id is null (expected a document id)";
                }
                if (problem != null) {
                    return invalid(name, "text is not valid: " + problem, null);
                }
                if (text.isBlank()) {
                    counts.empty.add(1);
                    return NONE;
                }
                List<int[]> tokens = null;
                List<int[]> sentences = null;
                if (layout.tokens() >= 0 && !row.isNullAt(layout.tokens())) {
                    try {
                        tokens =
                                spans(
                                        row,
                                        layout.tokens(),
                                        layout.tokenBegin(),
                                        layout.tokenEnd(),
                                        text,
                                        "token");
                        sentences =
                                layout.sentences() < 0 || row.isNullAt(layout.sentences())
                                        ? List.of(new int[] {0, text.length()})
                                        : spans(
                                                row,
                                                layout.sentences(),
                                                layout.sentenceBegin(),
                                                layout.sentenceEnd(),
                                                text,
                                                "sentence");
                    } catch (IllegalArgumentException e) {
                        return invalid(name, e.getMessage(), null);
                    }
                    if (tokens.isEmpty() || sentences.isEmpty()) {
                        counts.empty.add(1);
                        return NONE;
                    }
                }
                if (pooled == null) {
                    if (settings == null) settings = settings(config);
                    pooled = borrow(settings, counts);
                }
                String document = text;
                String documentId = id == null ? name : id;
                long t0 = System.nanoTime();
                JCas jcas;
                try {
                    if (tokens == null) {
                        jcas =
                                pooled.annotator.annotate(
                                        j -> load(j, document, documentId, adapter));
                    } else {
                        jcas = pooled.segmented();
                        jcas.reset();
                        load(jcas, document, documentId, adapter);
                        for (int[] s : sentences) new Sentence(jcas, s[0], s[1]).addToIndexes();
                        for (int[] t : tokens) new Token(jcas, t[0], t[1]).addToIndexes();
                        pooled.annotator.recognise(jcas);
                    }
                } catch (UIMAException | RuntimeException e) {
                    FewNerException f = userError(name, e);
                    // A pipeline that failed half-way is not reused.
                    pooled = null;
                    if (f.getMessage().startsWith("row ")) throw f;
                    return invalid(name, f.getMessage(), f);
                }
                counts.pipelineNanos.add(System.nanoTime() - t0);
                counts.documents.add(1);
                counts.tokens.add(
                        tokens != null ? tokens.size() : JCasUtil.select(jcas, Token.class).size());
                List<Row> entities = new ArrayList<>();
                for (NamedEntity ne : JCasUtil.select(jcas, NamedEntity.class)) {
                    Double confidence = null;
                    String adapterId = null;
                    if (ne instanceof ScoredNamedEntity s) {
                        confidence = s.getConfidence();
                        adapterId = s.getAdapterId();
                    }
                    entities.add(
                            RowFactory.create(
                                    ne.getBegin(),
                                    ne.getEnd(),
                                    ne.getValue(),
                                    confidence,
                                    ne.getCoveredText(),
                                    adapterId));
                }
                counts.entities.add(entities.size());
                return entities.toArray(Row[]::new);
            }

            private void load(JCas j, String text, String documentId, String adapter) {
                j.setDocumentText(text);
                j.setDocumentLanguage(config.language());
                DocumentMetaData meta = DocumentMetaData.create(j);
                meta.setDocumentId(documentId);
                meta.setCollectionId(adapter == null || adapter.isEmpty() ? DEFAULT_KEY : adapter);
            }

            /** [begin, end) pairs of an upstream column, checked against the text. */
            private List<int[]> spans(
                    Row row, int column, int beginField, int endField, String text, String what) {
                List<Row> structs = row.getList(column);
                List<int[]> out = new ArrayList<>(structs.size());
                for (int k = 0; k < structs.size(); k++) {
                    Row s = structs.get(k);
                    if (s == null || s.isNullAt(beginField) || s.isNullAt(endField)) {
                        throw new IllegalArgumentException(what + " " + k + ": null offsets");
                    }
                    long b = ((Number) s.get(beginField)).longValue();
                    long e = ((Number) s.get(endField)).longValue();
                    if (config.inclusiveEnds()) e++;
                    if (b < 0 || e <= b || e > text.length()) {
                        throw new IllegalArgumentException(
                                what
                                        + " "
                                        + k
                                        + ": offsets ["
                                        + b
                                        + ", "
                                        + e
                                        + ") do not lie in the text (length "
                                        + text.length()
                                        + (config.inclusiveEnds() ? ", ends read inclusive" : "")
                                        + ")");
                    }
                    out.add(new int[] {(int) b, (int) e});
                }
                return out;
            }

            private Row[] invalid(String name, String problem, Throwable cause) {
                String message = name + ": " + problem;
                if (config.invalidRows() == FewNerSparkConfig.InvalidRows.FAIL) {
                    throw new FewNerException(
                            message + " (skip such rows with invalidRows SKIP / --on-invalid skip)",
                            cause);
                }
                counts.invalid.add(1);
                LOG.warn("skipped {}", message);
                return null;
            }
        };
    }

    private static final Row[] NONE = new Row[0];
}
