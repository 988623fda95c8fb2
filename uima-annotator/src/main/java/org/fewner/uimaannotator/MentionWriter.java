package org.fewner.uimaannotator;

import static org.dkpro.core.api.resources.MappingProviderFactory.createNerMappingProvider;
import static org.fewner.uimaannotator.FewNerAnnotator.PARAM_NAMED_ENTITY_MAPPING_LOCATION;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.util.List;
import org.apache.uima.cas.CAS;
import org.apache.uima.cas.Type;
import org.dkpro.core.api.resources.MappingProvider;
import org.fewner.common.FewNerException;
import org.fewner.ner.ScoredMention;
import org.fewner.type.ScoredNamedEntity;

/**
 * Writes predicted mentions as annotations: from the begin of a mention's first token to the end of
 * its last, of the type the label maps to (DKPro's {@link MappingProvider}; by default, and for a
 * mapping to {@code NamedEntity} itself, a {@link ScoredNamedEntity} with confidence and adapter
 * id), mentions below the confidence threshold left out. One per engine instance (the mapping
 * provider is configured per CAS).
 */
final class MentionWriter {
    private final MappingProvider mapping;
    private final String mappingLocation;
    private final double threshold;

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
    }

    /**
     * Adds the annotations of one sentence's mentions.
     *
     * @param tokens the sentence's tokens, the words the mentions index
     * @param mentions non-overlapping mentions (the recogniser's contract)
     * @param adapterId the adapter that served the sentence ({@code none}: the base model)
     * @throws FewNerException for a label the mapping has no type for
     */
    void write(CAS cas, List<Token> tokens, List<ScoredMention> mentions, String adapterId) {
        for (ScoredMention m : mentions) {
            if (m.confidence() < threshold) continue;
            int begin = tokens.get(m.mention().start()).getBegin();
            int end = tokens.get(m.mention().end() - 1).getEnd();
            String label = m.mention().label();
            NamedEntity ne = (NamedEntity) cas.createAnnotation(type(cas, label), begin, end);
            ne.setValue(label);
            if (ne instanceof ScoredNamedEntity s) {
                s.setConfidence(m.confidence());
                s.setAdapterId(adapterId);
            }
            ne.addToIndexes();
        }
    }

    private Type type(CAS cas, String label) {
        Type type;
        try {
            type = mapping.getTagType(label);
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
        return type;
    }
}
