package org.fewner.pipeline;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngine;

import java.util.function.Consumer;
import org.apache.uima.UIMAException;
import org.apache.uima.analysis_engine.AnalysisEngine;
import org.apache.uima.analysis_engine.AnalysisEngineDescription;
import org.apache.uima.analysis_engine.AnalysisEngineProcessException;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.jcas.JCas;
import org.apache.uima.resource.ResourceInitializationException;

/**
 * The one segment-then-recognise loop of FewNER: text in, a JCas with DKPro's {@code Sentence},
 * {@code Token} and {@code NamedEntity} annotations out. {@code fewner annotate}, {@code fewner
 * spark annotate} (and {@code FewNerSpark.annotate}), {@code fewner bench annotate} and {@code
 * fewner bench spark} all run documents through it.
 *
 * <p>An instance holds a segmenter, a recogniser and one reusable JCas; it serves one document at a
 * time (not thread-safe: one instance per thread, the model behind the engine is shared per JVM by
 * its shared resource). The JCas returned by {@link #annotate} is valid until the next call. {@link
 * #recognise(JCas)} runs the recogniser alone on a CAS that is already segmented (as an HTTP
 * request with its own sentences and tokens brings it). The time spent in each engine is summed
 * ({@link #segmentationNanos()}, {@link #recognitionNanos()}).
 */
public final class DocumentAnnotator implements AutoCloseable {
    private final AnalysisEngine segmenter;
    private final AnalysisEngine recogniser;
    private final JCas jcas;
    private long segmentationNanos;
    private long recognitionNanos;
    private long documents;

    private DocumentAnnotator(AnalysisEngine segmenter, AnalysisEngine recogniser, JCas jcas) {
        this.segmenter = segmenter;
        this.recogniser = recogniser;
        this.jcas = jcas;
    }

    /** The pipeline of {@code fewner annotate} for {@code settings}: OpenNLP, then FewNER. */
    public static DocumentAnnotator create(AnnotatePipeline.Settings settings)
            throws UIMAException {
        return create(AnnotatePipeline.segmentation(), AnnotatePipeline.engine(settings));
    }

    /**
     * The loop over any segmenter and recogniser (e.g. DKPro's OpenNLP name finder, which {@code
     * fewner bench annotate} measures beside FewNER).
     */
    public static DocumentAnnotator create(
            AnalysisEngineDescription segmentation, AnalysisEngineDescription recogniser)
            throws UIMAException {
        AnalysisEngine seg = createEngine(segmentation);
        AnalysisEngine ner;
        try {
            ner = createEngine(recogniser);
        } catch (ResourceInitializationException | RuntimeException e) {
            seg.destroy();
            throw e;
        }
        try {
            return new DocumentAnnotator(seg, ner, JCasFactory.createJCas());
        } catch (UIMAException | RuntimeException e) {
            ner.destroy();
            seg.destroy();
            throw e;
        }
    }

    /**
     * Segments and recognises {@code text} (language {@code language}) in this annotator's JCas.
     *
     * @return the JCas, valid until the next call
     */
    public JCas annotate(String text, String language) throws AnalysisEngineProcessException {
        return annotate(
                j -> {
                    j.setDocumentText(text);
                    j.setDocumentLanguage(language);
                });
    }

    /**
     * Resets this annotator's JCas, lets {@code load} fill it (text, language, {@code
     * DocumentMetaData}), then segments and recognises it.
     *
     * @return the JCas, valid until the next call
     */
    public JCas annotate(Consumer<JCas> load) throws AnalysisEngineProcessException {
        jcas.reset();
        load.accept(jcas);
        process(jcas);
        return jcas;
    }

    /** Segments and recognises {@code cas}, which holds its text (and language) already. */
    public void process(JCas cas) throws AnalysisEngineProcessException {
        long t0 = System.nanoTime();
        segmenter.process(cas);
        long t1 = System.nanoTime();
        segmentationNanos += t1 - t0;
        recognise(cas);
    }

    /** Recognises the entities of {@code cas}, which holds its sentences and tokens already. */
    public void recognise(JCas cas) throws AnalysisEngineProcessException {
        long t0 = System.nanoTime();
        recogniser.process(cas);
        recognitionNanos += System.nanoTime() - t0;
        documents++;
    }

    /** Nanoseconds spent segmenting, summed over the documents of this annotator. */
    public long segmentationNanos() {
        return segmentationNanos;
    }

    /** Nanoseconds spent in the recogniser, summed over the documents of this annotator. */
    public long recognitionNanos() {
        return recognitionNanos;
    }

    /** Documents recognised by this annotator. */
    public long documents() {
        return documents;
    }

    /** Tells the engines the collection is complete (writers and engines flush). */
    public void collectionProcessComplete() throws AnalysisEngineProcessException {
        recogniser.collectionProcessComplete();
        segmenter.collectionProcessComplete();
    }

    /** Destroys the engines (the shared model is released with its last user). */
    @Override
    public void close() {
        try {
            recogniser.destroy();
        } finally {
            segmenter.destroy();
        }
    }
}
