package org.fewner.serve;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.uima.cas.CAS;
import org.fewner.common.FewNerException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fewner bench serve}: a server on the loopback address, trained with one document of 20
 * annotated sentences ({@code /train} latency), then {@code clients} parallel clients each sending
 * {@code predicts} {@code /predict} requests of a 300-word document; prints p50/p95 latencies.
 * Requests are built as INCEpTION builds them ({@link InceptionRequests}).
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description =
                "Latency of fewner serve on the loopback address: /train of 20 annotated sentences,"
                        + " /predict of a 300-word document from parallel clients (p50/p95).")
public final class ServeBenchCommand implements Runnable {
    @Option(names = "--model", description = "Model.")
    String model = "default";

    @Option(names = "--method", description = "Few-shot method.")
    String method = "span";

    @Option(names = "--clients", description = "Parallel predict clients.")
    @org.fewner.common.options.Range(min = 1)
    int clients = 8;

    @Option(names = "--predicts", description = "Predicts per client.")
    @org.fewner.common.options.Range(min = 1)
    int predicts = 50;

    @Option(names = "--trains", description = "Timed trainings (each with changed annotations).")
    @org.fewner.common.options.Range(min = 0)
    int trains = 3;

    @Option(names = "--workers", description = "Engine instances (predicts served at once).")
    @org.fewner.common.options.Range(min = 1)
    int workers = Math.max(1, Runtime.getRuntime().availableProcessors());

    static final String[] PER = {
        "Angela Merkel", "John Smith", "Marie Curie", "Ana Garcia", "Kenji Watanabe", "Olga Petrova"
    };
    static final String[] LOC = {"Berlin", "Paris", "Madrid", "Tokyo", "Nairobi", "Lima"};
    static final String[] ORG = {
        "Siemens", "the United Nations", "Acme Corp", "Reuters", "Volkswagen", "the World Bank"
    };
    static final String[] TEMPLATES = {
        "%s met %s in %s on Monday , officials said .",
        "%s told %s that talks in %s would go on .",
        "A spokesman for %s said %s had left %s early .",
    };

    /** Annotated sentence {@code i} in markup ({@code [text](LABEL)}). */
    static String annotated(int i) {
        String per = "[" + PER[i % PER.length] + "](PER)";
        String loc = "[" + LOC[(i / 2) % LOC.length] + "](LOC)";
        String org = ORG[(i / 3) % ORG.length];
        org = org.startsWith("the ") ? "the [" + org.substring(4) + "](ORG)" : "[" + org + "](ORG)";
        return switch (i % 3) {
            case 0 -> String.format(TEMPLATES[0], per, org, loc);
            case 1 -> String.format(TEMPLATES[1], org, per, loc);
            default -> String.format(TEMPLATES[2], org, per, loc);
        };
    }

    /** A plain document of exactly {@code words} words (one sentence per line). */
    static String document(int words) {
        List<String> out = new ArrayList<>();
        int i = 7;
        int count = 0;
        while (count < words) {
            String plain = annotated(i++).replaceAll("\\[([^\\]]+)\\]\\([A-Z]+\\)", "$1");
            for (String w : plain.split(" ")) {
                out.add(w);
                count++;
            }
            out.add("\n");
        }
        StringBuilder b = new StringBuilder();
        int n = 0;
        for (String w : out) {
            if (w.equals("\n")) {
                b.append('\n');
                continue;
            }
            if (n == words) {
                break;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != '\n') {
                b.append(' ');
            }
            b.append(w);
            n++;
        }
        return b.toString().strip();
    }

    static double percentile(List<Double> sorted, double p) {
        return sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * p) - 1));
    }

    @Override
    public void run() {
        ServeConfig config = ServeConfig.of(model, method).withWorkers(workers);
        InceptionRequests inc = new InceptionRequests();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        long t0 = System.nanoTime();
        try (FewNerServer server = FewNerServer.start(config)) {
            System.out.printf(
                    Locale.ROOT,
                    "fewner bench serve: model %s, method %s, %d workers, %d CPUs; server up in %.1f s%n",
                    model,
                    method,
                    workers,
                    Runtime.getRuntime().availableProcessors(),
                    (System.nanoTime() - t0) / 1e9);
            List<Double> trainMs = new ArrayList<>();
            for (int r = 0; r < Math.max(1, trains); r++) {
                StringBuilder doc = new StringBuilder();
                for (int i = 0; i < 20; i++) {
                    doc.append(annotated(i + r)).append('\n');
                }
                CAS cas = inc.document(doc.toString().strip(), 1, 1, "bench");
                String body = inc.train(List.of(cas), 1, 1);
                long s = System.nanoTime();
                HttpResponse<String> resp = post(client, server.url() + "/train", body);
                double ms = (System.nanoTime() - s) / 1e6;
                if (resp.statusCode() != 204) {
                    throw new FewNerException(
                            "/train answered " + resp.statusCode() + ": " + resp.body());
                }
                trainMs.add(ms);
            }
            String text = document(300);
            CAS query = inc.document(text, 1, 2, "bench");
            String body = inc.predict(query, 1, 2, "tokens");
            HttpResponse<String> warm = post(client, server.url() + "/predict", body);
            if (warm.statusCode() != 200) {
                throw new FewNerException(
                        "/predict answered " + warm.statusCode() + ": " + warm.body());
            }
            List<Double> predictMs = Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<?>> futures = new ArrayList<>();
            long start = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                futures.add(
                        pool.submit(
                                () -> {
                                    for (int i = 0; i < predicts; i++) {
                                        long s = System.nanoTime();
                                        HttpResponse<String> r =
                                                post(client, server.url() + "/predict", body);
                                        predictMs.add((System.nanoTime() - s) / 1e6);
                                        if (r.statusCode() != 200) {
                                            throw new FewNerException(
                                                    "/predict answered "
                                                            + r.statusCode()
                                                            + ": "
                                                            + r.body());
                                        }
                                    }
                                    return null;
                                }));
            }
            pool.shutdown();
            for (Future<?> f : futures) {
                f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            List<Double> p = new ArrayList<>(predictMs);
            Collections.sort(p);
            List<Double> t = new ArrayList<>(trainMs);
            Collections.sort(t);
            System.out.printf(
                    Locale.ROOT,
                    "train   (20 annotated sentences, %d runs): p50 %.0f ms, max %.0f ms%n",
                    t.size(),
                    percentile(t, 0.5),
                    t.get(t.size() - 1));
            System.out.printf(
                    Locale.ROOT,
                    "predict (300-word document, %d clients x %d): p50 %.0f ms, p95 %.0f ms, %.2f predicts/s%n",
                    clients,
                    predicts,
                    percentile(p, 0.5),
                    percentile(p, 0.95),
                    p.size() / seconds);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FewNerException("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof FewNerException f
                    ? f
                    : new IllegalStateException(e.getCause());
        }
    }

    private static HttpResponse<String> post(HttpClient client, String url, String body) {
        try {
            return client.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofMinutes(10))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new FewNerException(url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FewNerException(url + ": interrupted", e);
        }
    }
}
