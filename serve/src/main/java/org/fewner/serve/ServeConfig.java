package org.fewner.serve;

import java.nio.file.Path;
import java.util.List;

/**
 * The settings of a server.
 *
 * @param host the address to bind ({@code 127.0.0.1} unless told otherwise)
 * @param port the port (0: any free one)
 * @param model {@code default}, {@code default-uncased} or a model directory
 * @param method the few-shot method ({@code span}, {@code frozen-prototype}, ...)
 * @param methodOptions the method's options, {@code key=value}
 * @param state where support sets persist (null: a temporary directory, removed at stop)
 * @param support a support file to answer with before any training (null: no predictions)
 * @param supportFormat its format ({@code conll}, {@code conll2003}, {@code xmi}, ...)
 * @param token a bearer token every API request must carry (null: none)
 * @param maxRequestBytes the largest request body accepted (413 above)
 * @param workers engine instances (one engine for every recommender), i.e. predicts run at once
 * @param seed the method's seed
 */
public record ServeConfig(
        String host,
        int port,
        String model,
        String method,
        List<String> methodOptions,
        Path state,
        Path support,
        String supportFormat,
        String token,
        long maxRequestBytes,
        int workers,
        int seed) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 5000;
    public static final long DEFAULT_MAX_REQUEST_BYTES = 32L * 1024 * 1024;

    public ServeConfig {
        methodOptions = methodOptions == null ? List.of() : List.copyOf(methodOptions);
        if (workers < 1) {
            throw new org.fewner.common.FewNerException("--workers: must be >= 1, got " + workers);
        }
        if (maxRequestBytes < 1) {
            throw new org.fewner.common.FewNerException(
                    "--max-request-size: must be >= 1, got " + maxRequestBytes);
        }
    }

    /** Defaults for {@code model} and {@code method}; everything else as {@code fewner serve}. */
    public static ServeConfig of(String model, String method) {
        return new ServeConfig(
                DEFAULT_HOST,
                0,
                model,
                method,
                List.of(),
                null,
                null,
                "conll",
                null,
                DEFAULT_MAX_REQUEST_BYTES,
                Math.max(1, Runtime.getRuntime().availableProcessors()),
                1);
    }

    public ServeConfig withState(Path dir) {
        return new ServeConfig(
                host,
                port,
                model,
                method,
                methodOptions,
                dir,
                support,
                supportFormat,
                token,
                maxRequestBytes,
                workers,
                seed);
    }

    public ServeConfig withToken(String t) {
        return new ServeConfig(
                host,
                port,
                model,
                method,
                methodOptions,
                state,
                support,
                supportFormat,
                t,
                maxRequestBytes,
                workers,
                seed);
    }

    public ServeConfig withMaxRequestBytes(long n) {
        return new ServeConfig(
                host,
                port,
                model,
                method,
                methodOptions,
                state,
                support,
                supportFormat,
                token,
                n,
                workers,
                seed);
    }

    public ServeConfig withSupport(Path file, String format) {
        return new ServeConfig(
                host,
                port,
                model,
                method,
                methodOptions,
                state,
                file,
                format,
                token,
                maxRequestBytes,
                workers,
                seed);
    }

    public ServeConfig withWorkers(int n) {
        return new ServeConfig(
                host,
                port,
                model,
                method,
                methodOptions,
                state,
                support,
                supportFormat,
                token,
                maxRequestBytes,
                n,
                seed);
    }
}
