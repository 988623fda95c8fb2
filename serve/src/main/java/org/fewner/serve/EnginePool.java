package org.fewner.serve;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.uima.UIMAException;
import org.apache.uima.analysis_engine.AnalysisEngineDescription;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.apache.uima.resource.ResourceInitializationException;
import org.fewner.common.FewNerException;
import org.fewner.pipeline.AnnotatePipeline;
import org.fewner.pipeline.DocumentAnnotator;
import org.fewner.type.ScoredNamedEntity;
import org.fewner.uimaannotator.FewNerAnnotator;

/**
 * The server's FewNER analysis engine, built once at start, as {@code workers} instances (an engine
 * instance takes one CAS at a time; instances share the loaded model and its adapted recognisers),
 * each with its own scratch CAS. The same engine description ({@link AnnotatePipeline#engine}) and
 * recognition loop ({@link DocumentAnnotator#recognise}) as {@code fewner annotate}, with the
 * engine's support view ({@code FewNerAnnotator.PARAM_SUPPORT_VIEW} = {@link SupportView#NAME}):
 * each predict carries its recommender's support set in the scratch CAS's view, and the engine
 * adapts a recogniser once per distinct support set (cached by content in the shared model). The
 * {@code --support} file, when given, is the engine's {@code supportLocation}: what a predict
 * without a support view uses.
 *
 * <p>A {@link #retire retired} pool (the server stops) hands out no more instances: instances in
 * use finish their request and are destroyed when given back.
 */
public final class EnginePool {
    private final AnalysisEngineDescription description;
    private final int workers;
    private final Deque<Slot> idle = new ArrayDeque<>();
    private final java.util.concurrent.Semaphore free;
    private boolean retired;
    private final java.util.concurrent.atomic.AtomicInteger created =
            new java.util.concurrent.atomic.AtomicInteger();

    /** One instance: the pipeline's recognition loop and its scratch CAS. */
    private record Slot(DocumentAnnotator annotator, JCas scratch) {
        void destroy() {
            annotator.close();
        }
    }

    /**
     * Builds the description and every instance (so that a bad model or support file fails here,
     * not at the first predict).
     *
     * @throws FewNerException for a support file or model the engine refuses
     */
    public EnginePool(ServeConfig config) {
        this.workers = config.workers();
        this.free = new java.util.concurrent.Semaphore(workers, true);
        try {
            description =
                    AnnotatePipeline.engine(
                            AnnotatePipeline.settings()
                                    .model(config.model())
                                    .method(config.method())
                                    .methodOptions(config.methodOptions())
                                    // blank: no support location, every predict carries its view
                                    .support(
                                            config.support() == null
                                                    ? ""
                                                    : config.support().toString(),
                                            config.supportFormat())
                                    .seed(config.seed())
                                    .mappingEnabled(false)
                                    .build());
            description
                    .getMetaData()
                    .getConfigurationParameterSettings()
                    .setParameterValue(FewNerAnnotator.PARAM_SUPPORT_VIEW, SupportView.NAME);
        } catch (ResourceInitializationException e) {
            throw unwrap(e);
        }
        try {
            for (int i = 0; i < workers; i++) {
                idle.push(newSlot());
            }
        } catch (RuntimeException e) {
            idle.forEach(slot -> slot.destroy());
            throw e;
        }
    }

    /** How many engine instances this pool has built (its {@code workers}, once, at start). */
    public int instancesCreated() {
        return created.get();
    }

    private Slot newSlot() {
        try {
            DocumentAnnotator annotator =
                    DocumentAnnotator.create(AnnotatePipeline.segmentation(), description);
            try {
                Slot slot = new Slot(annotator, JCasFactory.createJCas());
                created.incrementAndGet();
                return slot;
            } catch (UIMAException | RuntimeException e) {
                annotator.close();
                throw e;
            }
        } catch (UIMAException e) {
            throw unwrap(e);
        }
    }

    static RuntimeException unwrap(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof FewNerException f) {
                return f;
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new IllegalStateException("the FewNER engine failed: " + SecureXml.message(root), e);
    }

    /** Thrown to a predict that comes to a pool after it was retired (the server stops). */
    static final class RetiredException extends RuntimeException {
        RetiredException() {
            super("the engine was stopped", null, false, false);
        }
    }

    private Slot borrow() throws InterruptedException {
        // first come, first served: a fair semaphore, one permit per instance
        free.acquire();
        synchronized (this) {
            Slot s = retired ? null : idle.poll();
            if (s == null) {
                free.release();
                throw new RetiredException();
            }
            return s;
        }
    }

    private void giveBack(Slot s) {
        boolean destroy;
        synchronized (this) {
            destroy = retired;
            if (!destroy) {
                idle.push(s);
            }
        }
        free.release();
        if (destroy) {
            s.destroy();
        }
    }

    /** Stops handing out instances; idle ones are destroyed now, busy ones when given back. */
    public void retire() {
        List<Slot> drop;
        synchronized (this) {
            retired = true;
            drop = new ArrayList<>(idle);
            idle.clear();
        }
        drop.forEach(s -> s.destroy());
    }

    /**
     * The engine's mentions in {@code text}, sentence by sentence: only the given sentences are
     * processed, with the given tokens ({@code [begin, end)} pairs in {@code text}), adapted to
     * {@code support} (null: the {@code --support} file).
     *
     * @throws RetiredException when the pool was retired before an instance was free
     */
    public List<Prediction> predict(
            SupportView support, String text, List<int[]> sentences, List<int[]> tokens) {
        List<Prediction> out = new ArrayList<>();
        if (sentences.isEmpty() || tokens.isEmpty()) {
            return out;
        }
        Slot slot;
        try {
            slot = borrow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an engine", e);
        }
        JCas jcas = slot.scratch();
        try {
            jcas.reset();
            jcas.setDocumentText(text);
            for (int[] s : sentences) {
                new Sentence(jcas, s[0], s[1]).addToIndexes();
            }
            for (int[] t : tokens) {
                new Token(jcas, t[0], t[1]).addToIndexes();
            }
            if (support != null) {
                support.write(jcas.createView(SupportView.NAME));
            }
            slot.annotator().recognise(jcas);
            for (NamedEntity ne : JCasUtil.select(jcas, NamedEntity.class)) {
                double score = ne instanceof ScoredNamedEntity s ? s.getConfidence() : 1.0;
                out.add(new Prediction(ne.getBegin(), ne.getEnd(), ne.getValue(), score));
            }
            return out;
        } catch (UIMAException e) {
            throw unwrap(e);
        } finally {
            jcas.reset();
            giveBack(slot);
        }
    }

    /**
     * Adapts the engine to {@code support} now (a one-word document through an instance), so that
     * the next predict with it is fast and a support set the engine refuses fails here.
     *
     * @throws FewNerException for a support set the engine refuses
     */
    public void warm(SupportView support) {
        predict(support, "x", List.of(new int[] {0, 1}), List.of(new int[] {0, 1}));
    }
}
