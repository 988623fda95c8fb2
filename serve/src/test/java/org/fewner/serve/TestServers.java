package org.fewner.serve;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.uima.cas.CAS;
import org.apache.uima.cas.Feature;
import org.apache.uima.cas.FeatureStructure;
import org.apache.uima.cas.Type;
import org.apache.uima.cas.impl.XmiCasDeserializer;
import org.apache.uima.cas.text.AnnotationFS;
import org.fewner.common.Json;
import org.fewner.uimaannotator.GazetteerMethodProvider;
import org.fewner.uimaannotator.TinyModels;

/** A tiny random model (made once per JVM), servers on it, an HTTP client and CAS checks. */
final class TestServers {
    private static Path model;

    static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    static final String TRAIN_1 =
            "[Marie Curie](PER) visited [Paris](LOC) today .\n"
                    + "[John Smith](PER) met the [UN](ORG) in [London](LOC) .";
    static final String TRAIN_2 = "[Acme Corp](ORG) said the city of [Berlin](LOC) was born .";
    static final String QUERY =
            "the city of Berlin and Tokyo .\nJohn Smith visited Paris and Acme Corp today .";

    private TestServers() {}

    static synchronized Path model() throws IOException {
        if (model == null) {
            Path dir = Files.createTempDirectory("fewner-serve-test-model");
            model = TinyModels.bert(dir.resolve("tiny"), 16, 64, 1);
        }
        return model;
    }

    /** Settings for a server on the tiny model with the gazetteer test method, 2 workers. */
    static ServeConfig config() throws IOException {
        return ServeConfig.of(model().toString(), GazetteerMethodProvider.NAME).withWorkers(2);
    }

    static HttpResponse<String> post(String url, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The CAS of a {@code /predict} answer, read as INCEpTION reads it (into its own CAS). */
    static CAS answer(InceptionRequests inc, HttpResponse<String> r) throws Exception {
        if (r.statusCode() != 200) {
            throw new AssertionError("HTTP " + r.statusCode() + ": " + r.body());
        }
        String xmi = Json.MAPPER.readTree(r.body()).get("document").asText();
        CAS cas = inc.newCas();
        XmiCasDeserializer.deserialize(
                new ByteArrayInputStream(xmi.getBytes(StandardCharsets.UTF_8)), cas, true);
        return cas;
    }

    /**
     * {@code begin end label score} of the predictions (inception_internal_predicted) in {@code
     * cas}.
     */
    static List<String> predictions(CAS cas) {
        Type ne = cas.getTypeSystem().getType(InceptionRequests.NAMED_ENTITY);
        Feature value = ne.getFeatureByBaseName("value");
        Feature score = ne.getFeatureByBaseName("value_score");
        Feature predicted = ne.getFeatureByBaseName(TypeSystems.PREDICTED);
        List<String> out = new ArrayList<>();
        for (AnnotationFS a : cas.getAnnotationIndex(ne)) {
            if (a.getBooleanValue(predicted)) {
                out.add(
                        String.format(
                                Locale.ROOT,
                                "%d %d %s %.1f %s",
                                a.getBegin(),
                                a.getEnd(),
                                a.getStringValue(value),
                                a.getDoubleValue(score),
                                a.getCoveredText()));
            }
        }
        return out;
    }

    /**
     * Every feature structure of {@code cas} but the predictions, as text (type, offsets,
     * features).
     */
    static List<String> withoutPredictions(CAS cas) {
        Type ne = cas.getTypeSystem().getType(InceptionRequests.NAMED_ENTITY);
        Feature predicted = ne.getFeatureByBaseName(TypeSystems.PREDICTED);
        List<String> out = new ArrayList<>();
        for (FeatureStructure fs : cas.select().allViews().toList()) {
            if (fs.getType().equals(ne) && ((AnnotationFS) fs).getBooleanValue(predicted)) {
                continue;
            }
            StringBuilder b = new StringBuilder(fs.getType().getName());
            for (Feature f : fs.getType().getFeatures()) {
                if (f.getRange().isPrimitive()) {
                    b.append(' ')
                            .append(f.getShortName())
                            .append('=')
                            .append(fs.getFeatureValueAsString(f));
                }
            }
            out.add(b.toString());
        }
        out.sort(null);
        return out;
    }
}
