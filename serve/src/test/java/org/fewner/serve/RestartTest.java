package org.fewner.serve;

import static org.fewner.serve.TestServers.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.uima.cas.CAS;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a server process (SIGKILL: no shutdown hook runs) right after a training and starts another
 * on the same {@code --state}: the predictions are the same.
 */
class RestartTest {
    @TempDir Path tmp;

    /** A {@code fewner serve} JVM on the tiny model; its URL once it listens. */
    record ServerProcess(Process process, String url) {}

    static ServerProcess start(Path state) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb =
                new ProcessBuilder(
                        java,
                        "-Xmx1g",
                        "-Dai.djl.offline=true",
                        "-Dai.djl.default_engine=PyTorch",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        "-cp",
                        System.getProperty("java.class.path"),
                        ServeCommand.class.getName(),
                        "--model",
                        TestServers.model().toString(),
                        "--method",
                        "test-gazetteer",
                        "--state",
                        state.toString(),
                        "--port",
                        "0",
                        "--workers",
                        "1");
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> url =
                CompletableFuture.supplyAsync(
                        () -> {
                            Pattern listening = Pattern.compile("listening on (http://\\S+)");
                            try {
                                String line;
                                StringBuilder seen = new StringBuilder();
                                while ((line = out.readLine()) != null) {
                                    Matcher m = listening.matcher(line);
                                    if (m.find()) {
                                        // keep draining so the child never blocks on a full pipe
                                        Thread drain =
                                                new Thread(
                                                        () -> {
                                                            try {
                                                                while (out.readLine() != null) {}
                                                            } catch (java.io.IOException e) {
                                                                // the process ended
                                                            }
                                                        });
                                        drain.setDaemon(true);
                                        drain.start();
                                        return m.group(1);
                                    }
                                    seen.append(line).append('\n');
                                }
                                throw new IllegalStateException("the server ended:\n" + seen);
                            } catch (java.io.IOException e) {
                                throw new IllegalStateException(e);
                            }
                        });
        try {
            return new ServerProcess(p, url.get(90, TimeUnit.SECONDS));
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    static void kill(ServerProcess s) throws InterruptedException {
        s.process().destroyForcibly(); // SIGKILL on Unix
        assertTrue(s.process().waitFor(30, TimeUnit.SECONDS));
    }

    @Test
    void aKilledServerRestartsOnItsStateAndPredictsTheSame() throws Exception {
        Path state = tmp.resolve("state");
        InceptionRequests inc = new InceptionRequests();
        CAS query = inc.document(TestServers.QUERY, 3, 9, "u");
        String predict = inc.predict(query, 3, 9, "tokens");
        ServerProcess first = start(state);
        List<String> before;
        try {
            String train =
                    inc.train(
                            List.of(
                                    inc.document(TestServers.TRAIN_1, 3, 1, "u"),
                                    inc.document(TestServers.TRAIN_2, 3, 2, "u")),
                            3,
                            1);
            assertEquals(204, post(first.url() + "/train", train).statusCode());
            before =
                    TestServers.predictions(
                            TestServers.answer(inc, post(first.url() + "/predict", predict)));
        } finally {
            kill(first);
        }
        assertEquals(4, before.size(), before.toString());
        // nothing half-written was left behind
        try (var files = Files.walk(state)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().contains(".tmp")));
        }
        ServerProcess second = start(state);
        try {
            List<String> after =
                    TestServers.predictions(
                            TestServers.answer(inc, post(second.url() + "/predict", predict)));
            assertEquals(before, after);
        } finally {
            kill(second);
        }
    }
}
