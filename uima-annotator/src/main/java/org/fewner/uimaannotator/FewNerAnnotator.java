package org.fewner.uimaannotator;

import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.TagDescription;
import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.TagsetDescription;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.uima.UimaContext;
import org.apache.uima.analysis_engine.AnalysisEngineProcessException;
import org.apache.uima.cas.CAS;
import org.apache.uima.cas.Type;
import org.apache.uima.cas.text.AnnotationFS;
import org.apache.uima.fit.component.JCasAnnotator_ImplBase;
import org.apache.uima.fit.descriptor.ConfigurationParameter;
import org.apache.uima.fit.descriptor.ExternalResource;
import org.apache.uima.fit.descriptor.ResourceMetaData;
import org.apache.uima.fit.descriptor.TypeCapability;
import org.apache.uima.fit.util.CasUtil;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.apache.uima.jcas.cas.FSArray;
import org.apache.uima.resource.ResourceInitializationException;
import org.dkpro.core.api.metadata.SingletonTagset;
import org.dkpro.core.api.parameter.ComponentParameters;
import org.fewner.common.FewNerException;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
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
 * {@link #MAPPING_DKPRO}; cTAKES's {@code IdentifiedAnnotation} subtypes: {@link #MAPPING_CTAKES};
 * {@link MentionWriter}); mentions never overlap (the recogniser's contract). Each CAS also gets a
 * {@code TagsetDescription} of the labels the engine can emit ({@link #PARAM_PRINT_TAGSET} logs
 * it). One CAS at a time per instance; instances, in any number of threads, share the model and the
 * recognisers.
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
public class FewNerAnnotator extends JCasAnnotator_ImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(FewNerAnnotator.class);

    /** The SLF4J logger that {@link #PARAM_PRINT_TAGSET} prints to (at INFO). */
    public static final String TAGSET_LOGGER = "org.fewner.uimaannotator.FewNerAnnotator.tagset";

    /** The {@code adapterId} of annotations made without an adapter (the base model). */
    public static final String NO_ADAPTER = "none";

    /** The default method: source-trained span detection with the adapter shipped for the model. */
    public static final String DEFAULT_METHOD = "span";

    /**
     * Shipped mapping file: common labels (PER/PERSON, LOC/LOCATION/GPE, ORG/ORGANIZATION, MISC,
     * Few-NERD's and OntoNotes' coarse types, Disease, Chemical) to DKPro's {@code Person}, {@code
     * Location}, {@code Organization}, ... (written as FewNER's scored subtypes, with the
     * confidence); anything else a {@code ScoredNamedEntity}.
     */
    public static final String MAPPING_DKPRO =
            "classpath:/org/fewner/uimaannotator/lib/ner-dkpro.map";

    /**
     * Shipped mapping file: clinical labels (problem, treatment, test, disease, symptom, procedure,
     * medication, anatomy, ...) to Apache cTAKES's {@code IdentifiedAnnotation} subtypes ({@code
     * DiseaseDisorderMention}, {@code SignSymptomMention}, {@code ProcedureMention}, {@code
     * MedicationMention}, {@code AnatomicalSiteMention}) with their {@code confidence}; needs
     * cTAKES's type system in the CAS.
     */
    public static final String MAPPING_CTAKES =
            "classpath:/org/fewner/uimaannotator/lib/ner-ctakes.map";

    /** DKPro's sentence type (the default of {@link #PARAM_SENTENCE_TYPE}). */
    public static final String DKPRO_SENTENCE =
            "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence";

    /** DKPro's token type (the default of {@link #PARAM_TOKEN_TYPE}). */
    public static final String DKPRO_TOKEN =
            "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token";

    /** Apache cTAKES's sentence type, for {@link #PARAM_SENTENCE_TYPE}. */
    public static final String CTAKES_SENTENCE =
            "org.apache.ctakes.typesystem.type.textspan.Sentence";

    /**
     * Apache cTAKES's token type (words, punctuation, numbers, ...), for {@link #PARAM_TOKEN_TYPE}.
     */
    public static final String CTAKES_TOKEN = "org.apache.ctakes.typesystem.type.syntax.BaseToken";

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

    /**
     * The model without a model resource: default, default-uncased, a model directory, or a model
     * on the class path: classpath:FOLDER or mvn:GROUP:ARTIFACT[:VERSION].
     */
    public static final String PARAM_MODEL_LOCATION = ComponentParameters.PARAM_MODEL_LOCATION;

    @ConfigurationParameter(name = PARAM_MODEL_LOCATION, mandatory = true, defaultValue = "default")
    private String modelLocation;

    /**
     * The model as a jar on the class path (a Maven dependency, as DKPro's model artifacts are):
     * mvn:GROUP:ARTIFACT[:VERSION]; when set, it is the model instead of modelLocation.
     */
    public static final String PARAM_MODEL_ARTIFACT_URI =
            ComponentParameters.PARAM_MODEL_ARTIFACT_URI;

    @ConfigurationParameter(name = PARAM_MODEL_ARTIFACT_URI, mandatory = false)
    private String modelArtifactUri;

    /**
     * The device of the model the engine loads itself: cpu (the default), gpu or gpu:N (needs the
     * CUDA build, Maven profile -Pgpu); with a bound model resource, its own device parameter.
     */
    public static final String PARAM_DEVICE = "device";

    @ConfigurationParameter(name = PARAM_DEVICE, mandatory = false)
    private String device;

    /**
     * Log the labels the engine can emit (its tagset) at INFO when it first meets a CAS, to the
     * SLF4J logger org.fewner.uimaannotator.FewNerAnnotator.tagset.
     */
    public static final String PARAM_PRINT_TAGSET = ComponentParameters.PARAM_PRINT_TAGSET;

    @ConfigurationParameter(name = PARAM_PRINT_TAGSET, mandatory = true, defaultValue = "false")
    private boolean printTagSet;

    /** The sentence type read (any annotation type; default DKPro's Sentence). */
    public static final String PARAM_SENTENCE_TYPE = "sentenceType";

    @ConfigurationParameter(
            name = PARAM_SENTENCE_TYPE,
            mandatory = true,
            defaultValue = DKPRO_SENTENCE)
    private String sentenceType;

    /** The token type read (any annotation type; default DKPro's Token). */
    public static final String PARAM_TOKEN_TYPE = "tokenType";

    @ConfigurationParameter(name = PARAM_TOKEN_TYPE, mandatory = true, defaultValue = DKPRO_TOKEN)
    private String tokenType;

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

    /**
     * Mapping file of labels to UIMA types ({@code label=type}, {@code *} for the rest; any
     * annotation type, the confidence written to its feature confidence or the one named by
     * __META_CONFIDENCE_FEATURE__); shipped: MAPPING_DKPRO, MAPPING_CTAKES.
     */
    public static final String PARAM_NAMED_ENTITY_MAPPING_LOCATION =
            ComponentParameters.PARAM_NAMED_ENTITY_MAPPING_LOCATION;

    @ConfigurationParameter(name = PARAM_NAMED_ENTITY_MAPPING_LOCATION, mandatory = false)
    private String mappingLocation;

    /**
     * LoRA adapters to make resident, as {@code name=directory} (or classpath:FOLDER or
     * mvn:GROUP:ARTIFACT[:VERSION]), checked at initialise.
     */
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

    /** The few-shot support set: a file of labelled sentences in supportFormat. */
    public static final String PARAM_SUPPORT_LOCATION = "supportLocation";

    @ConfigurationParameter(name = PARAM_SUPPORT_LOCATION, mandatory = true)
    private String supportLocation;

    /** Format of the support file: conll2003, conll, fewnerd-episodes or xmi. */
    public static final String PARAM_SUPPORT_FORMAT = "supportFormat";

    @ConfigurationParameter(name = PARAM_SUPPORT_FORMAT, mandatory = true, defaultValue = "conll")
    private String supportFormat;

    /**
     * The few-shot method: span (the default; needs a span adapter for the model: shipped for
     * default and default-uncased), frozen-prototype (no training) or generative.
     */
    public static final String PARAM_METHOD = "method";

    @ConfigurationParameter(name = PARAM_METHOD, defaultValue = DEFAULT_METHOD)
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
    private final Map<String, FewShotMethod.Recognizer> recognizers = new LinkedHashMap<>();
    private MentionWriter writer;
    private long cases;
    private List<String> labels;
    private String modelName;
    private boolean tagsetPrinted;

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
            } else if (device != null
                    && !FewNerModelResource.devices(device)
                            .equals(FewNerModelResource.devices(modelResource.device()))) {
                throw new FewNerException(
                        PARAM_DEVICE
                                + " "
                                + device
                                + ": the bound model resource runs on "
                                + modelResource.device()
                                + " (set the device on the resource:"
                                + " FewNerModelResource.description(location, device))");
            }
            SharedModel model = modelResource.model();
            modelName = model.location();
            Map<String, String> adapters = EngineSettings.pairs(PARAM_ADAPTERS, adapterLocations);
            adapters.forEach((name, dir) -> model.loadAdapter(name, adapterDirectory(dir)));
            routing =
                    AdapterRouting.of(
                            adapter, adapterSelector, adapterMapping, adapters, model::hasAdapter);
            SupportSet support =
                    SupportFiles.read(
                            Path.of(supportLocation),
                            supportFormat,
                            EngineSettings.list(entityTypes));
            Map<String, String> options =
                    EngineSettings.methodOptions(methodOptions, typeDefinitions);
            List<String> served = routing.served();
            for (String a : served) {
                String name = a.equals(NO_ADAPTER) ? null : a;
                recognizers.put(a, recognizer(model, name, options, support));
            }
            labels = List.copyOf(new TreeSet<>(support.types()));
            LOG.info("{} on {}: types {}, adapters {}", method, model, support.types(), served);
        } catch (FewNerException e) {
            destroy();
            throw new ResourceInitializationException(e);
        }
        writer = new MentionWriter(this, mappingLocation, language, variant, confidenceThreshold);
    }

    /**
     * The recogniser of the method on the model; the default method on a model without a span
     * adapter is a one-line error that names the model and the ways out.
     */
    private FewShotMethod.Recognizer recognizer(
            SharedModel model,
            String adapterName,
            Map<String, String> options,
            SupportSet support) {
        try {
            return model.recognizer(method, adapterName, options, support, seed);
        } catch (FewNerException e) {
            if (method.equals(DEFAULT_METHOD)
                    && adapterName == null
                    && !options.containsKey("adapter")
                    && e.getMessage().contains("no adapter shipped")) {
                throw new FewNerException(
                        "method span (the default): no span adapter for model "
                                + model.location()
                                + " (adapters ship for default and default-uncased only); set"
                                + " method=frozen-prototype (--method frozen-prototype, no"
                                + " training) or train one with ./fewner train --method span and"
                                + " pass it as methodOptions adapter=DIR (--option adapter=DIR)",
                        e);
            }
            throw e;
        }
    }

    /** The directory of an adapter location (a directory, classpath:FOLDER or mvn:...). */
    private static Path adapterDirectory(String location) {
        return ClasspathLocations.isClasspath(location)
                ? ClasspathLocations.directory(location)
                : Path.of(location);
    }

    private Type layer(CAS cas, String param, String name) throws AnalysisEngineProcessException {
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

    @Override
    public void process(JCas jcas) throws AnalysisEngineProcessException {
        String text = jcas.getDocumentText();
        if (text == null || text.isBlank()) return;
        CAS cas = jcas.getCas();
        String doc = AdapterRouting.documentName(jcas);
        Type sentences = layer(cas, PARAM_SENTENCE_TYPE, sentenceType);
        Type tokenLayer = layer(cas, PARAM_TOKEN_TYPE, tokenType);
        if (CasUtil.select(cas, sentences).isEmpty()) {
            throw missing(
                    doc + ": no " + sentences.getShortName() + " annotations: add a segmenter",
                    sentences);
        }
        if (CasUtil.select(cas, tokenLayer).isEmpty()) {
            throw missing(
                    doc
                            + ": no "
                            + tokenLayer.getShortName()
                            + " annotations: add a segmenter (tokenizer)",
                    tokenLayer);
        }
        // unique per CAS of this instance: methods may key caches by sentence id
        String casId = doc + "#" + System.identityHashCode(this) + "." + ++cases;
        writer.configure(cas);
        recordTagset(jcas);
        try {
            String adapterId = routing.adapterFor(jcas);
            Map<AnnotationFS, List<AnnotationFS>> index =
                    CasUtil.indexCovered(cas, sentences, tokenLayer);
            List<WordSentence> batch = new ArrayList<>();
            List<List<AnnotationFS>> batchTokens = new ArrayList<>();
            for (AnnotationFS sentence : CasUtil.select(cas, sentences)) {
                List<AnnotationFS> tokens = new ArrayList<>();
                List<String> words = new ArrayList<>();
                for (AnnotationFS t : index.getOrDefault(sentence, List.of())) {
                    if (t.getCoveredText().isBlank()) continue;
                    tokens.add(t);
                    words.add(t.getCoveredText());
                }
                if (tokens.isEmpty()) continue;
                batch.add(new WordSentence(casId + "@" + sentence.getBegin(), words));
                batchTokens.add(tokens);
                if (batch.size() == batchSize) {
                    annotate(jcas, adapterId, batch, batchTokens);
                    batch.clear();
                    batchTokens.clear();
                }
            }
            if (!batch.isEmpty()) annotate(jcas, adapterId, batch, batchTokens);
        } catch (FewNerException e) {
            throw new AnalysisEngineProcessException(e);
        }
    }

    /**
     * Adds the engine's tagset (the labels it can emit) as a DKPro {@code TagsetDescription} of the
     * output layer, once per CAS, and logs it once with {@link #PARAM_PRINT_TAGSET}.
     */
    private void recordTagset(JCas jcas) {
        if (printTagSet && !tagsetPrinted) {
            tagsetPrinted = true;
            LoggerFactory.getLogger(TAGSET_LOGGER)
                    .info(tagsetText(MentionWriter.namedEntity(), tagsetName(), labels));
        }
        // a CAS of another type system only (e.g. cTAKES's alone) has no place for it
        if (jcas.getTypeSystem().getType(TagsetDescription._TypeName) == null) return;
        String layer = MentionWriter.namedEntity();
        for (TagsetDescription d : JCasUtil.select(jcas, TagsetDescription.class)) {
            if (layer.equals(d.getLayer()) && getClass().getName().equals(d.getComponentName())) {
                return;
            }
        }
        TagsetDescription d = new TagsetDescription(jcas, 0, jcas.getDocumentText().length());
        d.setLayer(layer);
        d.setName(tagsetName());
        d.setComponentName(getClass().getName());
        d.setModelLocation(modelName);
        d.setModelVariant(method);
        d.setModelLanguage(language != null ? language : jcas.getDocumentLanguage());
        d.setInput(false);
        FSArray<TagDescription> tags = new FSArray<>(jcas, labels.size());
        for (int i = 0; i < labels.size(); i++) {
            TagDescription t = new TagDescription(jcas);
            t.setName(labels.get(i));
            t.addToIndexes();
            tags.set(i, t);
        }
        tags.addToIndexes();
        d.setTags(tags);
        d.addToIndexes();
    }

    private String tagsetName() {
        return "fewner-" + Path.of(supportLocation).getFileName();
    }

    /** The printed tagset, in DKPro's {@code Tagset.toString()} layout. */
    static String tagsetText(String layer, String name, Collection<String> labels) {
        SingletonTagset t = new SingletonTagset(org.apache.uima.jcas.tcas.Annotation.class, name);
        t.setLayer(layer);
        t.addAll(labels);
        return t.toString();
    }

    private void annotate(
            JCas jcas,
            String adapterId,
            List<WordSentence> batch,
            List<List<AnnotationFS>> tokens) {
        List<List<ScoredMention>> predicted = recognizers.get(adapterId).recognize(batch);
        if (predicted.size() != batch.size()) {
            String m = "%s returned %d results for %d sentences";
            throw new IllegalStateException(m.formatted(method, predicted.size(), batch.size()));
        }
        for (int i = 0; i < batch.size(); i++) {
            writer.write(jcas.getCas(), tokens.get(i), predicted.get(i), adapterId);
        }
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
