package org.fewner.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.fewner.common.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fewner serve}: FewNER as an INCEpTION external recommender (Javalin on Jetty). Routes:
 * {@code POST /predict}, {@code POST /train} (INCEpTION's protocol, {@link Protocol}), {@code GET
 * /} (a page to try it) with {@code POST /api/annotate}, {@code GET /health}.
 *
 * <p>Errors are one line of JSON, {@code {"error": "<field>: <problem>"}}: 400 for a bad request,
 * 401 without the bearer token (when {@code --token} is set), 413 for a body over the limit, 429
 * while the same recommender trains, 500 for an internal failure (logged; the server goes on).
 */
public final class FewNerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FewNerServer.class);

    private final ServeConfig config;
    private final Recommenders recommenders;
    private final Segmenter segmenter = new Segmenter();
    private final Protocol protocol;
    private final TryPage page;
    private final Javalin app;

    private FewNerServer(ServeConfig config) {
        this.config = config;
        this.recommenders = new Recommenders(config);
        this.protocol = new Protocol(recommenders, new TypeSystems(), segmenter);
        this.page = new TryPage(recommenders, segmenter);
        this.app =
                Javalin.create(
                        c -> {
                            c.showJavalinBanner = false;
                            c.http.maxRequestSize = config.maxRequestBytes();
                        });
        app.before(this::authorise);
        app.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page.html()));
        app.get("/health", ctx -> json(ctx, 200, "{\"status\":\"ok\"}"));
        app.post("/predict", ctx -> json(ctx, 200, protocol.predict(body(ctx))));
        app.post(
                "/train",
                ctx -> {
                    protocol.train(body(ctx));
                    ctx.status(204);
                });
        app.post("/api/annotate", ctx -> json(ctx, 200, page.annotate(body(ctx))));
        app.exception(HttpError.class, (e, ctx) -> json(ctx, e.status(), error(e.getMessage())));
        app.exception(
                Exception.class,
                (e, ctx) -> {
                    LOG.error("{} {}: internal failure", ctx.method(), ctx.path(), e);
                    json(ctx, 500, error("internal failure: " + SecureXml.message(e)));
                });
        app.error(404, ctx -> json(ctx, 404, error(ctx.path() + ": no such endpoint")));
        app.error(
                405,
                ctx -> json(ctx, 405, error(ctx.method() + " " + ctx.path() + ": not allowed")));
    }

    /**
     * Starts a server (binds {@code config.host()}: {@code 127.0.0.1} unless told otherwise).
     *
     * @throws org.fewner.common.FewNerException for a state directory, support file or model that
     *     cannot be used
     */
    public static FewNerServer start(ServeConfig config) {
        FewNerServer s = new FewNerServer(config);
        try {
            s.app.start(config.host(), config.port());
        } catch (RuntimeException e) {
            s.close();
            throw new org.fewner.common.FewNerException(
                    config.host()
                            + ":"
                            + config.port()
                            + ": cannot listen: "
                            + SecureXml.message(e),
                    e);
        }
        return s;
    }

    /** The port listened on. */
    public int port() {
        return app.port();
    }

    /** {@code http://host:port}. */
    public String url() {
        String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + h + ":" + port();
    }

    /** The recommenders' state (for tests and the bench). */
    public Recommenders recommenders() {
        return recommenders;
    }

    private void authorise(Context ctx) {
        if (config.token() == null || ctx.path().equals("/") || ctx.path().equals("/health")) {
            return;
        }
        String h = ctx.header("Authorization");
        String expected = "Bearer " + config.token();
        if (h == null
                || !MessageDigest.isEqual(
                        h.getBytes(StandardCharsets.UTF_8),
                        expected.getBytes(StandardCharsets.UTF_8))) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new HttpError(401, "Authorization: a bearer token is required");
        }
    }

    /** The request body, at most {@code --max-request-size} bytes (else 413). */
    private byte[] body(Context ctx) throws IOException {
        long limit = config.maxRequestBytes();
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw new HttpError(413, "body: " + declared + " bytes, over the limit of " + limit);
        }
        InputStream in = ctx.req().getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 8192);
        byte[] buf = new byte[65536];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > limit) {
                throw new HttpError(413, "body: over the limit of " + limit + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static String error(String message) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("error", message.replaceAll("\\s*[\\r\\n]+\\s*", " "));
        return Json.line(o);
    }

    private static void json(Context ctx, int status, String body) {
        ctx.status(status).contentType("application/json; charset=utf-8").result(body);
    }

    /** Stops listening and releases the engines. */
    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            segmenter.close();
            recommenders.close();
        }
    }
}
