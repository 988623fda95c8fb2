package org.fewner.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.uima.cas.CAS;
import org.apache.uima.cas.Feature;
import org.apache.uima.cas.Type;
import org.apache.uima.cas.text.AnnotationFS;
import org.apache.uima.fit.util.CasUtil;
import org.fewner.common.Json;

/**
 * INCEpTION's external recommender protocol, v1: {@code POST /predict} and {@code POST /train}
 * (request shapes as INCEpTION's {@code ExternalRecommender} sends them: {@code metadata} with
 * {@code layer}, {@code feature}, {@code projectId}, {@code anchoringMode}, {@code crossSentence}
 * and an optional {@code range}; {@code document}/{@code documents} with {@code xmi}, {@code
 * documentId}, {@code userId}; {@code typeSystem}).
 */
public final class Protocol {
    static final String SENTENCE = "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence";
    static final String TOKEN = "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token";

    /** How predictions anchor, INCEpTION's {@code AnchoringMode} ids. */
    public enum Anchoring {
        CHARACTERS("characters"),
        SINGLE_TOKEN("singleToken"),
        TOKENS("tokens"),
        SENTENCES("sentences");

        final String id;

        Anchoring(String id) {
            this.id = id;
        }

        static Anchoring of(String id) {
            for (Anchoring a : values()) {
                if (a.id.equals(id)) {
                    return a;
                }
            }
            throw HttpError.badRequest(
                    "metadata.anchoringMode",
                    "'" + id + "' is not one of characters, singleToken, tokens, sentences");
        }
    }

    /** The request's {@code metadata}. */
    record Metadata(RecommenderKey key, Anchoring anchoring, boolean crossSentence, int[] range) {}

    private final Recommenders recommenders;
    private final TypeSystems typeSystems;
    private final Segmenter segmenter;

    public Protocol(Recommenders recommenders, TypeSystems typeSystems, Segmenter segmenter) {
        this.recommenders = recommenders;
        this.typeSystems = typeSystems;
        this.segmenter = segmenter;
    }

    // ---------------------------------------------------------------- JSON fields

    /**
     * Jackson's parsers with no limit on a string's length (Jackson's default is 20 M chars): an
     * XMI string may be as long as the request size limit lets it be.
     */
    private static final com.fasterxml.jackson.core.JsonFactory FACTORY = unlimitedStrings();

    private static com.fasterxml.jackson.core.JsonFactory unlimitedStrings() {
        com.fasterxml.jackson.core.JsonFactory f = Json.MAPPER.getFactory().copy();
        f.setStreamReadConstraints(
                com.fasterxml.jackson.core.StreamReadConstraints.builder()
                        .maxStringLength(Integer.MAX_VALUE)
                        .build());
        return f;
    }

    /** The body as a JSON object. */
    static JsonNode parse(byte[] body) {
        JsonNode root;
        try (com.fasterxml.jackson.core.JsonParser p = FACTORY.createParser(body)) {
            root = Json.MAPPER.readTree(p);
        } catch (JsonProcessingException e) {
            throw new HttpError(400, "body" + Json.problemOf(e));
        } catch (IOException e) {
            throw HttpError.badRequest("body", "cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw HttpError.badRequest("body", "expected a JSON object");
        }
        return root;
    }

    static JsonNode field(JsonNode parent, String name, String path) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) {
            throw HttpError.badRequest(path, "missing");
        }
        return n;
    }

    static String string(JsonNode parent, String name, String path) {
        JsonNode n = field(parent, name, path);
        if (!n.isTextual()) {
            throw HttpError.badRequest(path, "expected a string");
        }
        return n.asText();
    }

    static long integer(JsonNode parent, String name, String path) {
        JsonNode n = field(parent, name, path);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw HttpError.badRequest(path, "expected an integer");
        }
        return n.asLong();
    }

    static boolean bool(JsonNode parent, String name, String path) {
        JsonNode n = field(parent, name, path);
        if (!n.isBoolean()) {
            throw HttpError.badRequest(path, "expected true or false");
        }
        return n.asBoolean();
    }

    static JsonNode object(JsonNode parent, String name, String path) {
        JsonNode n = field(parent, name, path);
        if (!n.isObject()) {
            throw HttpError.badRequest(path, "expected an object");
        }
        return n;
    }

    static Metadata metadata(JsonNode root) {
        JsonNode m = object(root, "metadata", "metadata");
        String layer = string(m, "layer", "metadata.layer");
        String feature = string(m, "feature", "metadata.feature");
        long project = integer(m, "projectId", "metadata.projectId");
        Anchoring anchoring = Anchoring.of(string(m, "anchoringMode", "metadata.anchoringMode"));
        boolean cross = bool(m, "crossSentence", "metadata.crossSentence");
        int[] range = null;
        JsonNode r = m.get("range");
        if (r != null && !r.isNull()) {
            if (!r.isObject()) {
                throw HttpError.badRequest("metadata.range", "expected {begin, end}");
            }
            long b = integer(r, "begin", "metadata.range.begin");
            long e = integer(r, "end", "metadata.range.end");
            if (b >= 0 && e >= b) {
                range =
                        new int[] {
                            (int) Math.min(b, Integer.MAX_VALUE),
                            (int) Math.min(e, Integer.MAX_VALUE)
                        };
            } else if (!(b == -1 && e == -1)) {
                throw HttpError.badRequest("metadata.range", "expected 0 <= begin <= end");
            }
        }
        return new Metadata(new RecommenderKey(project, layer, feature), anchoring, cross, range);
    }

    // ---------------------------------------------------------------- the CAS layers

    /** A CAS's text with its sentences and their tokens ({@code [begin, end)} pairs). */
    record Layers(String text, List<int[]> sentences, List<List<int[]>> tokens) {}

    /**
     * The {@code Sentence}s and {@code Token}s of {@code cas}; without them, the text segmented by
     * {@link Segmenter}.
     */
    Layers layers(CAS cas) {
        String text = cas.getDocumentText() == null ? "" : cas.getDocumentText();
        Type st = cas.getTypeSystem().getType(SENTENCE);
        Type tt = cas.getTypeSystem().getType(TOKEN);
        List<int[]> sentences = new ArrayList<>();
        List<int[]> tokens = new ArrayList<>();
        if (st != null && tt != null && !CasUtil.select(cas, st).isEmpty()) {
            for (AnnotationFS s : CasUtil.select(cas, st)) {
                sentences.add(new int[] {s.getBegin(), s.getEnd()});
            }
            for (AnnotationFS t : CasUtil.select(cas, tt)) {
                tokens.add(new int[] {t.getBegin(), t.getEnd()});
            }
        }
        if (sentences.isEmpty() || tokens.isEmpty()) {
            if (text.isBlank()) {
                return new Layers(text, List.of(), List.of());
            }
            Segmenter.Segments seg = segmenter.segment(text);
            sentences = seg.sentences();
            tokens = seg.tokens();
        }
        sentences.sort(Comparator.comparingInt(a -> a[0]));
        List<List<int[]>> perSentence = new ArrayList<>();
        int ti = 0;
        tokens.sort(Comparator.comparingInt(a -> a[0]));
        for (int[] s : sentences) {
            List<int[]> in = new ArrayList<>();
            while (ti < tokens.size() && tokens.get(ti)[0] < s[0]) {
                ti++;
            }
            int j = ti;
            while (j < tokens.size() && tokens.get(j)[0] < s[1]) {
                int[] t = tokens.get(j++);
                if (t[1] <= s[1] && t[1] > t[0] && !text.substring(t[0], t[1]).isBlank()) {
                    in.add(t);
                }
            }
            perSentence.add(in);
        }
        return new Layers(text, sentences, perSentence);
    }

    // ---------------------------------------------------------------- /predict

    /** Answers a {@code /predict} body: {@code {"document": XMI}}. */
    public String predict(byte[] body) {
        JsonNode root = parse(body);
        Metadata meta = metadata(root);
        JsonNode doc = object(root, "document", "document");
        String xmi = string(doc, "xmi", "document.xmi");
        String ts = string(root, "typeSystem", "typeSystem");
        CAS cas = typeSystems.newCas(ts, meta.key().layer(), meta.key().feature());
        SecureXml.readXmi(xmi, cas, "document.xmi");
        annotate(cas, meta);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("document", SecureXml.writeXmi(cas));
        return Json.line(out);
    }

    private void annotate(CAS cas, Metadata meta) {
        if (!recommenders.snapshot(meta.key()).predicts()) {
            return; // not trained (and no --support): no predictions
        }
        Layers layers = layers(cas);
        int rb = meta.range() == null ? 0 : meta.range()[0];
        int re = meta.range() == null ? Integer.MAX_VALUE : meta.range()[1];
        List<int[]> sentences = new ArrayList<>();
        List<int[]> tokens = new ArrayList<>();
        for (int i = 0; i < layers.sentences().size(); i++) {
            int[] s = layers.sentences().get(i);
            boolean inRange = s[1] > rb && s[0] < re || (s[0] == s[1] && s[0] >= rb && s[0] <= re);
            if (inRange && !layers.tokens().get(i).isEmpty()) {
                sentences.add(s);
                tokens.addAll(layers.tokens().get(i));
            }
        }
        Recommenders.Predicted result =
                recommenders.predict(meta.key(), layers.text(), sentences, tokens);
        Recommenders.Snapshot snap = result.snapshot();
        List<Prediction> predictions = anchor(result.predictions(), meta, sentences, tokens);
        Type type = cas.getTypeSystem().getType(meta.key().layer());
        Feature label = type.getFeatureByBaseName(meta.key().feature());
        Feature score = type.getFeatureByBaseName(meta.key().feature() + TypeSystems.SCORE_SUFFIX);
        Feature explanation =
                type.getFeatureByBaseName(meta.key().feature() + TypeSystems.EXPLANATION_SUFFIX);
        Feature predicted = type.getFeatureByBaseName(TypeSystems.PREDICTED);
        for (Prediction p : predictions) {
            AnnotationFS a = cas.createAnnotation(type, p.begin(), p.end());
            a.setStringValue(label, p.label());
            a.setDoubleValue(score, p.score());
            a.setStringValue(
                    explanation,
                    snap.explainer()
                            .explain(
                                    p.label(),
                                    layers.text().substring(p.begin(), p.end()),
                                    p.score()));
            a.setBooleanValue(predicted, true);
            cas.addFsToIndexes(a);
        }
    }

    /** The engine's mentions anchored as {@code meta} says. */
    static List<Prediction> anchor(
            List<Prediction> in, Metadata meta, List<int[]> sentences, List<int[]> tokens) {
        List<Prediction> out = new ArrayList<>();
        Map<Integer, Prediction> bestPerSentence = new LinkedHashMap<>();
        for (Prediction p : in) {
            // token boundaries: from the begin of the first token it touches to the end of the last
            int b = Integer.MAX_VALUE;
            int e = -1;
            int n = 0;
            for (int[] t : tokens) {
                if (t[1] > p.begin() && t[0] < p.end()) {
                    b = Math.min(b, t[0]);
                    e = Math.max(e, t[1]);
                    n++;
                }
            }
            if (n == 0) {
                continue;
            }
            switch (meta.anchoring()) {
                case CHARACTERS -> out.add(p);
                case TOKENS -> out.add(new Prediction(b, e, p.label(), p.score()));
                case SINGLE_TOKEN -> {
                    if (n == 1) {
                        out.add(new Prediction(b, e, p.label(), p.score()));
                    }
                }
                case SENTENCES -> {
                    for (int i = 0; i < sentences.size(); i++) {
                        int[] s = sentences.get(i);
                        if (s[0] <= b && e <= s[1]) {
                            Prediction q = new Prediction(s[0], s[1], p.label(), p.score());
                            bestPerSentence.merge(i, q, (x, y) -> x.score() >= y.score() ? x : y);
                            break;
                        }
                    }
                }
            }
        }
        // only sentences that overlap the range were processed: nothing to clip
        out.addAll(bestPerSentence.values());
        return out;
    }

    // ---------------------------------------------------------------- /train

    /** Handles a {@code /train} body (the caller answers 204). */
    public void train(byte[] body) {
        JsonNode root = parse(body);
        Metadata meta = metadata(root);
        String ts = string(root, "typeSystem", "typeSystem");
        JsonNode docs = field(root, "documents", "documents");
        if (!docs.isArray()) {
            throw HttpError.badRequest("documents", "expected an array");
        }
        List<SupportDocument> parsed = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            String path = "documents[" + i + "]";
            JsonNode d = docs.get(i);
            if (!d.isObject()) {
                throw HttpError.badRequest(path, "expected an object");
            }
            String xmi = string(d, "xmi", path + ".xmi");
            long id = integer(d, "documentId", path + ".documentId");
            JsonNode u = d.get("userId");
            String user = u == null || u.isNull() ? "" : u.asText();
            CAS cas = typeSystems.newCas(ts, meta.key().layer(), meta.key().feature());
            SecureXml.readXmi(xmi, cas, path + ".xmi");
            parsed.add(new SupportDocument(id + "/" + user, sentences(cas, meta)));
        }
        recommenders.train(meta.key(), parsed);
    }

    /** The sentences of {@code cas} with at least one annotated (not predicted) mention. */
    List<SupportSentence> sentences(CAS cas, Metadata meta) {
        Layers layers = layers(cas);
        Type type = cas.getTypeSystem().getType(meta.key().layer());
        Feature label = type.getFeatureByBaseName(meta.key().feature());
        Feature predicted = type.getFeatureByBaseName(TypeSystems.PREDICTED);
        List<AnnotationFS> mentions = new ArrayList<>();
        for (AnnotationFS a : CasUtil.select(cas, type)) {
            // subtypes (e.g. DKPro's Person under NamedEntity) count as annotations of the layer
            String v = a.getStringValue(label);
            if (v == null || v.isBlank() || (predicted != null && a.getBooleanValue(predicted))) {
                continue;
            }
            mentions.add(a);
        }
        List<SupportSentence> out = new ArrayList<>();
        for (int i = 0; i < layers.sentences().size(); i++) {
            int[] s = layers.sentences().get(i);
            List<int[]> toks = layers.tokens().get(i);
            if (toks.isEmpty()) {
                continue;
            }
            List<SupportSentence.Mention> ms = new ArrayList<>();
            int lastEnd = 0;
            List<AnnotationFS> inside = new ArrayList<>();
            for (AnnotationFS a : mentions) {
                if (a.getBegin() >= s[0] && a.getEnd() <= s[1] && a.getEnd() > a.getBegin()) {
                    inside.add(a);
                }
            }
            inside.sort(
                    Comparator.comparingInt(AnnotationFS::getBegin)
                            .thenComparing(
                                    Comparator.comparingInt(AnnotationFS::getEnd).reversed()));
            for (AnnotationFS a : inside) {
                int start = -1;
                int end = -1;
                for (int k = 0; k < toks.size(); k++) {
                    int[] t = toks.get(k);
                    if (t[1] > a.getBegin() && t[0] < a.getEnd()) {
                        if (start < 0) {
                            start = k;
                        }
                        end = k + 1;
                    }
                }
                if (start < 0 || start < lastEnd) {
                    continue; // covers no token, or overlaps the mention before it
                }
                ms.add(new SupportSentence.Mention(start, end, a.getStringValue(label).strip()));
                lastEnd = end;
            }
            if (!ms.isEmpty()) {
                List<String> words = new ArrayList<>();
                for (int[] t : toks) {
                    words.add(layers.text().substring(t[0], t[1]));
                }
                out.add(new SupportSentence(words, ms));
            }
        }
        return out;
    }
}
