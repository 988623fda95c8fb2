package org.fewner.pipeline;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngineDescription;

import org.apache.uima.analysis_engine.AnalysisEngineDescription;
import org.apache.uima.resource.ResourceInitializationException;
import org.dkpro.core.opennlp.OpenNlpSegmenter;

/**
 * Sentence and token segmentation for English plain text: DKPro's {@link OpenNlpSegmenter} with
 * Apache OpenNLP's UD-EWT models from Maven Central ({@code opennlp-models-sentdetect-en} and
 * {@code opennlp-models-tokenizer-en} 1.3.0). DKPro's own default models live in a repository that
 * is not Central, hence the explicit locations.
 */
public final class Segmentation {
    /** The sentence model inside {@code opennlp-models-sentdetect-en-1.3.0.jar}. */
    public static final String SENTENCE_MODEL =
            "classpath:/opennlp-en-ud-ewt-sentence-1.3-2.5.4.bin";

    /** The tokenizer model inside {@code opennlp-models-tokenizer-en-1.3.0.jar}. */
    public static final String TOKEN_MODEL = "classpath:/opennlp-en-ud-ewt-tokens-1.3-2.5.4.bin";

    private Segmentation() {}

    /** OpenNLP sentence splitter and tokenizer (English). */
    public static AnalysisEngineDescription openNlpEnglish()
            throws ResourceInitializationException {
        return createEngineDescription(
                OpenNlpSegmenter.class,
                OpenNlpSegmenter.PARAM_LANGUAGE,
                "en",
                OpenNlpSegmenter.PARAM_SEGMENTATION_MODEL_LOCATION,
                SENTENCE_MODEL,
                OpenNlpSegmenter.PARAM_TOKENIZATION_MODEL_LOCATION,
                TOKEN_MODEL);
    }
}
