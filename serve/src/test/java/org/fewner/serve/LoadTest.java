package org.fewner.serve;

import static org.fewner.serve.TestServers.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.uima.cas.CAS;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded load on the loopback address: clients predicting a 300-word document in parallel with
 * trainings mixed in (each client re-sends its own document with changing mentions, retrying on
 * 429). No error, every answer whole, and at the end the support set holds exactly the last version
 * of each document: no lost or duplicated mention. Latencies are printed, not asserted.
 */
class LoadTest {
    static final int CLIENTS = Integer.getInteger("fewner.load.clients", 4);
    static final int PREDICTS = Integer.getInteger("fewner.load.predicts", 10);

    @TempDir Path tmp;

    /** About 300 words, 30 lines (sentences) of the tiny vocabulary with entities. */
    static String document() {
        String[] lines = {
            "John Smith visited Paris and Acme Corp said today .",
            "the city of Berlin was born in London today .",
            "Marie Curie met the UN in Tokyo said today .",
        };
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            b.append(lines[i % 3]).append('\n');
        }
        return b.toString();
    }

    /** Client {@code c}'s training document, version {@code v}: 1 to 3 mentions. */
    static String clientDoc(int c, int v) {
        List<String> parts = new ArrayList<>(List.of("[Tokyo](LOC) was born ."));
        if (v % 3 >= 1) parts.add("[Marie Curie](PER) said .");
        if (v % 3 >= 2) parts.add("[John Smith](PER) met [Acme Corp](ORG) .");
        return String.join("\n", parts);
    }

    static int mentions(int v) {
        return 1 + (v % 3 >= 1 ? 1 : 0) + (v % 3 >= 2 ? 2 : 0);
    }

    @Test
    void parallelPredictsWithTrainingsMixedIn() throws Exception {
        InceptionRequests inc = new InceptionRequests();
        ServeConfig config = TestServers.config().withState(tmp.resolve("state")).withWorkers(2);
        try (FewNerServer server = FewNerServer.start(config)) {
            String url = server.url();
            assertEquals(
                    204,
                    post(
                                    url + "/train",
                                    inc.train(
                                            List.of(inc.document(TestServers.TRAIN_1, 7, 1, "u")),
                                            7,
                                            1))
                            .statusCode());
            String doc = document();
            assertEquals(300, doc.split("\\s+").length);
            CAS query = inc.document(doc, 7, 50, "u");
            String predictBody = inc.predict(query, 7, 50, "tokens");
            Set<String> allowed = Set.of("PER", "LOC", "ORG");
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            int[] lastVersion = new int[CLIENTS];
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> futures = new ArrayList<>();
            long start = System.nanoTime();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                futures.add(
                        pool.submit(
                                () -> {
                                    for (int i = 0; i < PREDICTS; i++) {
                                        if (i % 3 == 0) {
                                            String body =
                                                    inc.train(
                                                            List.of(
                                                                    inc.document(
                                                                            clientDoc(client, i),
                                                                            7,
                                                                            1000 + client,
                                                                            "u")),
                                                            7,
                                                            1000 + client);
                                            int tries = 0;
                                            while (true) {
                                                HttpResponse<String> r = post(url + "/train", body);
                                                if (r.statusCode() == 204) break;
                                                assertEquals(429, r.statusCode(), r.body());
                                                assertTrue(
                                                        ++tries < 2000, "trained within the bound");
                                                Thread.sleep(5);
                                            }
                                            lastVersion[client] = i;
                                        }
                                        long t0 = System.nanoTime();
                                        HttpResponse<String> r =
                                                post(url + "/predict", predictBody);
                                        latencies.add(System.nanoTime() - t0);
                                        CAS back = TestServers.answer(inc, r);
                                        List<String> ps = TestServers.predictions(back);
                                        assertTrue(ps.size() >= 30, "predictions: " + ps.size());
                                        for (String p : ps) {
                                            assertTrue(allowed.contains(p.split(" ")[2]), p);
                                        }
                                        assertEquals(
                                                TestServers.withoutPredictions(query),
                                                TestServers.withoutPredictions(back));
                                    }
                                    return null;
                                }));
            }
            pool.shutdown();
            for (Future<?> f : futures) {
                f.get(180, TimeUnit.SECONDS);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            RecommenderKey key = new RecommenderKey(7, InceptionRequests.NAMED_ENTITY, "value");
            int expected = 5;
            for (int v : lastVersion) {
                expected += mentions(v);
            }
            assertEquals(expected, server.recommenders().trained(key).mentions());
            // on disk: the same, each document once
            Path file =
                    tmp.resolve("state").resolve(key.directoryName()).resolve(Recommenders.SUPPORT);
            List<SupportDocument> docs = SupportFile.read(file);
            Set<String> keys = new HashSet<>();
            docs.forEach(d -> assertTrue(keys.add(d.key()), "once: " + d.key()));
            assertEquals(1 + CLIENTS, docs.size());
            assertEquals(expected, docs.stream().mapToInt(SupportDocument::mentionCount).sum());
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            System.out.printf(
                    Locale.ROOT,
                    "load: %d clients x %d predicts of a 300-word document, trainings mixed in: %.1f s,"
                            + " predict p50 %.1f ms, p95 %.1f ms%n",
                    CLIENTS,
                    PREDICTS,
                    seconds,
                    sorted.get(sorted.size() / 2) / 1e6,
                    sorted.get((int) Math.ceil(sorted.size() * 0.95) - 1) / 1e6);
        }
    }
}
