package org.platewarden.gateway.http;

import io.vertx.core.json.JsonObject;
import org.platewarden.core.net.AnswerNotWrittenException;
import org.platewarden.core.spool.AppendTooLargeException;
import org.platewarden.core.spool.SpoolFailedException;
import org.platewarden.core.spool.SpoolFullException;
import org.platewarden.gateway.auth.BadCredentialsException;
import org.platewarden.gateway.ingest.DeadLetterUnavailableException;
import org.platewarden.gateway.ingest.Failures;
import org.platewarden.gateway.ingest.OverloadedException;

/**
 * The one place where an ingest failure becomes an HTTP answer. Every refusal that the client
 * should retry carries Retry-After.
 */
public record HttpErrorMapping(int status, String error, String message, Integer retryAfterSeconds, String code) {
    public HttpErrorMapping(int status, String error, String message, Integer retryAfterSeconds) {
        this(status, error, message, retryAfterSeconds, null);
    }

    /**
     * A 500's message when the answer could not be written: the reads may be stored (a 202 is written
     * after the fsync), and a resend of a stored read is indexed once (its read id is the same).
     */
    public static final String ANSWER_NOT_WRITTEN = "internal error: the answer could not be written; the reads may have been stored,"
            + " resend the whole batch (a read stored twice is indexed once)";

    /**
     * A 500's message for any failure no other answer fits (a bug): the exception's own text names the
     * gateway's internals and is logged instead; whether the reads were stored is not known, and a resend
     * of a stored read is indexed once.
     */
    public static final String UNEXPECTED_FAULT = "internal error of the gateway (logged); the reads may have been stored,"
            + " resend the whole batch (a read stored twice is indexed once)";

    public static final String REALM = "Basic realm=\"platewarden-ingest\", charset=\"UTF-8\"";

    public static HttpErrorMapping of(Throwable failure) {
        Throwable t = Failures.unwrap(failure);
        if (t instanceof BadCredentialsException) return new HttpErrorMapping(401, "unauthorized", "camera id or secret not accepted", null);
        // a body refused whole also names its reason code, as its dead letter and the metric do
        if (t instanceof HttpProblem p) return new HttpErrorMapping(p.status(), error(p), p.getMessage(), null, p.code());
        if (t instanceof AppendTooLargeException) {
            // the same request would be refused every time: not a 429 to retry, but fewer reads per request
            return new HttpErrorMapping(413, "too_large", "the request's reads take more than one spool append can hold ("
                    + t.getMessage() + "); send fewer reads per request", null);
        }
        if (t instanceof SpoolFullException) return new HttpErrorMapping(429, "spool_full", "the gateway's spool is full; retry later", 5);
        if (t instanceof OverloadedException) return new HttpErrorMapping(503, "overloaded", t.getMessage(), 1);
        if (t instanceof SpoolFailedException) return new HttpErrorMapping(503, "spool_failed", "the gateway cannot store reads durably", 30);
        if (t instanceof DeadLetterUnavailableException) return new HttpErrorMapping(503, "dead_letter_unavailable", t.getMessage(), 5);
        // the answer itself failed after the work (a 202's reads are fsynced by then): the cause is the server's, not for the camera
        if (t instanceof AnswerNotWrittenException) return new HttpErrorMapping(500, "internal_error", ANSWER_NOT_WRITTEN, null);
        // any other failure is a fault of the gateway: its text is for the log (with its stack trace), not the camera
        return new HttpErrorMapping(500, "internal_error", UNEXPECTED_FAULT, null);
    }

    private static String error(HttpProblem p) {
        return switch (p.status()) {
            case 413 -> "too_large";
            case 415 -> "unsupported_media_type";
            case 501 -> "not_implemented";
            default -> "bad_request";
        };
    }

    public JsonObject body() {
        JsonObject body = new JsonObject().put("error", error).put("message", message);
        if (code != null) body.put("code", code);
        return body;
    }
}
