package org.fewner.serve;

import static org.fewner.serve.TestServers.QUERY;
import static org.fewner.serve.TestServers.TRAIN_1;
import static org.fewner.serve.TestServers.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.uima.cas.CAS;
import org.junit.jupiter.api.Test;

/** 401, 413, 429, 500 and the loopback default. */
class SafetyTest {
    final InceptionRequests inc = new InceptionRequests();

    @Test
    void bindsTheLoopbackAddressByDefault() throws Exception {
        try (FewNerServer s = FewNerServer.start(TestServers.config())) {
            assertTrue(s.url().startsWith("http://127.0.0.1:"), s.url());
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", s.port()), 5000);
            }
        }
    }

    @Test
    void withASupportFileItPredictsBeforeAnyTraining(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path support = tmp.resolve("support.conll");
        java.nio.file.Files.writeString(
                support, "John\tB-PER\nSmith\tI-PER\nmet\tO\nthe\tO\nUN\tB-ORG\n");
        try (FewNerServer s =
                FewNerServer.start(TestServers.config().withSupport(support, "conll"))) {
            CAS doc = inc.document(QUERY, 1, 1, "u");
            CAS back =
                    TestServers.answer(
                            inc, post(s.url() + "/predict", inc.predict(doc, 1, 1, "tokens")));
            int john = QUERY.indexOf("John");
            assertEquals(
                    List.of(john + " " + (john + 10) + " PER 0.9 John Smith"),
                    TestServers.predictions(back));
        }
    }

    @Test
    void withATokenRequestsWithoutItAre401() throws Exception {
        try (FewNerServer s = FewNerServer.start(TestServers.config().withToken("s3cret"))) {
            CAS doc = inc.document(QUERY, 1, 1, "u");
            String body = inc.predict(doc, 1, 1, "tokens");
            HttpResponse<String> r = post(s.url() + "/predict", body);
            assertEquals(401, r.statusCode());
            assertEquals("{\"error\":\"Authorization: a bearer token is required\"}", r.body());
            assertEquals(
                    401,
                    post(s.url() + "/predict", body, "Authorization", "Bearer wrong").statusCode());
            assertEquals(401, post(s.url() + "/train", inc.train(List.of(doc), 1, 1)).statusCode());
            assertEquals(
                    200,
                    post(s.url() + "/predict", body, "Authorization", "Bearer s3cret")
                            .statusCode());
            // the page itself loads; its API needs the token
            assertEquals(200, TestServers.get(s.url() + "/").statusCode());
            assertEquals(401, post(s.url() + "/api/annotate", "{\"text\":\"x\"}").statusCode());
        }
    }

    @Test
    void bodiesOverTheLimitAre413() throws Exception {
        try (FewNerServer s = FewNerServer.start(TestServers.config().withMaxRequestBytes(2000))) {
            String big = "{\"x\":\"" + "a".repeat(5000) + "\"}";
            HttpResponse<String> r = post(s.url() + "/predict", big);
            assertEquals(413, r.statusCode());
            assertTrue(r.body().startsWith("{\"error\":\"body: "), r.body());
            // without a Content-Length (chunked) too
            byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
            HttpRequest request =
                    HttpRequest.newBuilder(URI.create(s.url() + "/train"))
                            .POST(
                                    BodyPublishers.ofInputStream(
                                            () -> new ByteArrayInputStream(bytes)))
                            .build();
            HttpResponse<String> chunked =
                    TestServers.CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(413, chunked.statusCode(), chunked.body());
            // the server goes on
            assertEquals(400, post(s.url() + "/predict", "{}").statusCode());
        }
    }

    @Test
    void aSecondTrainingOfTheSameRecommenderIs429() throws Exception {
        ServeConfig c = ServeConfig.of(TestServers.model().toString(), "test-blocking");
        try (FewNerServer s = FewNerServer.start(c)) {
            TestMethods.entered = new CountDownLatch(1);
            TestMethods.release = new CountDownLatch(1);
            String train = inc.train(List.of(inc.document(TRAIN_1, 1, 1, "u")), 1, 1);
            CompletableFuture<HttpResponse<String>> first =
                    CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return post(s.url() + "/train", train);
                                } catch (Exception e) {
                                    throw new RuntimeException(e);
                                }
                            });
            assertTrue(
                    TestMethods.entered.await(60, TimeUnit.SECONDS), "the first training started");
            HttpResponse<String> second = post(s.url() + "/train", train);
            assertEquals(429, second.statusCode());
            assertTrue(second.body().contains("is running"), second.body());
            // predicts go on meanwhile (no trained state yet: no predictions)
            CAS doc = inc.document(QUERY, 1, 1, "u");
            assertEquals(
                    200, post(s.url() + "/predict", inc.predict(doc, 1, 1, "tokens")).statusCode());
            TestMethods.release.countDown();
            assertEquals(204, first.get(60, TimeUnit.SECONDS).statusCode());
            assertEquals(204, post(s.url() + "/train", train).statusCode());
        } finally {
            TestMethods.release.countDown();
        }
    }

    @Test
    void anInternalFailureIs500AndTheServerGoesOn() throws Exception {
        ServeConfig c = ServeConfig.of(TestServers.model().toString(), "test-failing");
        try (FewNerServer s = FewNerServer.start(c)) {
            assertEquals(
                    204,
                    post(
                                    s.url() + "/train",
                                    inc.train(List.of(inc.document(TRAIN_1, 1, 1, "u")), 1, 1))
                            .statusCode());
            CAS boom = inc.document("the city went boom .", 1, 2, "u");
            HttpResponse<String> r = post(s.url() + "/predict", inc.predict(boom, 1, 2, "tokens"));
            assertEquals(500, r.statusCode());
            assertTrue(r.body().startsWith("{\"error\":\"internal failure: "), r.body());
            assertTrue(r.body().contains("test failure on 'boom'"), r.body());
            CAS fine = inc.document(QUERY, 1, 3, "u");
            assertEquals(
                    200,
                    post(s.url() + "/predict", inc.predict(fine, 1, 3, "tokens")).statusCode());
        }
    }
}
