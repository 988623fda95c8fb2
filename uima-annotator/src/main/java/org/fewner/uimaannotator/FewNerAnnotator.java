package org.fewner.uimaannotator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.uima.UimaContext;
import org.apache.uima.analysis_engine.AnalysisEngineProcessException;
import org.apache.uima.fit.descriptor.ResourceMetaData;
import org.apache.uima.fit.descriptor.TypeCapability;
import org.apache.uima.jcas.JCas;
import org.apache.uima.resource.ResourceInitializationException;
import org.fewner.common.FewNerException;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.WordSentence;
import org.fewner.type.ScoredNamedEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FewNER's few-shot named-entity recogniser: names the entity types of a few labelled sentences in
 * the sentence and token layers of a CAS (DKPro's {@code Sentence}/{@code Token} by default, any
 * other types by name: {@link #PARAM_SENTENCE_TYPE}, {@link #PARAM_TOKEN_TYPE}, e.g. cTAKES's) with
 * a method of {@code fewner eval}'s registry ({@code org.fewner.ner.FewShotMethods}): {@code span}
 * (the default; source-trained span detection, adapters shipped for the default models), {@code
 * frozen-prototype} (no training) or {@code generative}.
 *
 * <p>The model is the {@link #RES_MODEL} resource ({@link FewNerModelResource}, its URL the model)
 * or, without one, a resource the engine makes from {@link #PARAM_MODEL_LOCATION} and destroys with
 * itself; either way it is loaded once per JVM. LoRA adapters serve every document or are chosen
 * per document ({@link AdapterRouting}). Each predicted mention becomes one annotation from its
 * first token's begin to its last token's end, by default a {@link ScoredNamedEntity}, or through a
 * mapping file any annotation type with the confidence carried over (DKPro's {@code Person} etc.:
 * {@link NamedEntityMappings#DKPRO}; cTAKES's {@code IdentifiedAnnotation} subtypes: {@link
 * NamedEntityMappings#CTAKES}; {@link MentionWriter}); mentions never overlap (the recogniser's
 * contract). Each CAS also gets a {@code TagsetDescription} of the labels the engine can emit
 * ({@link #PARAM_PRINT_TAGSET} logs it). One CAS at a time per instance; instances, in any number
 * of threads, share the model and the recognisers.
 */
@ResourceMetaData(
        name = "FewNER Named Entity Recognizer",
        description = "Few-shot named-entity recognition from a handful of labelled sentences.")
@TypeCapability(
        inputs = {
            "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence",
            "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token"
        },
        outputs = {
            "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity",
            "org.fewner.type.ScoredNamedEntity",
            "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.TagsetDescription"
        })
public class FewNerAnnotator extends EngineParameters {
    private static final Logger LOG = LoggerFactory.getLogger(FewNerAnnotator.class);

    /** The SLF4J logger that {@link #PARAM_PRINT_TAGSET} prints to (at INFO). */
    public static final String TAGSET_LOGGER = "org.fewner.uimaannotator.FewNerAnnotator.tagset";

    /** The {@code adapterId} of annotations made without an adapter (the base model). */
    public static final String NO_ADAPTER = "none";

    private FewNerModelResource ownResource;
    private AdapterRouting routing;
    private SupportRouting support;
    private SegmentLayers layers;
    private EngineTagset tagset;
    private MentionWriter writer;
    private long cases;

    @Override
    public void initialize(UimaContext context) throws ResourceInitializationException {
        super.initialize(context);
        try {
            if (batchSize < 1) {
                throw new FewNerException(PARAM_BATCH_SIZE + ": must be >= 1, got " + batchSize);
            }
            if (modelResource == null) {
                String location = modelArtifactUri != null ? modelArtifactUri : modelLocation;
                modelResource = ownResource = FewNerModelResource.open(location, device);
            }
            modelResource.requireDevice(device);
            SharedModel model = modelResource.model();
            Map<String, String> adapters = EngineSettings.pairs(PARAM_ADAPTERS, adapterLocations);
            adapters.forEach(
                    (name, dir) -> model.loadAdapter(name, ClasspathLocations.localDirectory(dir)));
            routing =
                    AdapterRouting.of(
                            adapter, adapterSelector, adapterMapping, adapters, model::hasAdapter);
            support =
                    new SupportRouting(
                            model,
                            method,
                            EngineSettings.methodOptions(methodOptions, typeDefinitions),
                            seed,
                            EngineSettings.list(entityTypes),
                            supportLocation,
                            supportFormat,
                            supportView,
                            routing.served());
            LOG.info("{} on {}: types {}, adapters {}", method, model, support.labels(), adapters);
            String name = EngineTagset.name(supportLocation, supportView);
            tagset = new EngineTagset(name, model.location(), method, language, support.labels());
        } catch (FewNerException e) {
            destroy();
            throw new ResourceInitializationException(e);
        }
        layers = new SegmentLayers(sentenceType, tokenType);
        writer = new MentionWriter(this, mappingLocation, language, variant, confidenceThreshold);
    }

    @Override
    public void process(JCas jcas) throws AnalysisEngineProcessException {
        String text = jcas.getDocumentText();
        if (text == null || text.isBlank()) return;
        String doc = AdapterRouting.documentName(jcas);
        List<SegmentLayers.Segment> segments = layers.segments(jcas.getCas(), doc);
        // unique per CAS of this instance: methods may key caches by sentence id
        String casId = doc + "#" + System.identityHashCode(this) + "." + ++cases;
        writer.configure(jcas.getCas());
        tagset.record(jcas, printTagSet);
        try {
            String adapterId = routing.adapterFor(jcas);
            FewShotMethod.Recognizer recognizer = support.recognizerFor(jcas, adapterId, doc);
            for (int from = 0; from < segments.size(); from += batchSize) {
                List<SegmentLayers.Segment> batch =
                        segments.subList(from, Math.min(segments.size(), from + batchSize));
                List<WordSentence> sentences = new ArrayList<>(batch.size());
                for (SegmentLayers.Segment s : batch) {
                    sentences.add(
                            new WordSentence(casId + "@" + s.sentence().getBegin(), s.words()));
                }
                List<List<ScoredMention>> predicted = recognizer.recognize(sentences);
                if (predicted.size() != batch.size()) {
                    String m = "%s returned %d results for %d sentences";
                    throw new IllegalStateException(
                            m.formatted(method, predicted.size(), batch.size()));
                }
                for (int i = 0; i < batch.size(); i++) {
                    writer.write(jcas.getCas(), batch.get(i).tokens(), predicted.get(i), adapterId);
                }
            }
        } catch (FewNerException e) {
            throw new AnalysisEngineProcessException(e);
        }
    }

    /** Destroys the model resource the engine made for itself, if any. */
    @Override
    public void destroy() {
        if (ownResource != null) {
            ownResource.destroy();
            ownResource = null;
        }
        super.destroy();
    }
}
