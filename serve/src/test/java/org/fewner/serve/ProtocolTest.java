package org.fewner.serve;

import static org.fewner.serve.TestServers.QUERY;
import static org.fewner.serve.TestServers.TRAIN_1;
import static org.fewner.serve.TestServers.TRAIN_2;
import static org.fewner.serve.TestServers.answer;
import static org.fewner.serve.TestServers.post;
import static org.fewner.serve.TestServers.predictions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.apache.uima.cas.CAS;
import org.apache.uima.cas.Feature;
import org.apache.uima.cas.Type;
import org.apache.uima.cas.text.AnnotationFS;
import org.fewner.common.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** INCEpTION's v1 protocol on a server with the tiny model and the gazetteer test method. */
class ProtocolTest {
    @TempDir static Path tmp;
    static FewNerServer server;
    static InceptionRequests inc;

    @BeforeAll
    static void start() throws Exception {
        server = FewNerServer.start(TestServers.config().withState(tmp.resolve("state")));
        inc = new InceptionRequests();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String url(String path) {
        return server.url() + path;
    }

    static HttpResponse<String> train(long project, long firstId, String... docs) throws Exception {
        List<CAS> cases = new java.util.ArrayList<>();
        for (int i = 0; i < docs.length; i++) {
            cases.add(inc.document(docs[i], project, firstId + i, "testuser"));
        }
        return post(url("/train"), inc.train(cases, project, firstId));
    }

    static CAS predict(long project, String text, String anchoring) throws Exception {
        CAS doc = inc.document(text, project, 99, "testuser");
        return answer(inc, post(url("/predict"), inc.predict(doc, project, 99, anchoring)));
    }

    @Test
    void beforeTrainingNoPredictionsAndTheDocumentComesBackWhole() throws Exception {
        CAS doc = inc.document("[Marie Curie](PER) visited Paris .", 1000, 5, "u");
        CAS back = answer(inc, post(url("/predict"), inc.predict(doc, 1000, 5, "tokens")));
        assertEquals(List.of(), predictions(back));
        assertEquals(TestServers.withoutPredictions(doc), TestServers.withoutPredictions(back));
    }

    @Test
    void trainThenPredictGivesTheAnnotatorsTypesWithExactOffsets() throws Exception {
        HttpResponse<String> t = train(1, 1, TRAIN_1, TRAIN_2);
        assertEquals(204, t.statusCode(), t.body());
        assertEquals("", t.body());
        CAS doc = inc.document(QUERY, 1, 99, "testuser");
        CAS back = answer(inc, post(url("/predict"), inc.predict(doc, 1, 99, "tokens")));
        int john = QUERY.indexOf("John");
        assertEquals(
                List.of(
                        "12 18 LOC 0.4 Berlin",
                        john + " " + (john + 10) + " PER 0.9 John Smith",
                        (john + 19) + " " + (john + 24) + " LOC 0.4 Paris",
                        (john + 29) + " " + (john + 38) + " ORG 0.9 Acme Corp"),
                predictions(back));
        // everything the request carried is still there, unchanged; only predictions were added
        assertEquals(TestServers.withoutPredictions(doc), TestServers.withoutPredictions(back));
        Type ne = back.getTypeSystem().getType(InceptionRequests.NAMED_ENTITY);
        Feature explanation = ne.getFeatureByBaseName("value_score_explanation");
        Feature predicted = ne.getFeatureByBaseName(TypeSystems.PREDICTED);
        for (AnnotationFS a : back.getAnnotationIndex(ne)) {
            if (a.getBooleanValue(predicted) && a.getCoveredText().equals("Acme Corp")) {
                String e = a.getStringValue(explanation);
                assertTrue(e.startsWith("ORG, confidence 0.900; nearest ORG support examples"), e);
                assertTrue(e.contains("\"Acme Corp\", \"UN\" (of 2)"), e);
            }
        }
    }

    @Test
    void anchoringModesAndRange() throws Exception {
        assertEquals(204, train(2, 1, TRAIN_1, TRAIN_2).statusCode());
        int john = QUERY.indexOf("John");
        // singleToken: only one-token predictions
        assertEquals(
                List.of("12 18 LOC 0.4 Berlin", (john + 19) + " " + (john + 24) + " LOC 0.4 Paris"),
                predictions(predict(2, QUERY, "singleToken")));
        // sentences: the most confident prediction of each sentence, over the whole sentence
        assertEquals(
                List.of(
                        "0 30 LOC 0.4 the city of Berlin and Tokyo .",
                        john + " " + QUERY.length() + " PER 0.9 " + QUERY.substring(john)),
                predictions(predict(2, QUERY, "sentences")));
        // characters: as the engine found them (token boundaries here too)
        assertEquals(4, predictions(predict(2, QUERY, "characters")).size());
        // range: only sentences that overlap it
        CAS doc = inc.document(QUERY, 2, 99, "testuser");
        CAS back =
                answer(
                        inc,
                        post(
                                url("/predict"),
                                inc.predict(
                                        doc, 2, 99, "tokens", new int[] {john, QUERY.length()})));
        assertEquals(3, predictions(back).size());
        assertFalse(predictions(back).contains("12 18 LOC 0.4 Berlin"));
    }

    @Test
    void aDocumentSentAgainReplacesItsMentions() throws Exception {
        assertEquals(204, train(3, 1, TRAIN_1, TRAIN_2).statusCode());
        RecommenderKey key = new RecommenderKey(3, InceptionRequests.NAMED_ENTITY, "value");
        assertEquals(7, server.recommenders().trained(key).mentions());
        // document 2 again, now with one mention instead of two: 5 + 1
        assertEquals(204, train(3, 2, "[Acme Corp](ORG) said .").statusCode());
        assertEquals(6, server.recommenders().trained(key).mentions());
        // the same again changes nothing
        assertEquals(204, train(3, 2, "[Acme Corp](ORG) said .").statusCode());
        assertEquals(6, server.recommenders().trained(key).mentions());
        // "Berlin" is no longer a support mention
        assertFalse(predictions(predict(3, QUERY, "tokens")).contains("12 18 LOC 0.4 Berlin"));
        // a document without annotations removes its mentions
        assertEquals(204, train(3, 2, "Acme Corp said .").statusCode());
        assertEquals(5, server.recommenders().trained(key).mentions());
        // other projects and layers are separate
        assertEquals(
                0,
                server.recommenders()
                        .trained(new RecommenderKey(4, InceptionRequests.NAMED_ENTITY, "value"))
                        .mentions());
    }

    @Test
    void predictionsAndUserAnnotationsAreNotTrainedOn() throws Exception {
        CAS doc = inc.document(TRAIN_1, 5, 1, "testuser");
        Type ne = doc.getTypeSystem().getType(InceptionRequests.NAMED_ENTITY);
        AnnotationFS p = doc.createAnnotation(ne, 0, 5);
        p.setStringValue(ne.getFeatureByBaseName("value"), "PREDICTED");
        p.setBooleanValue(ne.getFeatureByBaseName(TypeSystems.PREDICTED), true);
        doc.addFsToIndexes(p);
        assertEquals(204, post(url("/train"), inc.train(List.of(doc), 5, 1)).statusCode());
        RecommenderKey key = new RecommenderKey(5, InceptionRequests.NAMED_ENTITY, "value");
        assertEquals(5, server.recommenders().trained(key).mentions());
    }

    static String field(HttpResponse<String> r) throws Exception {
        JsonNode e = Json.MAPPER.readTree(r.body());
        assertFalse(r.body().contains("\n"), r.body());
        return e.get("error").asText();
    }

    @Test
    void badRequestsAre400NamingTheField() throws Exception {
        CAS doc = inc.document(QUERY, 1, 99, "u");
        ObjectNode good = (ObjectNode) Json.MAPPER.readTree(inc.predict(doc, 1, 99, "tokens"));
        HttpResponse<String> r = post(url("/predict"), "{\"metadata\": ");
        assertEquals(400, r.statusCode());
        assertTrue(field(r).startsWith("body:1:"), r.body());
        r = post(url("/predict"), "[1, 2]");
        assertEquals(400, r.statusCode());
        assertTrue(field(r).startsWith("body: expected a JSON object"), r.body());

        ObjectNode b = good.deepCopy();
        ((ObjectNode) b.get("metadata")).remove("layer");
        r = post(url("/predict"), Json.line(b));
        assertEquals(400, r.statusCode());
        assertEquals("metadata.layer: missing", field(r));

        b = good.deepCopy();
        b.remove("typeSystem");
        assertEquals("typeSystem: missing", field(post(url("/predict"), Json.line(b))));

        b = good.deepCopy();
        ((ObjectNode) b.get("document")).remove("xmi");
        assertEquals("document.xmi: missing", field(post(url("/predict"), Json.line(b))));

        b = good.deepCopy();
        ((ObjectNode) b.get("metadata")).put("projectId", "one");
        assertEquals(
                "metadata.projectId: expected an integer",
                field(post(url("/predict"), Json.line(b))));

        b = good.deepCopy();
        ((ObjectNode) b.get("metadata")).put("anchoringMode", "words");
        assertTrue(
                field(post(url("/predict"), Json.line(b)))
                        .startsWith("metadata.anchoringMode: 'words'"));

        b = good.deepCopy();
        ((ObjectNode) b.get("document")).put("xmi", "<xmi:XMI this is not xml");
        r = post(url("/predict"), Json.line(b));
        assertEquals(400, r.statusCode());
        assertTrue(field(r).startsWith("document.xmi: not UIMA XMI"), r.body());

        b = good.deepCopy();
        ((ObjectNode) b.get("metadata")).put("layer", "webanno.custom.Nothing");
        r = post(url("/predict"), Json.line(b));
        assertEquals(400, r.statusCode());
        assertEquals(
                "metadata.layer: type 'webanno.custom.Nothing' is not in the typeSystem", field(r));

        b = good.deepCopy();
        ((ObjectNode) b.get("metadata")).put("feature", "colour");
        r = post(url("/predict"), Json.line(b));
        assertEquals(400, r.statusCode());
        assertTrue(field(r).startsWith("metadata.feature: feature 'colour'"), r.body());

        b = good.deepCopy();
        b.put("typeSystem", "<typeSystemDescription><types><typeDescription>");
        r = post(url("/predict"), Json.line(b));
        assertEquals(400, r.statusCode());
        assertTrue(field(r).startsWith("typeSystem: not a UIMA type system"), r.body());

        ObjectNode t = (ObjectNode) Json.MAPPER.readTree(inc.train(List.of(doc), 1, 1));
        ((ObjectNode) t.get("documents").get(0)).remove("documentId");
        assertEquals("documents[0].documentId: missing", field(post(url("/train"), Json.line(t))));
        t.put("documents", "none");
        assertEquals("documents: expected an array", field(post(url("/train"), Json.line(t))));
        // the server goes on
        assertEquals(200, post(url("/predict"), Json.line(good)).statusCode());
    }

    @Test
    void stringsLongerThanJacksonsDefaultLimitAreRead() throws Exception {
        CAS doc = inc.document(QUERY, 1, 99, "u");
        ObjectNode b = (ObjectNode) Json.MAPPER.readTree(inc.predict(doc, 1, 99, "tokens"));
        ((ObjectNode) b.get("document")).put("xmi", "x".repeat(21_000_000));
        HttpResponse<String> r = post(url("/predict"), Json.line(b));
        assertEquals(400, r.statusCode());
        assertTrue(field(r).startsWith("document.xmi: not UIMA XMI"), r.body());
    }

    @Test
    void xxePayloadsAreRefused() throws Exception {
        Path secret = tmp.resolve("secret.txt");
        java.nio.file.Files.writeString(secret, "TOP-SECRET-CONTENT");
        CAS doc = inc.document(QUERY, 1, 99, "u");
        String xmi = InceptionRequests.xmi(doc);
        String evil =
                xmi.replaceFirst(
                                "<xmi:XMI",
                                "<!DOCTYPE xmi:XMI [<!ENTITY xxe SYSTEM \""
                                        + secret.toUri()
                                        + "\">]>\n<xmi:XMI")
                        .replace("sofaString=\"", "sofaString=\"&xxe;");
        ObjectNode b = (ObjectNode) Json.MAPPER.readTree(inc.predict(doc, 1, 99, "tokens"));
        ((ObjectNode) b.get("document")).put("xmi", evil);
        HttpResponse<String> r = post(url("/predict"), Json.line(b));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(field(r).startsWith("document.xmi: not UIMA XMI"), r.body());
        assertTrue(field(r).contains("DOCTYPE"), r.body());
        assertFalse(r.body().contains("TOP-SECRET"), r.body());

        b = (ObjectNode) Json.MAPPER.readTree(inc.predict(doc, 1, 99, "tokens"));
        b.put(
                "typeSystem",
                "<?xml version=\"1.0\"?><!DOCTYPE t [<!ENTITY xxe SYSTEM \""
                        + secret.toUri()
                        + "\">]><typeSystemDescription xmlns=\"http://uima.apache.org/resourceSpecifier\">"
                        + "<description>&xxe;</description></typeSystemDescription>");
        r = post(url("/predict"), Json.line(b));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(field(r).startsWith("typeSystem: "), r.body());
        assertFalse(r.body().contains("TOP-SECRET"), r.body());

        b = (ObjectNode) Json.MAPPER.readTree(inc.predict(doc, 1, 99, "tokens"));
        b.put(
                "typeSystem",
                "<typeSystemDescription xmlns=\"http://uima.apache.org/resourceSpecifier\"><imports>"
                        + "<import location=\""
                        + secret.toUri()
                        + "\"/></imports></typeSystemDescription>");
        r = post(url("/predict"), Json.line(b));
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("typeSystem: imports are not allowed in the type system", field(r));
    }

    @Test
    void unknownPathsAnd404() throws Exception {
        HttpResponse<String> r = post(url("/nothing"), "{}");
        assertEquals(404, r.statusCode());
        assertTrue(field(r).contains("no such endpoint"));
        assertEquals(200, TestServers.get(url("/health")).statusCode());
    }
}
