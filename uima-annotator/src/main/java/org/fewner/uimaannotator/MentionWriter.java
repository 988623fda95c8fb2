package org.fewner.uimaannotator;

import static org.dkpro.core.api.resources.MappingProviderFactory.createNerMappingProvider;
import static org.fewner.uimaannotator.FewNerAnnotator.PARAM_NAMED_ENTITY_MAPPING_LOCATION;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.uima.cas.CAS;
import org.apache.uima.cas.CASRuntimeException;
import org.apache.uima.cas.Feature;
import org.apache.uima.cas.Type;
import org.apache.uima.cas.TypeSystem;
import org.apache.uima.cas.text.AnnotationFS;
import org.dkpro.core.api.resources.MappingProvider;
import org.fewner.common.FewNerException;
import org.fewner.ner.ScoredMention;
import org.fewner.type.ScoredNamedEntity;

/**
 * Writes predicted mentions as annotations: from the begin of a mention's first token to the end of
 * its last, of the type the label maps to (DKPro's {@link MappingProvider}; by default a {@link
 * ScoredNamedEntity}), mentions below the confidence threshold left out.
 *
 * <p>Any annotation type will do, through the CAS API and features found by name: {@code value} (a
 * string: the label), the confidence feature ({@code confidence}, or the one the mapping file names
 * with {@code __META_CONFIDENCE_FEATURE__=name}; {@code float} or {@code double}) and {@code
 * adapterId}, each set when the type has it. A DKPro type ({@code NamedEntity}, {@code Person},
 * {@code Location}, ...) is written as FewNER's scored subtype of it ({@code ScoredNamedEntity},
 * {@code ScoredPerson}, ...: the DKPro type with confidence and adapter id), so mapped annotations
 * keep the confidence; a type of another type system (cTAKES's {@code DiseaseDisorderMention} with
 * its {@code confidence}) is written as it is. One per engine instance (the mapping provider is
 * configured per CAS).
 */
final class MentionWriter {
    /** The mapping file's key naming the confidence feature of the mapped types. */
    static final String CONFIDENCE_FEATURE_KEY = "__META_CONFIDENCE_FEATURE__";

    /** The confidence feature found by name when the mapping names none. */
    static final String CONFIDENCE = "confidence";

    private static final String DKPRO_NER = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.";
    private static final String SCORED = "org.fewner.type.Scored";

    private final MappingProvider mapping;
    private final String mappingLocation;
    private final double threshold;
    private TypeSystem typeSystem;
    private final Map<String, Target> targets = new HashMap<>();

    /** A label's type and the features written on it (null: the type has none). */
    private record Target(Type type, Feature value, Feature confidence, Feature adapterId) {}

    /**
     * @param owner the engine (DKPro's mapping provider reads its parameters)
     * @param mappingLocation the mapping file, or null for the default one
     * @param language overrides the document language to find the default mapping
     * @param variant of the default mapping file
     * @param threshold mentions below this confidence are left out
     */
    MentionWriter(
            Object owner,
            String mappingLocation,
            String language,
            String variant,
            double threshold) {
        this.mapping = createNerMappingProvider(owner, mappingLocation, language, variant);
        this.mappingLocation = mappingLocation;
        this.threshold = threshold;
        mapping.setDefault(MappingProvider.BASE_TYPE, ScoredNamedEntity.class.getName());
    }

    /** Prepares the label mapping for {@code cas}; call before {@link #write} on a new CAS. */
    void configure(CAS cas) throws org.apache.uima.analysis_engine.AnalysisEngineProcessException {
        mapping.configure(cas);
        // per CAS: the default mapping file depends on the document's language
        typeSystem = cas.getTypeSystem();
        targets.clear();
    }

    /**
     * Adds the annotations of one sentence's mentions.
     *
     * @param tokens the sentence's tokens, the words the mentions index
     * @param mentions non-overlapping mentions (the recogniser's contract)
     * @param adapterId the adapter that served the sentence ({@code none}: the base model)
     * @throws FewNerException for a label the mapping has no type for
     */
    void write(CAS cas, List<AnnotationFS> tokens, List<ScoredMention> mentions, String adapterId) {
        for (ScoredMention m : mentions) {
            if (m.confidence() < threshold) continue;
            int begin = tokens.get(m.mention().start()).getBegin();
            int end = tokens.get(m.mention().end() - 1).getEnd();
            String label = m.mention().label();
            Target t = target(cas, label);
            AnnotationFS a = cas.createAnnotation(t.type(), begin, end);
            if (t.value() != null) a.setStringValue(t.value(), label);
            if (t.confidence() != null) {
                if (t.confidence().getRange().getName().equals(CAS.TYPE_NAME_FLOAT)) {
                    a.setFloatValue(t.confidence(), (float) m.confidence());
                } else {
                    a.setDoubleValue(t.confidence(), m.confidence());
                }
            }
            if (t.adapterId() != null) a.setStringValue(t.adapterId(), adapterId);
            cas.addFsToIndexes(a);
        }
    }

    private Target target(CAS cas, String label) {
        Target t = targets.get(label);
        if (t == null) {
            Type type = scored(cas.getTypeSystem(), mappedType(label));
            String confidence = confidenceFeature();
            t =
                    new Target(
                            type,
                            feature(type, "value", CAS.TYPE_NAME_STRING),
                            confidenceFeatureOf(type, confidence),
                            feature(type, "adapterId", CAS.TYPE_NAME_STRING));
            targets.put(label, t);
        }
        return t;
    }

    /** The confidence feature named by the mapping file, else {@code confidence}. */
    private String confidenceFeature() {
        if (mappingLocation == null) return CONFIDENCE;
        try {
            Map<String, String> r = mapping.getResource();
            String named = r == null ? null : r.get(CONFIDENCE_FEATURE_KEY);
            return named == null || named.isBlank() ? CONFIDENCE : named.trim();
        } catch (RuntimeException e) {
            return CONFIDENCE;
        }
    }

    private Feature confidenceFeatureOf(Type type, String name) {
        Feature f = type.getFeatureByBaseName(name);
        if (f == null) {
            if (!name.equals(CONFIDENCE)) {
                throw new FewNerException(
                        PARAM_NAMED_ENTITY_MAPPING_LOCATION
                                + " "
                                + mappingLocation
                                + ": "
                                + CONFIDENCE_FEATURE_KEY
                                + " "
                                + FewNerException.quote(name)
                                + ": type "
                                + type.getName()
                                + " has no such feature");
            }
            return null;
        }
        String range = f.getRange().getName();
        if (!range.equals(CAS.TYPE_NAME_FLOAT) && !range.equals(CAS.TYPE_NAME_DOUBLE)) {
            if (!name.equals(CONFIDENCE)) {
                throw new FewNerException(
                        "type "
                                + type.getName()
                                + ": confidence feature "
                                + FewNerException.quote(name)
                                + " is a "
                                + range
                                + " (expected uima.cas.Float or uima.cas.Double)");
            }
            return null;
        }
        return f;
    }

    private static Feature feature(Type type, String name, String range) {
        Feature f = type.getFeatureByBaseName(name);
        return f != null && f.getRange().getName().equals(range) ? f : null;
    }

    /** FewNER's scored subtype of a DKPro NER type, when the CAS has it; else the type itself. */
    static Type scored(TypeSystem ts, Type type) {
        if (!type.getName().startsWith(DKPRO_NER)) return type;
        Type s = ts.getType(SCORED + type.getShortName());
        return s != null && ts.subsumes(type, s) ? s : type;
    }

    private Type mappedType(String label) {
        Type type;
        try {
            type = mapping.getTagType(label);
        } catch (IllegalStateException | CASRuntimeException e) {
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
                            + "=<type>' or a '*' entry; a type of another type system, e.g."
                            + " cTAKES's, must be in the CAS's type system)",
                    e);
        }
        if (!typeSystem.subsumes(typeSystem.getType(CAS.TYPE_NAME_ANNOTATION), type)) {
            throw new FewNerException(
                    PARAM_NAMED_ENTITY_MAPPING_LOCATION
                            + " "
                            + mappingLocation
                            + ": label "
                            + FewNerException.quote(label)
                            + ": type "
                            + type.getName()
                            + " is not an annotation type");
        }
        return type;
    }

    /** The DKPro NamedEntity type name (the default layer). */
    static String namedEntity() {
        return NamedEntity.class.getName();
    }
}
