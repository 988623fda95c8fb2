package org.fewner.uimaannotator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.uima.analysis_engine.AnalysisEngineProcessException;
import org.apache.uima.cas.CAS;
import org.apache.uima.cas.Type;
import org.apache.uima.cas.text.AnnotationFS;
import org.apache.uima.fit.util.CasUtil;
import org.fewner.common.FewNerException;

/**
 * The sentence and token layers an engine reads, by type name (DKPro's by default, cTAKES's or any
 * other): each sentence of a CAS with its non-blank tokens, in document order. Public for its type
 * name constants.
 */
public final class SegmentLayers {
    /** DKPro's sentence type (the default of {@link FewNerAnnotator#PARAM_SENTENCE_TYPE}). */
    public static final String DKPRO_SENTENCE =
            "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence";

    /** DKPro's token type (the default of {@link FewNerAnnotator#PARAM_TOKEN_TYPE}). */
    public static final String DKPRO_TOKEN =
            "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token";

    /** Apache cTAKES's sentence type, for {@link FewNerAnnotator#PARAM_SENTENCE_TYPE}. */
    public static final String CTAKES_SENTENCE =
            "org.apache.ctakes.typesystem.type.textspan.Sentence";

    /** Apache cTAKES's token type (words, punctuation, numbers), for the token type parameter. */
    public static final String CTAKES_TOKEN = "org.apache.ctakes.typesystem.type.syntax.BaseToken";

    /** One sentence: its annotation and its tokens (never empty). */
    record Segment(AnnotationFS sentence, List<AnnotationFS> tokens) {
        /** The tokens' covered texts. */
        List<String> words() {
            List<String> w = new ArrayList<>(tokens.size());
            tokens.forEach(t -> w.add(t.getCoveredText()));
            return w;
        }
    }

    private final String sentenceType;
    private final String tokenType;

    SegmentLayers(String sentenceType, String tokenType) {
        this.sentenceType = sentenceType;
        this.tokenType = tokenType;
    }

    /**
     * The sentences of {@code cas} with their tokens.
     *
     * @param doc the document's name for messages
     * @throws AnalysisEngineProcessException (a {@link FewNerException} inside) when a layer's type
     *     is not in the type system, or the CAS has no sentences or no tokens: a segmenter is
     *     missing before the engine
     */
    List<Segment> segments(CAS cas, String doc) throws AnalysisEngineProcessException {
        Type sentences = type(cas, FewNerAnnotator.PARAM_SENTENCE_TYPE, sentenceType);
        Type tokens = type(cas, FewNerAnnotator.PARAM_TOKEN_TYPE, tokenType);
        if (CasUtil.select(cas, sentences).isEmpty()) {
            throw missing(
                    doc + ": no " + sentences.getShortName() + " annotations: add a segmenter",
                    sentences);
        }
        if (CasUtil.select(cas, tokens).isEmpty()) {
            throw missing(
                    doc
                            + ": no "
                            + tokens.getShortName()
                            + " annotations: add a segmenter (tokenizer)",
                    tokens);
        }
        Map<AnnotationFS, List<AnnotationFS>> index = CasUtil.indexCovered(cas, sentences, tokens);
        List<Segment> out = new ArrayList<>();
        for (AnnotationFS sentence : CasUtil.select(cas, sentences)) {
            List<AnnotationFS> kept = new ArrayList<>();
            for (AnnotationFS t : index.getOrDefault(sentence, List.of())) {
                if (!t.getCoveredText().isBlank()) kept.add(t);
            }
            if (!kept.isEmpty()) out.add(new Segment(sentence, kept));
        }
        return out;
    }

    private static Type type(CAS cas, String param, String name)
            throws AnalysisEngineProcessException {
        Type t = cas.getTypeSystem().getType(name);
        if (t == null) {
            throw new AnalysisEngineProcessException(
                    new FewNerException(
                            param
                                    + " "
                                    + name
                                    + ": no such type in the CAS's type system (add the type"
                                    + " system that defines it to the pipeline, e.g. cTAKES's"
                                    + " org.apache.ctakes.typesystem.types.TypeSystem)"));
        }
        return t;
    }

    private static AnalysisEngineProcessException missing(String what, Type layer) {
        String hint =
                layer.getName().startsWith("org.apache.ctakes.")
                        ? " before FewNER that writes "
                                + layer.getName()
                                + ", e.g. cTAKES's"
                                + " SentenceDetector and TokenizerAnnotatorPTB"
                        : layer.getName().startsWith("de.tudarmstadt.ukp.dkpro.")
                                ? " before FewNER, e.g. DKPro's OpenNlpSegmenter or"
                                        + " BreakIteratorSegmenter"
                                : " before FewNER that writes " + layer.getName();
        return new AnalysisEngineProcessException(new FewNerException(what + hint));
    }
}
