package org.fewner.uimaannotator;

import org.apache.uima.fit.component.JCasAnnotator_ImplBase;
import org.apache.uima.fit.descriptor.ConfigurationParameter;
import org.apache.uima.fit.descriptor.ExternalResource;
import org.dkpro.core.api.parameter.ComponentParameters;

/**
 * The parameters of {@link FewNerAnnotator}, one {@code PARAM_*} constant with its Javadoc and its
 * field each, in the order a user reads them; DKPro Core's shared names where one exists ({@link
 * ComponentParameters}). uimaFIT reads them from this superclass into the engine's descriptor; name
 * them through {@code FewNerAnnotator.PARAM_*}. The engine's behaviour is in {@link
 * FewNerAnnotator}.
 */
public abstract class EngineParameters extends JCasAnnotator_ImplBase {
    /** The default method: source-trained span detection with the adapter shipped for the model. */
    public static final String DEFAULT_METHOD = "span";

    /**
     * The model as a shared resource (FewNerModelResource); when bound, modelLocation is unused.
     */
    public static final String RES_MODEL = "model";

    @ExternalResource(key = RES_MODEL, mandatory = false)
    protected FewNerModelResource modelResource;

    /** Use this language instead of the document's to find the default mapping file. */
    public static final String PARAM_LANGUAGE = ComponentParameters.PARAM_LANGUAGE;

    @ConfigurationParameter(name = PARAM_LANGUAGE, mandatory = false)
    protected String language;

    /**
     * The model without a model resource: default, default-uncased, a model directory, or a model
     * on the class path: classpath:FOLDER or mvn:GROUP:ARTIFACT[:VERSION].
     */
    public static final String PARAM_MODEL_LOCATION = ComponentParameters.PARAM_MODEL_LOCATION;

    @ConfigurationParameter(name = PARAM_MODEL_LOCATION, mandatory = true, defaultValue = "default")
    protected String modelLocation;

    /**
     * The model as a jar on the class path (a Maven dependency, as DKPro's model artifacts are):
     * mvn:GROUP:ARTIFACT[:VERSION]; when set, it is the model instead of modelLocation.
     */
    public static final String PARAM_MODEL_ARTIFACT_URI =
            ComponentParameters.PARAM_MODEL_ARTIFACT_URI;

    @ConfigurationParameter(name = PARAM_MODEL_ARTIFACT_URI, mandatory = false)
    protected String modelArtifactUri;

    /**
     * The device of the model the engine loads itself: cpu (the default), gpu or gpu:N (needs the
     * CUDA build, Maven profile -Pgpu); with a bound model resource, its own device parameter.
     */
    public static final String PARAM_DEVICE = "device";

    @ConfigurationParameter(name = PARAM_DEVICE, mandatory = false)
    protected String device;

    /**
     * Log the labels the engine can emit (its tagset) at INFO when it first meets a CAS, to the
     * SLF4J logger org.fewner.uimaannotator.FewNerAnnotator.tagset.
     */
    public static final String PARAM_PRINT_TAGSET = ComponentParameters.PARAM_PRINT_TAGSET;

    @ConfigurationParameter(name = PARAM_PRINT_TAGSET, mandatory = true, defaultValue = "false")
    protected boolean printTagSet;

    /** The sentence type read (any annotation type; default DKPro's Sentence). */
    public static final String PARAM_SENTENCE_TYPE = "sentenceType";

    @ConfigurationParameter(
            name = PARAM_SENTENCE_TYPE,
            mandatory = true,
            defaultValue = SegmentLayers.DKPRO_SENTENCE)
    protected String sentenceType;

    /** The token type read (any annotation type; default DKPro's Token). */
    public static final String PARAM_TOKEN_TYPE = "tokenType";

    @ConfigurationParameter(
            name = PARAM_TOKEN_TYPE,
            mandatory = true,
            defaultValue = SegmentLayers.DKPRO_TOKEN)
    protected String tokenType;

    /** Variant used to look up the default named-entity mapping file. */
    public static final String PARAM_VARIANT = ComponentParameters.PARAM_VARIANT;

    @ConfigurationParameter(name = PARAM_VARIANT, mandatory = true, defaultValue = "fewner")
    protected String variant;

    /** Enable/disable the label-to-type mapping (disabled: every entity is a ScoredNamedEntity). */
    public static final String PARAM_MAPPING_ENABLED = ComponentParameters.PARAM_MAPPING_ENABLED;

    @ConfigurationParameter(
            name = PARAM_MAPPING_ENABLED,
            mandatory = true,
            defaultValue = ComponentParameters.DEFAULT_MAPPING_ENABLED)
    protected boolean mappingEnabled;

    /**
     * Mapping file of labels to UIMA types ({@code label=type}, {@code *} for the rest; any
     * annotation type, the confidence written to its feature confidence or the one named by
     * __META_CONFIDENCE_FEATURE__); shipped: NamedEntityMappings.DKPRO, .CTAKES.
     */
    public static final String PARAM_NAMED_ENTITY_MAPPING_LOCATION =
            ComponentParameters.PARAM_NAMED_ENTITY_MAPPING_LOCATION;

    @ConfigurationParameter(name = PARAM_NAMED_ENTITY_MAPPING_LOCATION, mandatory = false)
    protected String mappingLocation;

    /**
     * LoRA adapters to make resident, as {@code name=directory} (or classpath:FOLDER or
     * mvn:GROUP:ARTIFACT[:VERSION]), checked at initialise.
     */
    public static final String PARAM_ADAPTERS = "adapters";

    @ConfigurationParameter(name = PARAM_ADAPTERS, mandatory = false)
    protected String[] adapterLocations;

    /** The adapter serving every CAS (a name from adapters); unset: the base model. */
    public static final String PARAM_ADAPTER = "adapter";

    @ConfigurationParameter(name = PARAM_ADAPTER, mandatory = false)
    protected String adapter;

    /** Chooses the adapter per document: a DocumentMetaData feature, or {@code language}. */
    public static final String PARAM_ADAPTER_SELECTOR = "adapterSelector";

    @ConfigurationParameter(name = PARAM_ADAPTER_SELECTOR, mandatory = false)
    protected String adapterSelector;

    /** With adapterSelector: {@code value=adapter} pairs, {@code *} for the rest, none: base. */
    public static final String PARAM_ADAPTER_MAPPING = "adapterMapping";

    @ConfigurationParameter(name = PARAM_ADAPTER_MAPPING, mandatory = false)
    protected String[] adapterMapping;

    /** The entity types to recognise, each with an example; unset: all of the support file. */
    public static final String PARAM_ENTITY_TYPES = "entityTypes";

    @ConfigurationParameter(name = PARAM_ENTITY_TYPES, mandatory = false)
    protected String[] entityTypes;

    /** Definitions of the types, {@code type=text}, as method options definition.TYPE. */
    public static final String PARAM_TYPE_DEFINITIONS = "typeDefinitions";

    @ConfigurationParameter(name = PARAM_TYPE_DEFINITIONS, mandatory = false)
    protected String[] typeDefinitions;

    /**
     * The few-shot support set: labelled sentences in supportFormat, as a file, a {@code
     * classpath:} resource or a URL. Optional when every document carries its own (supportView).
     */
    public static final String PARAM_SUPPORT_LOCATION = "supportLocation";

    @ConfigurationParameter(name = PARAM_SUPPORT_LOCATION, mandatory = false)
    protected String supportLocation;

    /**
     * A CAS view holding the document's own support set (DKPro Sentence, Token and NamedEntity with
     * the label in value); a document without it uses supportLocation.
     */
    public static final String PARAM_SUPPORT_VIEW = "supportView";

    @ConfigurationParameter(name = PARAM_SUPPORT_VIEW, mandatory = false)
    protected String supportView;

    /** Format of the support file: conll2003, conll, fewnerd-episodes or xmi. */
    public static final String PARAM_SUPPORT_FORMAT = "supportFormat";

    @ConfigurationParameter(name = PARAM_SUPPORT_FORMAT, mandatory = true, defaultValue = "conll")
    protected String supportFormat;

    /**
     * The few-shot method: span (the default; needs a span adapter for the model: shipped for
     * default and default-uncased), frozen-prototype (no training) or generative.
     */
    public static final String PARAM_METHOD = "method";

    @ConfigurationParameter(name = PARAM_METHOD, defaultValue = DEFAULT_METHOD)
    protected String method;

    /** Method options as {@code key=value} (e.g. {@code layer=9} for frozen-prototype). */
    public static final String PARAM_METHOD_OPTIONS = "methodOptions";

    @ConfigurationParameter(name = PARAM_METHOD_OPTIONS, mandatory = false)
    protected String[] methodOptions;

    /** Seed of everything random in the adaptation to the support set. */
    public static final String PARAM_SEED = "seed";

    @ConfigurationParameter(name = PARAM_SEED, mandatory = true, defaultValue = "1")
    protected int seed;

    /** Sentences per call of the method (one batched forward pass per call). */
    public static final String PARAM_BATCH_SIZE = "batchSize";

    @ConfigurationParameter(name = PARAM_BATCH_SIZE, mandatory = true, defaultValue = "16")
    protected int batchSize;

    /** Mentions whose confidence is below this value are dropped. */
    public static final String PARAM_CONFIDENCE_THRESHOLD = "confidenceThreshold";

    @ConfigurationParameter(name = PARAM_CONFIDENCE_THRESHOLD, defaultValue = "0.0")
    protected float confidenceThreshold;
}
