package org.fewner.uimaannotator;

import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.TagDescription;
import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.TagsetDescription;
import java.util.Collection;
import java.util.List;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.apache.uima.jcas.cas.FSArray;
import org.dkpro.core.api.metadata.SingletonTagset;
import org.slf4j.LoggerFactory;

/**
 * The labels an engine can emit, as DKPro components describe theirs: a {@code TagsetDescription}
 * of the output layer in every CAS, and, with {@link FewNerAnnotator#PARAM_PRINT_TAGSET}, the
 * tagset printed once (DKPro's {@code Tagset.toString()} layout) to the logger {@link
 * FewNerAnnotator#TAGSET_LOGGER} at INFO.
 */
final class EngineTagset {
    private static final String COMPONENT = FewNerAnnotator.class.getName();
    private final String name;
    private final String model;
    private final String method;
    private final String language;
    private final List<String> labels;
    private boolean printed;

    /**
     * @param name the tagset's name ({@code fewner-} and the support set's file name)
     * @param language the engine's language parameter, or null for the document's
     */
    EngineTagset(String name, String model, String method, String language, List<String> labels) {
        this.name = name;
        this.model = model;
        this.method = method;
        this.language = language;
        this.labels = List.copyOf(labels);
    }

    /** The tagset's name for a support location (a path or URL), or for a support view. */
    static String name(String supportLocation, String supportView) {
        if (supportLocation == null || supportLocation.isBlank()) {
            return "fewner-view-" + supportView;
        }
        String last = supportLocation.replaceAll("[/\\\\]+$", "");
        return "fewner-"
                + last.substring(Math.max(last.lastIndexOf('/'), last.lastIndexOf('\\')) + 1);
    }

    /** Prints the tagset once (when asked) and adds its description to {@code jcas} once. */
    void record(JCas jcas, boolean print) {
        String layer = MentionWriter.namedEntity();
        if (print && !printed) {
            printed = true;
            LoggerFactory.getLogger(FewNerAnnotator.TAGSET_LOGGER).info(text(layer, name, labels));
        }
        // a CAS of another type system only (e.g. cTAKES's alone) has no place for it
        if (jcas.getTypeSystem().getType(TagsetDescription._TypeName) == null) return;
        for (TagsetDescription d : JCasUtil.select(jcas, TagsetDescription.class)) {
            if (layer.equals(d.getLayer()) && COMPONENT.equals(d.getComponentName())) return;
        }
        TagsetDescription d = new TagsetDescription(jcas, 0, jcas.getDocumentText().length());
        d.setLayer(layer);
        d.setName(name);
        d.setComponentName(COMPONENT);
        d.setModelLocation(model);
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
        d.setTags(tags);
        d.addToIndexes();
    }

    /** The printed tagset, in DKPro's {@code Tagset.toString()} layout. */
    static String text(String layer, String name, Collection<String> labels) {
        SingletonTagset t = new SingletonTagset(org.apache.uima.jcas.tcas.Annotation.class, name);
        t.setLayer(layer);
        t.addAll(labels);
        return t.toString();
    }
}
