package org.platewarden.gateway.http;

import io.vertx.core.json.JsonObject;
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
        return new HttpErrorMapping(500, "internal_error", String.valueOf(t.getMessage()), null);
    }

    private static String error(HttpProblem p) {
        return switch (p.status()) {
            case 413 -> "too_large";
            case 415 -> "unsupported_media_type";
            default -> "bad_request";
        };
    }

    public JsonObject body() {
        JsonObject body = new JsonObject().put("error", error).put("message", message);
        if (code != null) body.put("code", code);
        return body;
    }
}
