package org.platewarden.indexer;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.transport.TransportException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.elasticsearch.client.ResponseException;

/**
 * Reads a whole-request failure: its cause for the retries counter and the log, its HTTP status, and
 * whether Elasticsearch refused the request for what it carries. How a status surfaces depends on
 * it: the REST client hands 400/401/403/404/405 back as a response, which elasticsearch-java turns
 * into an {@link ElasticsearchException} (an error body) or a {@link TransportException} (none);
 * any other error status (408, 413, 429, 5xx) fails the call with the REST client's
 * {@link ResponseException}.
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
        if (t instanceof ElasticsearchException e) return e.status();
        if (t instanceof TransportException e) return Math.max(0, e.statusCode());
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
        ErrorCause error = t instanceof ElasticsearchException e ? e.error() : null;
        return error != null
                ? new BulkItemResult(status(t), error.type(), error.reason(), true)
                : new BulkItemResult(status(t), null, String.valueOf(t.getMessage()).strip(), true);
    }
}
