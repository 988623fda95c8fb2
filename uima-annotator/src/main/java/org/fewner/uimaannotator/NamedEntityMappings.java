package org.fewner.uimaannotator;

/**
 * The mapping files shipped with the engine, for {@link
 * FewNerAnnotator#PARAM_NAMED_ENTITY_MAPPING_LOCATION}.
 */
public final class NamedEntityMappings {
    private NamedEntityMappings() {}

    /**
     * Common labels (PER/PERSON, LOC/LOCATION/GPE, ORG/ORGANIZATION, MISC, Few-NERD's and
     * OntoNotes' coarse types, Disease, Chemical) to DKPro's {@code Person}, {@code Location},
     * {@code Organization}, ... (written as FewNER's scored subtypes, with the confidence);
     * anything else a {@code ScoredNamedEntity}.
     */
    public static final String DKPRO = "classpath:/org/fewner/uimaannotator/lib/ner-dkpro.map";

    /**
     * Clinical labels (problem, treatment, test, disease, symptom, procedure, medication, anatomy,
     * ...) to Apache cTAKES's {@code IdentifiedAnnotation} subtypes ({@code
     * DiseaseDisorderMention}, {@code SignSymptomMention}, {@code ProcedureMention}, {@code
     * MedicationMention}, {@code AnatomicalSiteMention}) with their {@code confidence}; needs
     * cTAKES's type system in the CAS.
     */
    public static final String CTAKES = "classpath:/org/fewner/uimaannotator/lib/ner-ctakes.map";
}
