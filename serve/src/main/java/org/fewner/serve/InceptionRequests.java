package org.fewner.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.uima.cas.CAS;
import org.apache.uima.cas.Feature;
import org.apache.uima.cas.Type;
import org.apache.uima.cas.impl.XmiCasSerializer;
import org.apache.uima.cas.text.AnnotationFS;
import org.apache.uima.fit.factory.TypeSystemDescriptionFactory;
import org.apache.uima.resource.metadata.TypeDescription;
import org.apache.uima.resource.metadata.TypeSystemDescription;
import org.apache.uima.resource.metadata.impl.TypeSystemDescription_impl;
import org.apache.uima.util.CasCreationUtils;
import org.apache.uima.util.TypeSystemUtil;
import org.apache.uima.util.XMLSerializer;
import org.fewner.common.Json;

/**
 * Requests built the way INCEpTION's {@code ExternalRecommender} (v1) builds them: the type system
 * of the CAS (DKPro's types, INCEpTION's {@code CASMetadata}, the layer with the recommender's
 * extra features) serialized with {@code TypeSystemUtil.typeSystem2TypeSystemDescription}, the
 * document as XMI from {@code XmiCasSerializer(null)} through a formatting {@code XMLSerializer},
 * and the same JSON shapes. For tests, the bench and the docs' sample session.
 */
public final class InceptionRequests {
    public static final String NAMED_ENTITY =
            "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity";
    public static final String CAS_METADATA =
            "de.tudarmstadt.ukp.clarin.webanno.api.type.CASMetadata";

    private static final Pattern MARK = Pattern.compile("\\[([^\\[\\]]+)\\]\\(([^()]+)\\)");
    private static final Pattern WORD = Pattern.compile("\\S+");

    private final String layer;
    private final String feature;
    private final TypeSystemDescription tsd;
    private final String typeSystemXml;

    /** For INCEpTION's default NER layer: DKPro's {@code NamedEntity}, feature {@code value}. */
    public InceptionRequests() {
        this(NAMED_ENTITY, "value");
    }

    public InceptionRequests(String layer, String feature) {
        this.layer = layer;
        this.feature = feature;
        try {
            TypeSystemDescription all = TypeSystemDescriptionFactory.createTypeSystemDescription();
            List<TypeDescription> kept = new ArrayList<>();
            for (TypeDescription t : all.getTypes()) {
                if (!t.getName().startsWith("org.fewner.")) {
                    kept.add(t);
                }
            }
            TypeSystemDescription base = new TypeSystemDescription_impl();
            base.setTypes(kept.toArray(new TypeDescription[0]));
            TypeDescription meta =
                    base.addType(
                            CAS_METADATA,
                            "INCEpTION's CAS metadata",
                            CAS.TYPE_NAME_ANNOTATION_BASE);
            meta.addFeature("projectId", "", CAS.TYPE_NAME_LONG);
            meta.addFeature("projectName", "", CAS.TYPE_NAME_STRING);
            meta.addFeature("sourceDocumentId", "", CAS.TYPE_NAME_LONG);
            meta.addFeature("sourceDocumentName", "", CAS.TYPE_NAME_STRING);
            meta.addFeature("username", "", CAS.TYPE_NAME_STRING);
            meta.addFeature("lastChangedOnDisk", "", CAS.TYPE_NAME_LONG);
            TypeDescription ne = base.getType(layer);
            ne.addFeature(
                    feature + TypeSystems.SCORE_SUFFIX, "Score feature", CAS.TYPE_NAME_DOUBLE);
            ne.addFeature(
                    feature + TypeSystems.EXPLANATION_SUFFIX,
                    "Score explanation feature",
                    CAS.TYPE_NAME_STRING);
            ne.addFeature(TypeSystems.PREDICTED, "Is prediction", CAS.TYPE_NAME_BOOLEAN);
            CAS cas = CasCreationUtils.createCas(base, null, null);
            // what INCEpTION sends: the committed type system, described again
            this.tsd = TypeSystemUtil.typeSystem2TypeSystemDescription(cas.getTypeSystem());
            StringWriter out = new StringWriter();
            tsd.toXML(out);
            this.typeSystemXml = out.toString();
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the test type system: " + e, e);
        }
    }

    public String typeSystemXml() {
        return typeSystemXml;
    }

    /** A new CAS of the type system. */
    public CAS newCas() {
        try {
            return CasCreationUtils.createCas(tsd, null, null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A document as INCEpTION holds it: {@code markup} is the text with mentions written {@code
     * [Marie Curie](PER)}; one {@code Sentence} per line, one {@code Token} per run of non-space
     * characters, one annotation of the layer per mention (label in the feature), and a {@code
     * CASMetadata}.
     */
    public CAS document(String markup, long projectId, long documentId, String user) {
        CAS cas = newCas();
        StringBuilder text = new StringBuilder();
        List<int[]> spans = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        Matcher m = MARK.matcher(markup);
        int last = 0;
        while (m.find()) {
            text.append(markup, last, m.start());
            int b = text.length();
            text.append(m.group(1));
            spans.add(new int[] {b, text.length()});
            labels.add(m.group(2));
            last = m.end();
        }
        text.append(markup.substring(last));
        String s = text.toString();
        cas.setDocumentText(s);
        cas.setDocumentLanguage("en");
        Type sentence = cas.getTypeSystem().getType(Protocol.SENTENCE);
        Type token = cas.getTypeSystem().getType(Protocol.TOKEN);
        Matcher lines = Pattern.compile("[^\\n]+").matcher(s);
        while (lines.find()) {
            cas.addFsToIndexes(cas.createAnnotation(sentence, lines.start(), lines.end()));
        }
        Matcher words = WORD.matcher(s);
        while (words.find()) {
            cas.addFsToIndexes(cas.createAnnotation(token, words.start(), words.end()));
        }
        Type type = cas.getTypeSystem().getType(layer);
        Feature f = type.getFeatureByBaseName(feature);
        for (int i = 0; i < spans.size(); i++) {
            AnnotationFS a = cas.createAnnotation(type, spans.get(i)[0], spans.get(i)[1]);
            a.setStringValue(f, labels.get(i));
            cas.addFsToIndexes(a);
        }
        Type meta = cas.getTypeSystem().getType(CAS_METADATA);
        org.apache.uima.cas.FeatureStructure md = cas.createFS(meta);
        md.setLongValue(meta.getFeatureByBaseName("projectId"), projectId);
        md.setLongValue(meta.getFeatureByBaseName("sourceDocumentId"), documentId);
        md.setStringValue(meta.getFeatureByBaseName("username"), user);
        md.setStringValue(meta.getFeatureByBaseName("projectName"), "project-" + projectId);
        md.setStringValue(
                meta.getFeatureByBaseName("sourceDocumentName"), "doc-" + documentId + ".txt");
        cas.addFsToIndexes(md);
        return cas;
    }

    /** The CAS as XMI, the way INCEpTION writes it. */
    public static String xmi(CAS cas) {
        try (StringWriter out = new StringWriter()) {
            XmiCasSerializer ser = new XmiCasSerializer(null);
            ser.serialize(cas, new XMLSerializer(out, true).getContentHandler(), null, null, null);
            return out.toString();
        } catch (Exception e) {
            throw new IllegalStateException("cannot write XMI: " + e, e);
        }
    }

    /** The {@code metadata} object; {@code range} null: none sent. */
    public ObjectNode metadata(
            long projectId, String anchoring, boolean crossSentence, int[] range) {
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("layer", layer);
        m.put("feature", feature);
        m.put("projectId", projectId);
        m.put("anchoringMode", anchoring);
        m.put("crossSentence", crossSentence);
        if (range != null) {
            ObjectNode r = m.putObject("range");
            r.put("begin", range[0]);
            r.put("end", range[1]);
        }
        return m;
    }

    private static ObjectNode document(CAS cas, long documentId, String user) {
        ObjectNode d = Json.MAPPER.createObjectNode();
        d.put("xmi", xmi(cas));
        d.put("documentId", documentId);
        d.put("userId", user);
        return d;
    }

    /** A {@code /predict} body for {@code cas} (whole document range, as INCEpTION sends). */
    public String predict(CAS cas, long projectId, long documentId, String anchoring) {
        return predict(
                cas,
                projectId,
                documentId,
                anchoring,
                new int[] {0, cas.getDocumentText().length()});
    }

    public String predict(CAS cas, long projectId, long documentId, String anchoring, int[] range) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("typeSystem", typeSystemXml);
        body.set("document", document(cas, documentId, "testuser"));
        body.set("metadata", metadata(projectId, anchoring, false, range));
        return Json.line(body);
    }

    /** A {@code /train} body for {@code documents} (their ids: {@code firstId}, +1, ...). */
    public String train(List<CAS> documents, long projectId, long firstId) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("typeSystem", typeSystemXml);
        body.set("metadata", metadata(projectId, "tokens", false, new int[] {0, 0}));
        ArrayNode docs = body.putArray("documents");
        long id = firstId;
        for (CAS c : documents) {
            docs.add(document(c, id++, "testuser"));
        }
        return Json.line(body);
    }
}
