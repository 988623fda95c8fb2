package org.fewner.serve;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.fewner.common.FewNerException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fewner serve}: the HTTP server (serve/docs/serve.md). */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Serves FewNER as an INCEpTION external recommender (POST /predict, POST /train) and a"
                    + " page to try it at /.",
            "In INCEpTION: Project settings > Recommenders > Create: tool 'Remote classifier V1',"
                    + " URL http://127.0.0.1:5000, 'Trainable' on, layer 'Named entity', feature"
                    + " 'value'. See serve/docs/serve.md."
        })
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--host", description = "Address to listen on (0.0.0.0: every interface).")
    String host = ServeConfig.DEFAULT_HOST;

    @Option(names = "--port", description = "Port to listen on (0: any free port).")
    @org.fewner.common.options.Range(min = 0, max = 65535, note = "0 = any free port")
    int port = ServeConfig.DEFAULT_PORT;

    @Option(
            names = "--model",
            description = "Model: default, default-uncased or a model directory.")
    String model = "default";

    @Option(
            names = "--method",
            description = "Few-shot method: span, frozen-prototype, ... (as fewner annotate).")
    String method = "span";

    @Option(
            names = "--method-option",
            paramLabel = "KEY=VALUE",
            description = "A method option (repeatable), e.g. threshold=0.5.")
    List<String> methodOptions = new ArrayList<>();

    @Option(
            names = "--state",
            paramLabel = "DIR",
            description =
                    "Directory where support sets persist (atomically); a restarted server predicts"
                            + " as before. Unset: kept in memory only.")
    Path state;

    @Option(
            names = "--support",
            paramLabel = "FILE",
            description = "Support file to predict with before a recommender is trained.")
    Path support;

    @Option(
            names = "--support-format",
            description = "Format of --support: conll, conll2003, fewnerd-episodes, xmi.")
    String supportFormat = "conll";

    @Option(
            names = "--token",
            defaultValue = "${env:FEWNER_SERVE_TOKEN}",
            description =
                    "Bearer token required on /predict, /train and /api/* (default: the"
                            + " environment variable FEWNER_SERVE_TOKEN; unset: none).")
    String token;

    @Option(
            names = "--max-request-size",
            paramLabel = "SIZE",
            description = "Largest request body (bytes, or with k/m suffix); larger ones get 413.")
    String maxRequestSize = "32m";

    @Option(
            names = "--workers",
            description =
                    "Engine instances, one engine for every recommender (predicts served at once).")
    @org.fewner.common.options.Range(min = 1)
    int workers = Math.max(1, Runtime.getRuntime().availableProcessors());

    @Option(names = "--seed", description = "Seed of the method.")
    @org.fewner.common.options.Range(note = "any 32-bit integer")
    int seed = 1;

    /** The settings these options give. */
    public ServeConfig config() {
        return new ServeConfig(
                host,
                port,
                model,
                method,
                methodOptions,
                state,
                support,
                supportFormat,
                token == null || token.isEmpty() ? null : token,
                size(maxRequestSize),
                workers,
                seed);
    }

    static long size(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
            unit = t.endsWith("k") ? 1024 : t.endsWith("m") ? 1024 * 1024 : 1024L * 1024 * 1024;
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(t), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new FewNerException("--max-request-size: not a size: '" + s + "' (e.g. 32m)");
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        ServeConfig config = config();
        FewNerServer server = FewNerServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    server.close();
                                    stopped.countDown();
                                },
                                "fewner-serve-stop"));
        System.out.println(
                "fewner serve: listening on "
                        + server.url()
                        + " (model "
                        + config.model()
                        + ", method "
                        + config.method()
                        + (config.state() != null ? ", state " + config.state() : "")
                        + (config.token() != null ? ", bearer token required" : "")
                        + ")");
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** Runs {@code serve} alone (tests start it in a subprocess this way). */
    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new ServeCommand());
        cl.setExecutionExceptionHandler(
                (ex, line, parse) -> {
                    if (ex instanceof FewNerException f) {
                        line.getErr().println("fewner: " + f.getMessage());
                        return 2;
                    }
                    throw ex;
                });
        System.exit(cl.execute(args));
    }
}
