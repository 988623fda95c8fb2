package org.fewner.uimaannotator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.uima.cas.CASException;
import org.apache.uima.jcas.JCas;
import org.fewner.common.FewNerException;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.SupportSet;

/**
 * Which recogniser serves a document: the one adapted at initialise from the support location (a
 * file, a {@code classpath:} resource or a URL), or, with a support view, the one adapted from the
 * gold annotations the document's own CAS carries in that view (DKPro {@code Sentence}, {@code
 * Token} and {@code NamedEntity}), so that a pipeline can carry its own examples. A document
 * without the view falls back to the support location when one is given. Recognisers adapted from a
 * view are shared through {@link SharedModel}, keyed by the support set's content: documents
 * carrying the same examples are adapted once.
 */
final class SupportRouting {
    private final SharedModel model;
    private final String method;
    private final Map<String, String> options;
    private final long seed;
    private final List<String> types;
    private final String supportView;
    private final List<String> served;
    private final Map<String, FewShotMethod.Recognizer> fixed = new LinkedHashMap<>();
    private final List<String> labels;

    /**
     * @param supportLocation the support set's location, or null when every document carries its
     *     own in {@code supportView}
     * @param supportView the view holding a document's support set, or null
     * @param served the adapter ids documents may be routed to ({@link AdapterRouting#served()})
     * @throws FewNerException for an unreadable support set, or neither a location nor a view
     */
    SupportRouting(
            SharedModel model,
            String method,
            Map<String, String> options,
            long seed,
            List<String> types,
            String supportLocation,
            String supportFormat,
            String supportView,
            List<String> served) {
        this.model = model;
        this.method = method;
        this.options = options;
        this.seed = seed;
        this.types = types;
        this.supportView = supportView;
        this.served = served;
        if (supportLocation == null || supportLocation.isBlank()) {
            if (supportView == null || supportView.isBlank()) {
                throw new FewNerException(
                        FewNerAnnotator.PARAM_SUPPORT_LOCATION
                                + ": not set (give a support file, classpath: resource or URL, or a "
                                + FewNerAnnotator.PARAM_SUPPORT_VIEW
                                + " that each document carries)");
            }
            labels = List.copyOf(types);
            return;
        }
        SupportSet support = SupportFiles.read(supportLocation, supportFormat, types);
        for (String a : served) {
            fixed.put(a, adapt(a, support));
        }
        labels = List.copyOf(new TreeSet<>(support.types()));
    }

    /** The labels the engine can emit (for a support view only those of {@code types}). */
    List<String> labels() {
        return labels;
    }

    /** The recogniser for {@code jcas}'s document under adapter {@code adapterId}. */
    FewShotMethod.Recognizer recognizerFor(JCas jcas, String adapterId, String document) {
        if (supportView != null && !supportView.isBlank()) {
            JCas view = view(jcas);
            if (view != null) {
                // sentence ids name the view only, so that documents carrying the same examples
                // make equal support sets and share one adapted recogniser
                SupportSet set;
                try {
                    set =
                            SupportFiles.fromCas(
                                    "view " + FewNerException.quote(supportView), view, types);
                } catch (FewNerException e) {
                    throw new FewNerException(document + ", " + e.getMessage(), e);
                }
                return adapt(adapterId, set);
            }
            if (fixed.isEmpty()) {
                throw new FewNerException(
                        document
                                + ": no view "
                                + FewNerException.quote(supportView)
                                + " with the document's support set, and no "
                                + FewNerAnnotator.PARAM_SUPPORT_LOCATION
                                + " to fall back to");
            }
        }
        return fixed.get(adapterId);
    }

    private JCas view(JCas jcas) {
        try {
            var it = jcas.getViewIterator();
            while (it.hasNext()) {
                JCas v = it.next();
                if (v.getViewName().equals(supportView)) {
                    return v;
                }
            }
            return null;
        } catch (CASException e) {
            throw new IllegalStateException("cannot list the CAS's views", e);
        }
    }

    /**
     * The method's recogniser for {@code support} under {@code adapterId}; the default method on a
     * model without a span adapter is a one-line error that names the model and the ways out.
     */
    private FewShotMethod.Recognizer adapt(String adapterId, SupportSet support) {
        String name = adapterId.equals(FewNerAnnotator.NO_ADAPTER) ? null : adapterId;
        try {
            return model.recognizer(method, name, options, support, seed);
        } catch (FewNerException e) {
            if (method.equals(FewNerAnnotator.DEFAULT_METHOD)
                    && name == null
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
}
