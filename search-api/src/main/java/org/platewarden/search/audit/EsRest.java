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
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;

/**
 * Raw-JSON calls to Elasticsearch from Vert.x code: the low-level client's async call, with the
 * result parsed on the HTTP I/O thread and handed back on the caller's Vert.x context. Raw JSON
 * (not the typed client) because the audit record must be stored byte-for-byte as hashed.
 */
public final class EsRest {
    private final Vertx vertx;
    private final RestClient rest;

    public EsRest(Vertx vertx, RestClient rest) {
        this.vertx = vertx;
        this.rest = rest;
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
