package org.fewner.spark;

import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData;
import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.uima.UIMAException;
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
 * The executor side of {@link FewNerSpark#annotate}: rows of one partition through the pipeline of
 * {@code fewner annotate} ({@link DocumentAnnotator}). Annotators (segmenter, engine, a JCas) are
 * pooled per JVM and per settings: a task borrows one, later tasks reuse it; the model behind them
 * is loaded once per JVM by the engine's shared resource.
 */
final class PartitionAnnotator {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionAnnotator.class);

    /** The collectionId of rows without an adapter value (adapter column mode). */
    static final String DEFAULT_KEY = "(default)";

    private static final Map<AnnotatePipeline.Settings, Queue<DocumentAnnotator>> POOL =
            new ConcurrentHashMap<>();

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

    static DocumentAnnotator borrow(AnnotatePipeline.Settings s, FewNerSpark.Counts counts) {
        DocumentAnnotator p = POOL.computeIfAbsent(s, k -> new ConcurrentLinkedQueue<>()).poll();
        if (p != null) return p;
        // Pipelines are made one at a time per JVM, so that the loads counted here are this
        // pipeline's.
        synchronized (POOL) {
            long t0 = System.nanoTime();
            int before = SharedModel.loads();
            try {
                p = DocumentAnnotator.create(s);
            } catch (UIMAException e) {
                throw userError("pipeline", e);
            }
            int loads = SharedModel.loads() - before;
            if (loads > 0) counts.modelLoads.add(loads);
            counts.setupNanos.add(System.nanoTime() - t0);
        }
        return p;
    }

    static void giveBack(AnnotatePipeline.Settings s, DocumentAnnotator p) {
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

    /** The entity rows of {@code rows} (id, text, adapter), lazily. */
    static Iterator<Row> annotate(
            Iterator<Row> rows,
            FewNerSparkConfig config,
            FewNerSpark.Counts counts,
            boolean binary) {
        return new Iterator<>() {
            private final ArrayDeque<Row> out = new ArrayDeque<>();
            private AnnotatePipeline.Settings settings;
            private DocumentAnnotator pipeline;

            @Override
            public boolean hasNext() {
                while (out.isEmpty() && rows.hasNext()) {
                    process(rows.next());
                }
                if (out.isEmpty() && pipeline != null) {
                    giveBack(settings, pipeline);
                    pipeline = null;
                }
                return !out.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return out.poll();
            }

            private void process(Row row) {
                String id = row.getString(0);
                Object raw = row.get(1);
                String adapter = row.isNullAt(2) ? null : row.getString(2);
                if (raw == null) {
                    counts.empty.add(1);
                    return;
                }
                String text;
                String problem;
                if (binary) {
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
                if (problem == null && id == null) {
                    problem = "the id is null (expected a document id)";
                }
                if (problem != null) {
                    invalid(id, "text is not valid: " + problem);
                    return;
                }
                if (text.isBlank()) {
                    counts.empty.add(1);
                    return;
                }
                if (pipeline == null) {
                    if (settings == null) settings = settings(config);
                    pipeline = borrow(settings, counts);
                }
                String document = text;
                long t0 = System.nanoTime();
                JCas jcas;
                try {
                    jcas =
                            pipeline.annotate(
                                    j -> {
                                        j.setDocumentText(document);
                                        j.setDocumentLanguage(config.language());
                                        DocumentMetaData meta = DocumentMetaData.create(j);
                                        meta.setDocumentId(id);
                                        meta.setCollectionId(
                                                adapter == null || adapter.isEmpty()
                                                        ? DEFAULT_KEY
                                                        : adapter);
                                    });
                } catch (UIMAException | RuntimeException e) {
                    FewNerException f = userError("row id=" + id, e);
                    // A pipeline that failed half-way is not reused.
                    pipeline = null;
                    if (f.getMessage().startsWith("row id=")) throw f;
                    invalid(id, f.getMessage(), f);
                    return;
                }
                counts.pipelineNanos.add(System.nanoTime() - t0);
                counts.documents.add(1);
                counts.tokens.add(JCasUtil.select(jcas, Token.class).size());
                for (NamedEntity ne : JCasUtil.select(jcas, NamedEntity.class)) {
                    Double confidence = null;
                    String adapterId = null;
                    if (ne instanceof ScoredNamedEntity s) {
                        confidence = s.getConfidence();
                        adapterId = s.getAdapterId();
                    }
                    out.add(
                            RowFactory.create(
                                    id,
                                    ne.getBegin(),
                                    ne.getEnd(),
                                    ne.getValue(),
                                    confidence,
                                    ne.getCoveredText(),
                                    adapterId));
                    counts.entities.add(1);
                }
            }

            private void invalid(String id, String problem) {
                invalid(id, problem, null);
            }

            private void invalid(String id, String problem, Throwable cause) {
                String message = "row id=" + id + ": " + problem;
                if (config.invalidRows() == FewNerSparkConfig.InvalidRows.FAIL) {
                    throw new FewNerException(
                            message + " (skip such rows with invalidRows SKIP / --on-invalid skip)",
                            cause);
                }
                counts.invalid.add(1);
                LOG.warn("skipped {}", message);
            }
        };
    }
}
