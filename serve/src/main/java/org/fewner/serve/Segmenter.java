package org.fewner.serve;

import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.util.ArrayList;
import java.util.List;
import org.apache.uima.UIMAException;
import org.apache.uima.analysis_engine.AnalysisEngine;
import org.apache.uima.fit.factory.AnalysisEngineFactory;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;

/**
 * Sentence and token segmentation of plain text (the page at {@code /}, and requests whose CAS has
 * no {@code Sentence}/{@code Token}): the one place of this module that names a segmenter.
 */
public final class Segmenter {
    private AnalysisEngine engine;
    private JCas jcas;

    /** Sentences and tokens of a text, as {@code [begin, end)} pairs. */
    public record Segments(List<int[]> sentences, List<int[]> tokens) {}

    /** Splits {@code text} (English OpenNLP models); one call at a time. */
    public synchronized Segments segment(String text) {
        try {
            if (engine == null) {
                engine =
                        AnalysisEngineFactory.createEngine(
                                org.fewner.pipeline.Segmentation.openNlpEnglish());
                jcas = engine.newJCas();
            }
            jcas.reset();
            jcas.setDocumentText(text);
            jcas.setDocumentLanguage("en");
            engine.process(jcas);
            List<int[]> sentences = new ArrayList<>();
            for (Sentence s : JCasUtil.select(jcas, Sentence.class)) {
                sentences.add(new int[] {s.getBegin(), s.getEnd()});
            }
            List<int[]> tokens = new ArrayList<>();
            for (Token t : JCasUtil.select(jcas, Token.class)) {
                tokens.add(new int[] {t.getBegin(), t.getEnd()});
            }
            return new Segments(sentences, tokens);
        } catch (UIMAException e) {
            throw new IllegalStateException("segmentation failed: " + e.getMessage(), e);
        }
    }

    public synchronized void close() {
        if (engine != null) {
            engine.destroy();
            engine = null;
        }
    }
}
