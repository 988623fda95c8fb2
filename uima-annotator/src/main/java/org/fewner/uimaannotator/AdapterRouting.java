package org.fewner.uimaannotator;

import static org.fewner.uimaannotator.FewNerAnnotator.NO_ADAPTER;
import static org.fewner.uimaannotator.FewNerAnnotator.PARAM_ADAPTER;
import static org.fewner.uimaannotator.FewNerAnnotator.PARAM_ADAPTER_MAPPING;
import static org.fewner.uimaannotator.FewNerAnnotator.PARAM_ADAPTER_SELECTOR;

import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.uima.jcas.JCas;
import org.fewner.common.FewNerException;

/**
 * Which adapter serves a document: one fixed adapter ({@link FewNerAnnotator#PARAM_ADAPTER}, unset:
 * the base model, {@link FewNerAnnotator#NO_ADAPTER}) or one chosen per document from a {@code
 * DocumentMetaData} feature or the document language ({@link
 * FewNerAnnotator#PARAM_ADAPTER_SELECTOR}) through {@code value=adapter} pairs with a {@code *}
 * fallback ({@link FewNerAnnotator#PARAM_ADAPTER_MAPPING}). Checked when made; immutable.
 */
final class AdapterRouting {
    /** The selectors: {@code DocumentMetaData} features and the document language. */
    static final List<String> SELECTORS =
            List.of(
                    "collectionId",
                    "documentId",
                    "documentUri",
                    "documentBaseUri",
                    "documentTitle",
                    "language");

    private final String fixed;
    private final String selector;
    private final Map<String, String> mapping;

    /**
     * The routing of the engine's parameters (the mapping read only with a selector).
     *
     * @param loaded the adapters the engine loaded, {@code name=directory}
     */
    static AdapterRouting of(
            String adapter,
            String selector,
            String[] mapping,
            Map<String, String> loaded,
            Predicate<String> resident) {
        Map<String, String> pairs =
                selector == null ? Map.of() : EngineSettings.pairs(PARAM_ADAPTER_MAPPING, mapping);
        return new AdapterRouting(adapter, selector, pairs, loaded.keySet(), resident);
    }

    /**
     * @param adapter the adapter serving every document, or null
     * @param selector the selector, or null
     * @param mapping the selector's {@code value=adapter} pairs
     * @param listed the adapters the engine loaded (named in the error)
     * @param resident whether an adapter is resident on the model
     * @throws FewNerException for both an adapter and a selector, a selector without mapping, an
     *     unknown selector or an adapter that is not loaded
     */
    AdapterRouting(
            String adapter,
            String selector,
            Map<String, String> mapping,
            Set<String> listed,
            Predicate<String> resident) {
        this.selector = selector;
        this.mapping = new LinkedHashMap<>(mapping);
        if (selector == null) {
            fixed = adapter == null || adapter.isBlank() ? NO_ADAPTER : adapter;
            check(fixed, listed, resident, PARAM_ADAPTER);
            return;
        }
        fixed = null;
        if (adapter != null) {
            throw new FewNerException(
                    PARAM_ADAPTER + " and " + PARAM_ADAPTER_SELECTOR + ": give one, not both");
        }
        if (mapping.isEmpty()) {
            throw new FewNerException(
                    PARAM_ADAPTER_SELECTOR
                            + " "
                            + selector
                            + " needs "
                            + PARAM_ADAPTER_MAPPING
                            + " (value=adapter pairs, * for the rest)");
        }
        if (!SELECTORS.contains(selector)) {
            throw new FewNerException(
                    PARAM_ADAPTER_SELECTOR
                            + ": unknown feature '"
                            + selector
                            + "' (expected one of "
                            + String.join(", ", SELECTORS)
                            + ")");
        }
        mapping.values().forEach(a -> check(a, listed, resident, PARAM_ADAPTER_MAPPING));
    }

    private static void check(
            String a, Set<String> listed, Predicate<String> resident, String param) {
        if (!a.equals(NO_ADAPTER) && !resident.test(a)) {
            throw new FewNerException(
                    param
                            + ": unknown adapter '"
                            + a
                            + "' (loaded: "
                            + String.join(", ", listed)
                            + "; '"
                            + NO_ADAPTER
                            + "' for the base model)");
        }
    }

    /** The adapters a document may be given, in the order of the parameters. */
    List<String> served() {
        if (fixed != null) return List.of(fixed);
        List<String> served = new ArrayList<>();
        for (String a : mapping.values()) if (!served.contains(a)) served.add(a);
        return served;
    }

    /**
     * The adapter serving {@code jcas}.
     *
     * @throws FewNerException when the selector's value has no entry and there is no {@code *}
     */
    String adapterFor(JCas jcas) {
        if (fixed != null) return fixed;
        String value = selectorValue(jcas);
        String a = value == null ? null : mapping.get(value);
        if (a == null) a = mapping.get("*");
        if (a == null) {
            throw new FewNerException(
                    documentName(jcas)
                            + ": "
                            + selector
                            + " "
                            + FewNerException.quote(String.valueOf(value))
                            + " has no entry in "
                            + PARAM_ADAPTER_MAPPING
                            + " and there is no * entry");
        }
        return a;
    }

    private String selectorValue(JCas jcas) {
        if (selector.equals("language")) return jcas.getDocumentLanguage();
        DocumentMetaData meta = jcas.select(DocumentMetaData.class).singleOrNull();
        if (meta == null) return null;
        return switch (selector) {
            case "collectionId" -> meta.getCollectionId();
            case "documentId" -> meta.getDocumentId();
            case "documentUri" -> meta.getDocumentUri();
            case "documentBaseUri" -> meta.getDocumentBaseUri();
            default -> meta.getDocumentTitle();
        };
    }

    /** The document's id or URI from its {@code DocumentMetaData}, or {@code document}. */
    static String documentName(JCas jcas) {
        // a CAS of another type system (e.g. cTAKES's alone) has no DocumentMetaData
        if (jcas.getTypeSystem().getType(DocumentMetaData._TypeName) == null) return "document";
        DocumentMetaData meta = jcas.select(DocumentMetaData.class).singleOrNull();
        if (meta != null && meta.getDocumentId() != null) return meta.getDocumentId();
        if (meta != null && meta.getDocumentUri() != null) return meta.getDocumentUri();
        return "document";
    }
}
