package org.fewner.serve;

import static org.fewner.serve.TestServers.answer;
import static org.fewner.serve.TestServers.post;
import static org.fewner.serve.TestServers.predictions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.apache.uima.cas.CAS;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.fewner.common.Json;
import org.junit.jupiter.api.Test;

/**
 * The server's one engine pool and the engine's support view: trainings do not rebuild engines, and
 * recommenders with different labels get their own back from the same engine instances.
 */
class SupportViewTest {
    private final InceptionRequests inc = new InceptionRequests();

    private HttpResponse<String> train(FewNerServer s, long project, long doc, String markup)
            throws Exception {
        CAS cas = inc.document(markup, project, doc, "u");
        return post(s.url() + "/train", inc.train(List.of(cas), project, doc));
    }

    private List<String> predict(FewNerServer s, long project, String text) throws Exception {
        CAS doc = inc.document(text, project, 99, "u");
        return predictions(
                answer(inc, post(s.url() + "/predict", inc.predict(doc, project, 99, "tokens"))));
    }

    /** The labels of {@code predictions} ({@code begin end label score text}), in order. */
    private static List<String> labels(List<String> predictions) {
        List<String> out = new ArrayList<>();
        for (String p : predictions) {
            out.add(p.split(" ")[2] + " " + p.substring(p.lastIndexOf(' ') + 1));
        }
        return out;
    }

    @Test
    void trainingsDoNotRebuildEnginesAndEachRecommenderGetsItsOwnLabels() throws Exception {
        try (FewNerServer s = FewNerServer.start(TestServers.config())) {
            EnginePool pool = s.recommenders().engines();
            int instances = pool.instancesCreated();
            assertEquals(2, instances, "one instance per worker, built at start");

            // two projects, the same words, different labels
            assertEquals(204, train(s, 1, 1, "[Paris](CITY) is nice .").statusCode());
            assertEquals(204, train(s, 2, 1, "[Paris](PLACE) is nice .").statusCode());
            assertEquals(List.of("CITY Paris"), labels(predict(s, 1, "I saw Paris .")));
            assertEquals(List.of("PLACE Paris"), labels(predict(s, 2, "I saw Paris .")));

            // more trainings: a second document, a document replaced
            assertEquals(204, train(s, 1, 2, "[Lyon](CITY) is old .").statusCode());
            assertEquals(204, train(s, 2, 1, "[Paris](TOWN) is nice .").statusCode());
            assertEquals(
                    List.of("CITY Paris", "CITY Lyon"),
                    labels(predict(s, 1, "I saw Paris and Lyon .")));
            assertEquals(List.of("TOWN Paris"), labels(predict(s, 2, "I saw Paris and Lyon .")));
            // a project never trained: no predictions
            assertEquals(List.of(), predict(s, 3, "I saw Paris and Lyon ."));

            // the page's examples go through the same engine
            ObjectNode req = Json.MAPPER.createObjectNode();
            req.put("text", "Lyon is near Paris .");
            req.put("examples", "[Lyon](X) is old .");
            HttpResponse<String> r = post(s.url() + "/api/annotate", req.toString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode ents = Json.MAPPER.readTree(r.body()).get("entities");
            assertEquals(1, ents.size(), r.body());
            assertEquals("X", ents.get(0).get("label").asText());

            assertSame(pool, s.recommenders().engines());
            assertEquals(instances, pool.instancesCreated(), "no engine rebuilt by a training");
        }
    }

    @Test
    void aSupportViewHoldsTheSentencesWithTheirMentions() throws Exception {
        SupportView v =
                new SupportView(
                        List.of(
                                new SupportDocument(
                                        "d",
                                        List.of(
                                                new SupportSentence(
                                                        List.of("Marie", "Curie", "left", "Paris"),
                                                        List.of(
                                                                new SupportSentence.Mention(
                                                                        0, 2, "PER"),
                                                                new SupportSentence.Mention(
                                                                        3, 4, "LOC"))),
                                                new SupportSentence(
                                                        List.of("a b", ""),
                                                        List.of(
                                                                new SupportSentence.Mention(
                                                                        0, 1, "\tX\n")))))));
        assertEquals(3, v.mentions());
        JCas jcas = JCasFactory.createJCas();
        v.write(jcas);
        // words and labels as the support file holds them
        assertEquals("Marie Curie left Paris\na_b _", jcas.getDocumentText());
        assertEquals(2, JCasUtil.select(jcas, Sentence.class).size());
        assertEquals(6, JCasUtil.select(jcas, Token.class).size());
        List<String> mentions = new ArrayList<>();
        for (NamedEntity ne : JCasUtil.select(jcas, NamedEntity.class)) {
            mentions.add(ne.getCoveredText() + "/" + ne.getValue());
        }
        assertEquals(List.of("Marie Curie/PER", "Paris/LOC", "a_b/X"), mentions);
    }
}
