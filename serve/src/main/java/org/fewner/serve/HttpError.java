package org.fewner.serve;

import org.fewner.common.FewNerException;

/**
 * A user error with the HTTP status it is answered with: 400 (a bad request, the message names the
 * field), 401, 404, 413, 429. Answered as one line {@code {"error": "<message>"}}.
 */
public final class HttpError extends FewNerException {
    private final int status;

    public HttpError(int status, String message) {
        super(message);
        this.status = status;
    }

    public HttpError(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** A 400 about {@code field} (a JSON path such as {@code metadata.layer}). */
    public static HttpError badRequest(String field, String problem) {
        return new HttpError(400, field + ": " + problem);
    }

    public int status() {
        return status;
    }
}
