package org.fewner.examples;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngineDescription;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.uima.analysis_engine.AnalysisEngineDescription;
import org.apache.uima.resource.ResourceInitializationException;
import org.fewner.uimaannotator.FewNerAnnotator;
import org.fewner.uimaannotator.FewNerModelResource;

/**
 * The pipeline of {@code fewner annotate}: {@link Segmentation#openNlpEnglish()} then the FewNER
 * engine with the model bound as a shared resource (one model per JVM). {@code fewner annotate},
 * {@code fewner spark annotate} and the Spark API build their engines here, so that there is one
 * code path for named-entity recognition.
 */
public final class AnnotatePipeline {
    private AnnotatePipeline() {}

    /**
     * What the engine is given.
     *
     * @param model {@code default}, {@code default-uncased} or a model directory
     * @param method the few-shot method
     * @param methodOptions {@code key=value} method options
     * @param adapters adapter name -> directory (loaded once per JVM)
     * @param adapter the adapter serving every document (null: the base model, unless
     *     adapterSelector is set)
     * @param adapterSelector the {@code DocumentMetaData} feature that chooses the adapter per
     *     document (null: none)
     * @param adapterMapping {@code value=adapter} pairs for adapterSelector
     * @param support the support file
     * @param supportFormat its format
     * @param types the entity types (empty: all of the support file)
     * @param batchSize sentences per forward pass
     * @param threshold drop entities below this confidence
     */
    public record Settings(
            String model,
            String method,
            List<String> methodOptions,
            Map<String, String> adapters,
            String adapter,
            String adapterSelector,
            List<String> adapterMapping,
            String support,
            String supportFormat,
            List<String> types,
            int batchSize,
            float threshold) {}

    /** Sentence and token segmentation (OpenNLP, English). */
    public static AnalysisEngineDescription segmentation() throws ResourceInitializationException {
        return Segmentation.openNlpEnglish();
    }

    /** The FewNER engine for {@code s}, its model bound as a shared resource. */
    public static AnalysisEngineDescription engine(Settings s)
            throws ResourceInitializationException {
        List<Object> params =
                new ArrayList<>(
                        List.of(
                                FewNerAnnotator.RES_MODEL,
                                FewNerModelResource.description(s.model()),
                                FewNerAnnotator.PARAM_METHOD,
                                s.method(),
                                FewNerAnnotator.PARAM_METHOD_OPTIONS,
                                s.methodOptions().toArray(String[]::new),
                                FewNerAnnotator.PARAM_SUPPORT_LOCATION,
                                s.support(),
                                FewNerAnnotator.PARAM_SUPPORT_FORMAT,
                                s.supportFormat(),
                                FewNerAnnotator.PARAM_BATCH_SIZE,
                                s.batchSize(),
                                FewNerAnnotator.PARAM_CONFIDENCE_THRESHOLD,
                                s.threshold()));
        if (!s.types().isEmpty()) {
            params.add(FewNerAnnotator.PARAM_ENTITY_TYPES);
            params.add(s.types().toArray(String[]::new));
        }
        if (!s.adapters().isEmpty()) {
            params.add(FewNerAnnotator.PARAM_ADAPTERS);
            params.add(
                    s.adapters().entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue())
                            .toArray(String[]::new));
        }
        if (s.adapter() != null) {
            params.add(FewNerAnnotator.PARAM_ADAPTER);
            params.add(s.adapter());
        }
        if (s.adapterSelector() != null) {
            params.add(FewNerAnnotator.PARAM_ADAPTER_SELECTOR);
            params.add(s.adapterSelector());
            params.add(FewNerAnnotator.PARAM_ADAPTER_MAPPING);
            params.add(s.adapterMapping().toArray(String[]::new));
        }
        return createEngineDescription(FewNerAnnotator.class, params.toArray());
    }
}
