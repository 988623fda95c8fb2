package org.fewner.uimaannotator;

import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.uima.UimaContext;
import org.apache.uima.analysis_engine.AnalysisEngineProcessException;
import org.apache.uima.fit.component.JCasAnnotator_ImplBase;
import org.apache.uima.fit.descriptor.ConfigurationParameter;
import org.apache.uima.fit.descriptor.ExternalResource;
import org.apache.uima.fit.descriptor.ResourceMetaData;
import org.apache.uima.fit.descriptor.TypeCapability;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.apache.uima.resource.ResourceInitializationException;
import org.dkpro.core.api.parameter.ComponentParameters;
import org.fewner.common.FewNerException;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.WordSentence;
import org.fewner.type.ScoredNamedEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FewNER's few-shot named-entity recogniser: names the entity types of a few labelled sentences in
 * the {@code Sentence}/{@code Token} layers of a CAS with a method of {@code fewner eval}'s
 * registry ({@code org.fewner.ner.FewShotMethods}): {@code span} (recommended; source-trained span
 * detection, adapters shipped for the default models), {@code frozen-prototype} (no training; the
 * default) or {@code generative}.
 *
 * <p>The model is the {@link #RES_MODEL} resource ({@link FewNerModelResource}, its URL the model)
 * or, without one, a resource the engine makes from {@link #PARAM_MODEL_LOCATION} and destroys with
 * itself; either way it is loaded once per JVM. LoRA adapters serve every document or are chosen
 * per document ({@link AdapterRouting}). Each predicted mention becomes one annotation from its
 * first token's begin to its last token's end, by default a {@link ScoredNamedEntity} ({@link
 * MentionWriter}); mentions never overlap (the recogniser's contract). One CAS at a time per
 * instance; instances, in any number of threads, share the model and the recognisers.
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
            "org.fewner.type.ScoredNamedEntity"
        })
public class FewNerAnnotator extends JCasAnnotator_ImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(FewNerAnnotator.class);

    /** The {@code adapterId} of annotations made without an adapter (the base model). */
    public static final String NO_ADAPTER = "none";

    /**
     * The model as a shared resource (FewNerModelResource); when bound, modelLocation is unused.
     */
    public static final String RES_MODEL = "model";

    @ExternalResource(key = RES_MODEL, mandatory = false)
    private FewNerModelResource modelResource;

    /** Use this language instead of the document's to find the default mapping file. */
    public static final String PARAM_LANGUAGE = ComponentParameters.PARAM_LANGUAGE;

    @ConfigurationParameter(name = PARAM_LANGUAGE, mandatory = false)
    private String language;

    /** The model without a model resource: default, default-uncased or a model directory. */
    public static final String PARAM_MODEL_LOCATION = ComponentParameters.PARAM_MODEL_LOCATION;

    @ConfigurationParameter(name = PARAM_MODEL_LOCATION, mandatory = true, defaultValue = "default")
    private String modelLocation;

    /** Variant used to look up the default named-entity mapping file. */
    public static final String PARAM_VARIANT = ComponentParameters.PARAM_VARIANT;

    @ConfigurationParameter(name = PARAM_VARIANT, mandatory = true, defaultValue = "fewner")
    private String variant;

    /** Enable/disable the label-to-type mapping (disabled: every entity is a ScoredNamedEntity). */
    public static final String PARAM_MAPPING_ENABLED = ComponentParameters.PARAM_MAPPING_ENABLED;

    @ConfigurationParameter(
            name = PARAM_MAPPING_ENABLED,
            mandatory = true,
            defaultValue = ComponentParameters.DEFAULT_MAPPING_ENABLED)
    private boolean mappingEnabled;

    /** Mapping file of labels to UIMA types ({@code label=type}, {@code *} for the rest). */
    public static final String PARAM_NAMED_ENTITY_MAPPING_LOCATION =
            ComponentParameters.PARAM_NAMED_ENTITY_MAPPING_LOCATION;

    @ConfigurationParameter(name = PARAM_NAMED_ENTITY_MAPPING_LOCATION, mandatory = false)
    private String mappingLocation;

    /** LoRA adapters to make resident, as {@code name=directory}, checked at initialise. */
    public static final String PARAM_ADAPTERS = "adapters";

    @ConfigurationParameter(name = PARAM_ADAPTERS, mandatory = false)
    private String[] adapterLocations;

    /** The adapter serving every CAS (a name from adapters); unset: the base model. */
    public static final String PARAM_ADAPTER = "adapter";

    @ConfigurationParameter(name = PARAM_ADAPTER, mandatory = false)
    private String adapter;

    /** Chooses the adapter per document: a DocumentMetaData feature, or {@code language}. */
    public static final String PARAM_ADAPTER_SELECTOR = "adapterSelector";

    @ConfigurationParameter(name = PARAM_ADAPTER_SELECTOR, mandatory = false)
    private String adapterSelector;

    /** With adapterSelector: {@code value=adapter} pairs, {@code *} for the rest, none: base. */
    public static final String PARAM_ADAPTER_MAPPING = "adapterMapping";

    @ConfigurationParameter(name = PARAM_ADAPTER_MAPPING, mandatory = false)
    private String[] adapterMapping;

    /** The entity types to recognise, each with an example; unset: all of the support file. */
    public static final String PARAM_ENTITY_TYPES = "entityTypes";

    @ConfigurationParameter(name = PARAM_ENTITY_TYPES, mandatory = false)
    private String[] entityTypes;

    /** Definitions of the types, {@code type=text}, as method options definition.TYPE. */
    public static final String PARAM_TYPE_DEFINITIONS = "typeDefinitions";

    @ConfigurationParameter(name = PARAM_TYPE_DEFINITIONS, mandatory = false)
    private String[] typeDefinitions;

    /**
     * The few-shot support set: labelled sentences in supportFormat, as a file, a {@code
     * classpath:} resource or a URL. Optional when every document carries its own (supportView).
     */
    public static final String PARAM_SUPPORT_LOCATION = "supportLocation";

    @ConfigurationParameter(name = PARAM_SUPPORT_LOCATION, mandatory = false)
    private String supportLocation;

    /**
     * A CAS view holding the document's own support set (DKPro Sentence, Token and NamedEntity with
     * the label in value); a document without it uses supportLocation.
     */
    public static final String PARAM_SUPPORT_VIEW = "supportView";

    @ConfigurationParameter(name = PARAM_SUPPORT_VIEW, mandatory = false)
    private String supportView;

    /** Format of the support file: conll2003, conll, fewnerd-episodes or xmi. */
    public static final String PARAM_SUPPORT_FORMAT = "supportFormat";

    @ConfigurationParameter(name = PARAM_SUPPORT_FORMAT, mandatory = true, defaultValue = "conll")
    private String supportFormat;

    /** The few-shot method: span (recommended), frozen-prototype or generative. */
    public static final String PARAM_METHOD = "method";

    @ConfigurationParameter(name = PARAM_METHOD, defaultValue = "frozen-prototype")
    private String method;

    /** Method options as {@code key=value} (e.g. {@code layer=9} for frozen-prototype). */
    public static final String PARAM_METHOD_OPTIONS = "methodOptions";

    @ConfigurationParameter(name = PARAM_METHOD_OPTIONS, mandatory = false)
    private String[] methodOptions;

    /** Seed of everything random in the adaptation to the support set. */
    public static final String PARAM_SEED = "seed";

    @ConfigurationParameter(name = PARAM_SEED, mandatory = true, defaultValue = "1")
    private int seed;

    /** Sentences per call of the method (one batched forward pass per call). */
    public static final String PARAM_BATCH_SIZE = "batchSize";

    @ConfigurationParameter(name = PARAM_BATCH_SIZE, mandatory = true, defaultValue = "16")
    private int batchSize;

    /** Mentions whose confidence is below this value are dropped. */
    public static final String PARAM_CONFIDENCE_THRESHOLD = "confidenceThreshold";

    @ConfigurationParameter(name = PARAM_CONFIDENCE_THRESHOLD, defaultValue = "0.0")
    private float confidenceThreshold;

    private FewNerModelResource ownResource;
    private AdapterRouting routing;
    private SupportRouting support;
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
                modelResource = ownResource = FewNerModelResource.open(modelLocation);
            }
            SharedModel model = modelResource.model();
            Map<String, String> adapters = EngineSettings.pairs(PARAM_ADAPTERS, adapterLocations);
            adapters.forEach((name, dir) -> model.loadAdapter(name, Path.of(dir)));
            routing =
                    AdapterRouting.of(
                            adapter, adapterSelector, adapterMapping, adapters, model::hasAdapter);
            Map<String, String> options =
                    EngineSettings.methodOptions(methodOptions, typeDefinitions);
            support =
                    new SupportRouting(
                            model,
                            method,
                            options,
                            seed,
                            EngineSettings.list(entityTypes),
                            supportLocation,
                            supportFormat,
                            supportView,
                            routing.served());
            LOG.info(
                    "{} on {}: types {}, adapters {}",
                    method,
                    model,
                    support.labels(),
                    routing.served());
        } catch (FewNerException e) {
            destroy();
            throw new ResourceInitializationException(e);
        }
        writer = new MentionWriter(this, mappingLocation, language, variant, confidenceThreshold);
    }

    @Override
    public void process(JCas jcas) throws AnalysisEngineProcessException {
        String text = jcas.getDocumentText();
        if (text == null || text.isBlank()) return;
        String doc = AdapterRouting.documentName(jcas);
        if (JCasUtil.select(jcas, Sentence.class).isEmpty()) {
            throw missing(doc + ": no Sentence annotations: add a segmenter");
        }
        if (JCasUtil.select(jcas, Token.class).isEmpty()) {
            throw missing(doc + ": no Token annotations: add a segmenter (tokenizer)");
        }
        // unique per CAS of this instance: methods may key caches by sentence id
        String casId = doc + "#" + System.identityHashCode(this) + "." + ++cases;
        writer.configure(jcas.getCas());
        try {
            String adapterId = routing.adapterFor(jcas);
            FewShotMethod.Recognizer recognizer = support.recognizerFor(jcas, adapterId, doc);
            Map<Sentence, List<Token>> index =
                    JCasUtil.indexCovered(jcas, Sentence.class, Token.class);
            List<WordSentence> batch = new ArrayList<>();
            List<List<Token>> batchTokens = new ArrayList<>();
            for (Sentence sentence : JCasUtil.select(jcas, Sentence.class)) {
                List<Token> tokens = new ArrayList<>();
                List<String> words = new ArrayList<>();
                for (Token t : index.getOrDefault(sentence, List.of())) {
                    if (t.getCoveredText().isBlank()) continue;
                    tokens.add(t);
                    words.add(t.getCoveredText());
                }
                if (tokens.isEmpty()) continue;
                batch.add(new WordSentence(casId + "@" + sentence.getBegin(), words));
                batchTokens.add(tokens);
                if (batch.size() == batchSize) {
                    annotate(jcas, recognizer, adapterId, batch, batchTokens);
                    batch.clear();
                    batchTokens.clear();
                }
            }
            if (!batch.isEmpty()) annotate(jcas, recognizer, adapterId, batch, batchTokens);
        } catch (FewNerException e) {
            throw new AnalysisEngineProcessException(e);
        }
    }

    private void annotate(
            JCas jcas,
            FewShotMethod.Recognizer recognizer,
            String adapterId,
            List<WordSentence> batch,
            List<List<Token>> tokens) {
        List<List<ScoredMention>> predicted = recognizer.recognize(batch);
        if (predicted.size() != batch.size()) {
            String m = "%s returned %d results for %d sentences";
            throw new IllegalStateException(m.formatted(method, predicted.size(), batch.size()));
        }
        for (int i = 0; i < batch.size(); i++) {
            writer.write(jcas.getCas(), tokens.get(i), predicted.get(i), adapterId);
        }
    }

    private static AnalysisEngineProcessException missing(String what) {
        String hint = " before FewNER, e.g. DKPro's OpenNlpSegmenter or BreakIteratorSegmenter";
        return new AnalysisEngineProcessException(new FewNerException(what + hint));
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
