package org.platewarden.indexer;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.transport.TransportException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Names the cause of a whole-request failure for the retries counter and the log. */
public final class RequestFailures {
    private RequestFailures() {
    }

    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) t = t.getCause();
        return t;
    }

    public static String cause(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof ElasticsearchException e) return "request_http_" + e.status();
        if (t instanceof TransportException e && e.statusCode() > 0) return "request_http_" + e.statusCode();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) return "request_connection";
            if (c instanceof SocketTimeoutException || c instanceof TimeoutException) return "request_timeout";
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) return "request_io";
        }
        return "request_response";
    }
}
