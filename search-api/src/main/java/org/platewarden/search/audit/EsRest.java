package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import org.apache.http.HttpEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Cancellable;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RequestOptions;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;
import org.platewarden.elasticsearch.ElasticsearchConnection;

/**
 * Raw-JSON calls to Elasticsearch from Vert.x code: the low-level client's async call, with the
 * result parsed on the HTTP I/O thread and handed back on the caller's Vert.x context. Raw JSON
 * (not the typed client) because the audit record must be stored byte-for-byte as hashed.
 * Each call waits for Elasticsearch as long as the connection's default allows, or as long as
 * this instance's own timeout ({@link #withTimeout}); a call that waited that long fails with
 * {@link EsTimeoutException}.
 */
public final class EsRest {
    private final Vertx vertx;
    private final RestClient rest;
    /** 0: the connection's defaults ({@link ElasticsearchConnection#SOCKET_TIMEOUT_MILLIS}) */
    private final int timeoutMillis;

    public EsRest(Vertx vertx, RestClient rest) {
        this(vertx, rest, 0);
    }

    private EsRest(Vertx vertx, RestClient rest, int timeoutMillis) {
        this.vertx = vertx;
        this.rest = rest;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * The same calls, each failing once it has waited {@code timeoutMillis} for a connection or for
     * Elasticsearch's answer ({@link ElasticsearchConnection#withTimeout}).
     */
    public EsRest withTimeout(int timeoutMillis) {
        if (timeoutMillis < 1) throw new IllegalArgumentException("timeout must be positive, not " + timeoutMillis);
        return new EsRest(vertx, rest, timeoutMillis);
    }

    public RestClient client() {
        return rest;
    }

    /** The parsed response body, or a failed future with {@link EsException} (status kept) for any 4xx/5xx. */
    public Future<JsonNode> call(String method, String path, String jsonBody) {
        return call(method, path, jsonBody, ContentType.APPLICATION_JSON);
    }

    /** As {@link #call(String, String, String)}, with a body of another type (a bulk request's NDJSON). */
    public Future<JsonNode> call(String method, String path, String body, ContentType contentType) {
        Context context = vertx.getOrCreateContext();
        Promise<JsonNode> promise = Promise.promise();
        Request request = new Request(method, path);
        if (body != null) request.setEntity(new NStringEntity(body, contentType));
        if (timeoutMillis > 0) request.setOptions(ElasticsearchConnection.withTimeout(RequestOptions.DEFAULT, timeoutMillis));
        Cancellable ignored = rest.performRequestAsync(request, new ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                try {
                    JsonNode body = parse(response.getEntity());
                    context.runOnContext(v -> promise.tryComplete(body));
                } catch (IOException | RuntimeException e) {
                    context.runOnContext(v -> promise.tryFail(e));
                }
            }

            @Override
            public void onFailure(Exception e) {
                Exception failure = e;
                if (e instanceof ResponseException re) {
                    String text;
                    try {
                        HttpEntity entity = re.getResponse().getEntity();
                        text = entity == null ? "" : new String(entity.getContent().readAllBytes());
                    } catch (IOException io) {
                        text = "";
                    }
                    failure = new EsException(re.getResponse().getStatusLine().getStatusCode(), method + " " + path, text);
                } else if (ElasticsearchConnection.timedOut(e)) {
                    failure = new EsTimeoutException(method + " " + path, timeoutMillis, e);
                }
                Exception f = failure;
                context.runOnContext(v -> promise.tryFail(f));
            }
        });
        return promise.future();
    }

    private static JsonNode parse(HttpEntity entity) throws IOException {
        if (entity == null) return CanonicalJson.MAPPER.createObjectNode();
        try (InputStream in = entity.getContent()) {
            byte[] bytes = in.readAllBytes();
            return bytes.length == 0 ? CanonicalJson.MAPPER.createObjectNode() : CanonicalJson.MAPPER.readTree(bytes);
        }
    }

    /**
     * Elasticsearch did not answer in time (or no connection to it came free). Elasticsearch may
     * still carry the request out: a write that failed this way may have been made.
     */
    public static final class EsTimeoutException extends IOException {
        /** @param timeoutMillis the call's own timeout; 0: the connection's */
        EsTimeoutException(String request, int timeoutMillis, Throwable cause) {
            super(request + ": Elasticsearch did not answer " + (timeoutMillis > 0 ? "within " + timeoutMillis + " ms" : "in time")
                    + " (" + cause + ")", cause);
        }
    }

    /** Elasticsearch answered with an error status. */
    public static final class EsException extends IOException {
        private final int status;

        public EsException(int status, String request, String body) {
            super(request + " -> " + status + ": " + (body.length() > 500 ? body.substring(0, 500) + "…" : body));
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
