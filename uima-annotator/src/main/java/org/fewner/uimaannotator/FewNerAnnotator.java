package org.fewner.uimaannotator;

import static org.dkpro.core.api.resources.MappingProviderFactory.createNerMappingProvider;

import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData;
import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.uima.UimaContext;
import org.apache.uima.analysis_engine.AnalysisEngineProcessException;
import org.apache.uima.cas.CAS;
import org.apache.uima.cas.Type;
import org.apache.uima.fit.component.JCasAnnotator_ImplBase;
import org.apache.uima.fit.descriptor.ConfigurationParameter;
import org.apache.uima.fit.descriptor.ExternalResource;
import org.apache.uima.fit.descriptor.ResourceMetaData;
import org.apache.uima.fit.descriptor.TypeCapability;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.apache.uima.resource.ResourceInitializationException;
import org.dkpro.core.api.parameter.ComponentParameters;
import org.dkpro.core.api.resources.MappingProvider;
import org.fewner.common.FewNerException;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;
import org.fewner.type.ScoredNamedEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FewNER's few-shot named-entity recogniser: names the entity types of a small support set (a few
 * labelled sentences) in the {@code Sentence}/{@code Token} layers of a CAS, with a base model,
 * optional LoRA adapters and a few-shot method ({@code frozen-prototype}, later {@code span} and
 * {@code generative}) behind the one prediction interface {@link FewShotMethod} that the evaluation
 * harness also calls.
 *
 * <p><b>Output.</b> One annotation per predicted mention, from the begin of its first token to the
 * end of its last (offsets in UTF-16 code units, as UIMA counts), never overlapping another. By
 * default a {@link ScoredNamedEntity} with {@code value} = the label, {@code confidence} and {@code
 * adapterId}. With a named-entity mapping ({@link #PARAM_NAMED_ENTITY_MAPPING_LOCATION}, a
 * properties file {@code label=type} with DKPro's {@code *} fallback) a label may become another
 * type such as DKPro's {@code Person}; a type that is not a {@code ScoredNamedEntity} has no
 * confidence or adapter feature, so only {@code value} is set there.
 *
 * <p><b>Sentences.</b> Sentences are processed in batches of {@link #PARAM_BATCH_SIZE}; a sentence
 * longer than the model's position limit is split by the method into overlapping windows whose
 * predictions are merged (nothing is truncated); the engine counts such sentences and logs the
 * count when it is destroyed.
 *
 * <p><b>Thread-safety.</b> As every UIMA component, one instance processes one CAS at a time.
 * Several instances (threads of a CPE, {@code MultiprocessingAnalysisEngine}, or engines you make
 * yourself) may run at once: they share one loaded model per JVM ({@link SharedModel}, reached
 * through the {@link #RES_MODEL} resource or {@link #PARAM_MODEL_LOCATION}), its adapters and the
 * recognisers adapted from the same support set, all thread-safe; per-instance state (the mapping
 * provider, counters) stays with the instance.
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
     * The shared model (a FewNerModelResource); optional. When bound, every engine bound to it uses
     * its model and the modelLocation parameter is not read.
     */
    public static final String RES_MODEL = "model";

    @ExternalResource(key = RES_MODEL, mandatory = false)
    private FewNerModelResource modelResource;

    /**
     * Use this language instead of the document language to resolve the default named-entity
     * mapping file (ner-LANGUAGE-VARIANT.map beside this class).
     */
    public static final String PARAM_LANGUAGE = ComponentParameters.PARAM_LANGUAGE;

    @ConfigurationParameter(name = PARAM_LANGUAGE, mandatory = false)
    private String language;

    /**
     * The model when no model resource is bound: {@code default} (BERT-base cased), {@code
     * default-uncased}, or a Hugging Face model directory. Loaded once per JVM.
     */
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

    /**
     * Location of the mapping file of labels to UIMA types ({@code label=type}, {@code *} for all
     * other labels), e.g. {@code person=de.tudarmstadt.ukp.dkpro.core.api.ner.type.Person}. Without
     * one, every entity is a {@code org.fewner.type.ScoredNamedEntity}.
     */
    public static final String PARAM_NAMED_ENTITY_MAPPING_LOCATION =
            ComponentParameters.PARAM_NAMED_ENTITY_MAPPING_LOCATION;

    @ConfigurationParameter(name = PARAM_NAMED_ENTITY_MAPPING_LOCATION, mandatory = false)
    private String mappingLocation;

    /**
     * LoRA adapters to make resident on the model, as {@code name=directory} (PEFT layout). Each is
     * loaded once per JVM and checked against the model at initialise.
     */
    public static final String PARAM_ADAPTERS = "adapters";

    @ConfigurationParameter(name = PARAM_ADAPTERS, mandatory = false)
    private String[] adapterLocations;

    /**
     * The adapter that serves every CAS (a name from adapters); unset: the base model, unless
     * adapterSelector chooses per document.
     */
    public static final String PARAM_ADAPTER = "adapter";

    @ConfigurationParameter(name = PARAM_ADAPTER, mandatory = false)
    private String adapter;

    /**
     * Chooses the adapter per document from a {@code DocumentMetaData} feature: {@code
     * collectionId}, {@code documentId}, {@code documentUri}, {@code documentBaseUri}, {@code
     * documentTitle}, or {@code language} (the CAS's document language). The value is looked up in
     * adapterMapping.
     */
    public static final String PARAM_ADAPTER_SELECTOR = "adapterSelector";

    @ConfigurationParameter(name = PARAM_ADAPTER_SELECTOR, mandatory = false)
    private String adapterSelector;

    /**
     * With adapterSelector: {@code value=adapter} pairs; {@code *=adapter} serves every other
     * value; an adapter of {@code none} means the base model. A value with no entry and no {@code
     * *} is an error.
     */
    public static final String PARAM_ADAPTER_MAPPING = "adapterMapping";

    @ConfigurationParameter(name = PARAM_ADAPTER_MAPPING, mandatory = false)
    private String[] adapterMapping;

    /**
     * The entity types to recognise (labels as in the support file); unset: every label of the
     * support file. Each needs at least one example there.
     */
    public static final String PARAM_ENTITY_TYPES = "entityTypes";

    @ConfigurationParameter(name = PARAM_ENTITY_TYPES, mandatory = false)
    private String[] entityTypes;

    /**
     * Optional definitions of the entity types, {@code type=text}, handed to methods that read them
     * (generative prompts) as method options {@code definition.<type>}.
     */
    public static final String PARAM_TYPE_DEFINITIONS = "typeDefinitions";

    @ConfigurationParameter(name = PARAM_TYPE_DEFINITIONS, mandatory = false)
    private String[] typeDefinitions;

    /** The few-shot support set: a file of labelled sentences in supportFormat. */
    public static final String PARAM_SUPPORT_LOCATION = "supportLocation";

    @ConfigurationParameter(name = PARAM_SUPPORT_LOCATION, mandatory = true)
    private String supportLocation;

    /**
     * Format of the support file: {@code conll2003}, {@code conll} (token TAB label), {@code
     * fewnerd-episodes} (the first episode's support part) or {@code xmi}.
     */
    public static final String PARAM_SUPPORT_FORMAT = "supportFormat";

    @ConfigurationParameter(name = PARAM_SUPPORT_FORMAT, mandatory = true, defaultValue = "conll")
    private String supportFormat;

    /**
     * The few-shot method (frozen-prototype; span and generative when their modules are on the
     * class path).
     */
    public static final String PARAM_METHOD = "method";

    @ConfigurationParameter(
            name = PARAM_METHOD,
            mandatory = true,
            defaultValue = "frozen-prototype")
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

    @ConfigurationParameter(
            name = PARAM_CONFIDENCE_THRESHOLD,
            mandatory = true,
            defaultValue = "0.0")
    private float confidenceThreshold;

    private SharedModel model;
    private boolean ownModel;
    private SupportSet support;
    private final Map<String, FewShotMethod.Recognizer> recognizers = new LinkedHashMap<>();
    private final Map<String, String> selectorMapping = new LinkedHashMap<>();
    private MappingProvider mappingProvider;
    private long sentences;
    private long cases;
    private long windowedSentences;

    @Override
    public void initialize(UimaContext context) throws ResourceInitializationException {
        super.initialize(context);
        try {
            if (batchSize < 1) {
                throw new FewNerException(PARAM_BATCH_SIZE + ": must be >= 1, got " + batchSize);
            }
            if (modelResource != null) {
                model = modelResource.model();
            } else {
                model = SharedModel.acquire(modelLocation);
                ownModel = true;
            }
            Map<String, String> adapters = pairs(PARAM_ADAPTERS, adapterLocations);
            adapters.forEach((name, dir) -> model.loadAdapter(name, Path.of(dir)));
            List<String> served = servedAdapters(adapters);
            support =
                    SupportFiles.read(
                            Path.of(supportLocation),
                            supportFormat,
                            entityTypes == null ? List.of() : Arrays.asList(entityTypes));
            Map<String, String> options =
                    new LinkedHashMap<>(pairs(PARAM_METHOD_OPTIONS, methodOptions));
            pairs(PARAM_TYPE_DEFINITIONS, typeDefinitions)
                    .forEach((t, d) -> options.put("definition." + t, d));
            for (String a : served) {
                String adapterName = a.equals(NO_ADAPTER) ? null : a;
                recognizers.put(a, model.recognizer(method, adapterName, options, support, seed));
            }
            LOG.info(
                    "{} on {}: {} types {}, {} support sentences, adapters {}",
                    method,
                    model.location(),
                    support.types().size(),
                    support.types(),
                    support.sentences().size(),
                    served);
        } catch (FewNerException e) {
            throw new ResourceInitializationException(e);
        }
        mappingProvider = createNerMappingProvider(this, mappingLocation, language, variant);
        mappingProvider.setDefault(MappingProvider.BASE_TYPE, ScoredNamedEntity.class.getName());
    }

    /** The adapters a CAS may be given ({@link #NO_ADAPTER} for the base model). */
    private List<String> servedAdapters(Map<String, String> adapters) {
        if (adapterSelector != null) {
            if (adapter != null) {
                throw new FewNerException(
                        PARAM_ADAPTER + " and " + PARAM_ADAPTER_SELECTOR + ": give one, not both");
            }
            selectorMapping.putAll(pairs(PARAM_ADAPTER_MAPPING, adapterMapping));
            if (selectorMapping.isEmpty()) {
                throw new FewNerException(
                        PARAM_ADAPTER_SELECTOR
                                + " "
                                + adapterSelector
                                + " needs "
                                + PARAM_ADAPTER_MAPPING
                                + " (value=adapter pairs, * for the rest)");
            }
            selectorValue(null); // checks the selector name
            List<String> served = new ArrayList<>();
            for (String a : selectorMapping.values()) {
                checkAdapter(a, adapters, PARAM_ADAPTER_MAPPING);
                if (!served.contains(a)) served.add(a);
            }
            return served;
        }
        String a = adapter == null || adapter.isBlank() ? NO_ADAPTER : adapter;
        checkAdapter(a, adapters, PARAM_ADAPTER);
        return List.of(a);
    }

    private void checkAdapter(String a, Map<String, String> adapters, String param) {
        if (!a.equals(NO_ADAPTER) && !model.hasAdapter(a)) {
            throw new FewNerException(
                    param
                            + ": unknown adapter '"
                            + a
                            + "' (loaded: "
                            + String.join(", ", adapters.keySet())
                            + "; '"
                            + NO_ADAPTER
                            + "' for the base model)");
        }
    }

    /** {@code key=value} entries of a multi-valued parameter, in order. */
    static Map<String, String> pairs(String param, String[] values) {
        Map<String, String> out = new LinkedHashMap<>();
        if (values == null) return out;
        for (String v : values) {
            int eq = v.indexOf('=');
            if (eq <= 0) {
                throw new FewNerException(
                        param + ": expected key=value, got " + FewNerException.quote(v));
            }
            out.put(v.substring(0, eq).trim(), v.substring(eq + 1).trim());
        }
        return out;
    }

    /** The value of the adapter selector for {@code jcas} (null jcas: validates the name). */
    private String selectorValue(JCas jcas) {
        if (adapterSelector.equals("language")) {
            return jcas == null ? null : jcas.getDocumentLanguage();
        }
        List<String> known =
                List.of(
                        "collectionId",
                        "documentId",
                        "documentUri",
                        "documentBaseUri",
                        "documentTitle",
                        "language");
        if (!known.contains(adapterSelector)) {
            throw new FewNerException(
                    PARAM_ADAPTER_SELECTOR
                            + ": unknown feature '"
                            + adapterSelector
                            + "' (expected one of "
                            + String.join(", ", known)
                            + ")");
        }
        if (jcas == null) return null;
        DocumentMetaData meta = jcas.select(DocumentMetaData.class).singleOrNull();
        if (meta == null) {
            return null;
        }
        return switch (adapterSelector) {
            case "collectionId" -> meta.getCollectionId();
            case "documentId" -> meta.getDocumentId();
            case "documentUri" -> meta.getDocumentUri();
            case "documentBaseUri" -> meta.getDocumentBaseUri();
            default -> meta.getDocumentTitle();
        };
    }

    /** The adapter serving {@code jcas}. */
    private String adapterFor(JCas jcas) throws AnalysisEngineProcessException {
        if (adapterSelector == null) {
            return recognizers.keySet().iterator().next();
        }
        String value = selectorValue(jcas);
        String a = value == null ? null : selectorMapping.get(value);
        if (a == null) a = selectorMapping.get("*");
        if (a == null) {
            throw new AnalysisEngineProcessException(
                    new FewNerException(
                            documentName(jcas)
                                    + ": "
                                    + adapterSelector
                                    + " "
                                    + FewNerException.quote(String.valueOf(value))
                                    + " has no entry in "
                                    + PARAM_ADAPTER_MAPPING
                                    + " and there is no * entry"));
        }
        return a;
    }

    private static String documentName(JCas jcas) {
        DocumentMetaData meta = jcas.select(DocumentMetaData.class).singleOrNull();
        if (meta != null && meta.getDocumentId() != null) return meta.getDocumentId();
        if (meta != null && meta.getDocumentUri() != null) return meta.getDocumentUri();
        return "document";
    }

    @Override
    public void process(JCas jcas) throws AnalysisEngineProcessException {
        String text = jcas.getDocumentText();
        if (text == null || text.isBlank()) {
            return;
        }
        Collection<Sentence> sentenceList = JCasUtil.select(jcas, Sentence.class);
        if (sentenceList.isEmpty()) {
            throw new AnalysisEngineProcessException(
                    new FewNerException(
                            documentName(jcas)
                                    + ": no Sentence annotations: add a segmenter before FewNER, e.g."
                                    + " DKPro's OpenNlpSegmenter or BreakIteratorSegmenter"));
        }
        if (JCasUtil.select(jcas, Token.class).isEmpty()) {
            throw new AnalysisEngineProcessException(
                    new FewNerException(
                            documentName(jcas)
                                    + ": no Token annotations: add a segmenter (tokenizer) before"
                                    + " FewNER, e.g. DKPro's OpenNlpSegmenter or"
                                    + " BreakIteratorSegmenter"));
        }
        CAS cas = jcas.getCas();
        // unique per CAS of this instance: methods may key caches by sentence id
        String casId = documentName(jcas) + "#" + System.identityHashCode(this) + "." + ++cases;
        mappingProvider.configure(cas);
        String adapterId = adapterFor(jcas);
        FewShotMethod.Recognizer recognizer = recognizers.get(adapterId);
        Map<Sentence, List<Token>> index =
                JCasUtil.indexCovered(jcas, Sentence.class, Token.class).entrySet().stream()
                        .collect(
                                java.util.stream.Collectors.toMap(
                                        Map.Entry::getKey,
                                        e -> new ArrayList<>(e.getValue()),
                                        (x, y) -> x,
                                        LinkedHashMap::new));
        List<List<Token>> batchTokens = new ArrayList<>();
        List<WordSentence> batch = new ArrayList<>();
        for (Sentence sentence : sentenceList) {
            List<Token> tokens = index.getOrDefault(sentence, new ArrayList<>());
            tokens.removeIf(t -> t.getCoveredText().isBlank());
            if (tokens.isEmpty()) continue;
            List<String> words = new ArrayList<>(tokens.size());
            tokens.forEach(t -> words.add(t.getCoveredText()));
            batch.add(new WordSentence(casId + "@" + sentence.getBegin(), words));
            batchTokens.add(tokens);
            if (batch.size() == batchSize) {
                annotate(cas, recognizer, adapterId, batch, batchTokens);
                batch.clear();
                batchTokens.clear();
            }
        }
        if (!batch.isEmpty()) annotate(cas, recognizer, adapterId, batch, batchTokens);
    }

    private void annotate(
            CAS cas,
            FewShotMethod.Recognizer recognizer,
            String adapterId,
            List<WordSentence> batch,
            List<List<Token>> tokens)
            throws AnalysisEngineProcessException {
        try {
            annotateBatch(cas, recognizer, adapterId, batch, tokens);
        } catch (FewNerException e) {
            throw new AnalysisEngineProcessException(e);
        }
    }

    private void annotateBatch(
            CAS cas,
            FewShotMethod.Recognizer recognizer,
            String adapterId,
            List<WordSentence> batch,
            List<List<Token>> tokens) {
        countLong(batch);
        List<List<ScoredMention>> predicted = recognizer.recognize(List.copyOf(batch));
        if (predicted.size() != batch.size()) {
            throw new IllegalStateException(
                    method
                            + " returned "
                            + predicted.size()
                            + " results for "
                            + batch.size()
                            + " sentences");
        }
        for (int i = 0; i < batch.size(); i++) {
            List<Token> ts = tokens.get(i);
            for (ScoredMention m : nonOverlapping(predicted.get(i), ts.size())) {
                if (m.confidence() < confidenceThreshold) continue;
                int begin = ts.get(m.mention().start()).getBegin();
                int end = ts.get(m.mention().end() - 1).getEnd();
                String label = m.mention().label();
                Type type;
                try {
                    type = mappingProvider.getTagType(label);
                } catch (IllegalStateException e) {
                    throw new FewNerException(
                            PARAM_NAMED_ENTITY_MAPPING_LOCATION
                                    + " "
                                    + mappingLocation
                                    + ": label "
                                    + FewNerException.quote(label)
                                    + ": "
                                    + e.getMessage()
                                    + " (add '"
                                    + label
                                    + "=<type>' or a '*' entry)",
                            e);
                }
                if (type.getName().equals(NamedEntity.class.getName())) {
                    type = cas.getTypeSystem().getType(ScoredNamedEntity.class.getName());
                }
                NamedEntity ne = (NamedEntity) cas.createAnnotation(type, begin, end);
                ne.setValue(label);
                if (ne instanceof ScoredNamedEntity s) {
                    s.setConfidence(m.confidence());
                    s.setAdapterId(adapterId);
                }
                ne.addToIndexes();
            }
        }
    }

    /**
     * The mentions that fit the sentence, without overlaps: the most confident of overlapping
     * mentions is kept (ties: the earlier one); result in word order.
     */
    static List<ScoredMention> nonOverlapping(List<ScoredMention> mentions, int words) {
        List<ScoredMention> sorted = new ArrayList<>();
        for (ScoredMention m : mentions) {
            if (m.mention().end() <= words) sorted.add(m);
        }
        sorted.sort(
                Comparator.comparingDouble(ScoredMention::confidence)
                        .reversed()
                        .thenComparingInt(m -> m.mention().start()));
        List<ScoredMention> kept = new ArrayList<>();
        for (ScoredMention m : sorted) {
            boolean free = true;
            for (ScoredMention k : kept) {
                if (m.mention().start() < k.mention().end()
                        && k.mention().start() < m.mention().end()) {
                    free = false;
                    break;
                }
            }
            if (free) kept.add(m);
        }
        kept.sort(Comparator.comparingInt(m -> m.mention().start()));
        return kept;
    }

    /** Counts sentences longer than the model's position limit (the method windows them). */
    private void countLong(List<WordSentence> batch) {
        int limit = model.backbone().config().maxPositionEmbeddings();
        for (WordSentence s : batch) {
            sentences++;
            // exact bound first: a word piece holds at least one character; plus [CLS] and [SEP]
            int chars = 0;
            for (String w : s.words()) chars += w.length();
            if (chars + 2 <= limit) continue;
            int pieces =
                    model.backbone().tokenizer().encode(String.join(" ", s.words()), true).size();
            if (pieces > limit) windowedSentences++;
        }
    }

    @Override
    public void collectionProcessComplete() throws AnalysisEngineProcessException {
        super.collectionProcessComplete();
        logCounts();
    }

    private void logCounts() {
        if (sentences > 0) {
            LOG.info(
                    "{} sentences annotated, {} of them longer than the model's limit of {} word"
                            + " pieces (split into overlapping windows by {})",
                    sentences,
                    windowedSentences,
                    model.backbone().config().maxPositionEmbeddings(),
                    method);
        }
    }

    @Override
    public void destroy() {
        if (ownModel && model != null) {
            model.release();
            model = null;
        }
        super.destroy();
    }
}
