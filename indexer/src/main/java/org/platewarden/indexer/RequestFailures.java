package org.platewarden.indexer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.elasticsearch.client.ResponseException;

/**
 * Reads a whole-request failure: its cause for the retries counter and the log, its HTTP status, and
 * whether Elasticsearch refused the request for what it carries. {@link ElasticsearchBulkTransport}
 * sends through the low-level REST client, which fails a call answered with any error status with a
 * {@link ResponseException} (carrying Elasticsearch's error body when there is one), and a call
 * without an answer with the I/O exception.
 */
public final class RequestFailures {
    private RequestFailures() {
    }

    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) t = t.getCause();
        return t;
    }

    public static String cause(Throwable failure) {
        Throwable t = unwrap(failure);
        int status = status(t);
        if (status > 0) return "request_http_" + status;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) return "request_connection";
            if (c instanceof SocketTimeoutException || c instanceof TimeoutException) return "request_timeout";
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) return "request_io";
        }
        return "request_response";
    }

    /** The HTTP status the whole request was answered with, or 0 when there was no answer (connection, timeout). */
    public static int status(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof ResponseException e) return e.getResponse().getStatusLine().getStatusCode();
        return 0;
    }

    /**
     * Whether Elasticsearch refused the request for what it carries, so that sending the same reads
     * again can never succeed while a part of them may: 400 (a body it cannot parse or validate,
     * e.g. {@code x_content_parse_exception}, or an {@code _id} longer than 512 bytes) and 413 (more
     * than {@code http.max_content_length}, or a proxy's limit). Every other status is retried with
     * the whole batch: 408/429/5xx pass, and 401/403/404/405 (credentials, privileges, a wrong URL)
     * would refuse any read alike — splitting on them would dead-letter the whole stream.
     */
    public static boolean refusesContent(Throwable failure) {
        int status = status(failure);
        return status == 400 || status == 413;
    }

    /** The refusal as the answer for the one read the refused request carried (see {@link BulkItemResult#wholeRequest()}). */
    static BulkItemResult asAnswerForLoneRead(Throwable failure) {
        Throwable t = unwrap(failure);
        JsonNode error = t instanceof ResponseException e ? errorBody(e) : null;
        return error != null
                ? new BulkItemResult(status(t), text(error, "type"), text(error, "reason"), true)
                : new BulkItemResult(status(t), null, String.valueOf(t.getMessage()).strip(), true);
    }

    /** Elasticsearch's {@code error} object of an error answer, or null when the answer has none (a proxy, a bare 413). */
    private static JsonNode errorBody(ResponseException e) {
        try {
            if (e.getResponse().getEntity() == null) return null;
            try (InputStream in = e.getResponse().getEntity().getContent()) {
                JsonNode error = EsRest.MAPPER.readTree(in).path("error");
                return error.isObject() && error.has("type") ? error : null;
            }
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }

    /** A text field of an Elasticsearch error object, or null. */
    static String text(JsonNode error, String field) {
        JsonNode v = error.path(field);
        return v.isValueNode() && !v.isNull() ? v.asText() : null;
    }
}
