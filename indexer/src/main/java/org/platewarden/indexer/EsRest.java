package org.platewarden.indexer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.apache.http.HttpEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NByteArrayEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RequestOptions;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/**
 * Raw JSON calls through the low-level REST client, for the ops, retention and holds code whose
 * requests are simplest as JSON (and some of whose endpoints, such as _cat, have no typed client).
 * Blocking: callers run it on a worker pool they own.
 */
public final class EsRest {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private final RestClient rest;

    public EsRest(RestClient rest) {
        this.rest = rest;
    }

    public RestClient client() {
        return rest;
    }

    /** Performs the call; a 404 answers {@link MissingNode}, any other error status throws {@link EsCallException}. */
    public JsonNode call(String method, String path, Object body) {
        return call(method, path, body, null);
    }

    /**
     * As {@link #call(String, String, Object)}, waiting up to {@code socketTimeout} for the answer
     * instead of the connection's default (for calls that legitimately take minutes, such as a
     * force merge); null keeps the default.
     */
    public JsonNode call(String method, String path, Object body, Duration socketTimeout) {
        Request request = new Request(method, path);
        if (socketTimeout != null) {
            request.setOptions(org.platewarden.elasticsearch.ElasticsearchConnection.withTimeout(RequestOptions.DEFAULT,
                    Math.toIntExact(socketTimeout.toMillis())));
        }
        if (body != null) {
            try {
                byte[] bytes = body instanceof byte[] b ? b : body instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                        : MAPPER.writeValueAsBytes(body);
                String type = path.contains("_bulk") ? "application/x-ndjson" : "application/json";
                request.setEntity(new NByteArrayEntity(bytes, ContentType.create(type)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            Response response = rest.performRequest(request);
            return parse(response.getEntity());
        } catch (ResponseException e) {
            int status = e.getResponse().getStatusLine().getStatusCode();
            if (status == 404) return MissingNode.getInstance();
            JsonNode error;
            try {
                error = parse(e.getResponse().getEntity());
            } catch (RuntimeException unreadable) {
                error = MissingNode.getInstance();
            }
            throw new EsCallException(method + " " + path, status, error);
        } catch (IOException e) {
            throw new UncheckedIOException("Elasticsearch unreachable for " + method + " " + path + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode parse(HttpEntity entity) {
        if (entity == null) return MissingNode.getInstance();
        try (InputStream in = entity.getContent()) {
            JsonNode node = MAPPER.readTree(in);
            return node == null ? MissingNode.getInstance() : node;
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable Elasticsearch response", e);
        }
    }

    /** Elasticsearch answered an error status other than 404. */
    public static final class EsCallException extends RuntimeException {
        private final int status;
        private final JsonNode error;

        public EsCallException(String call, int status, JsonNode error) {
            super(call + " -> " + status + ": " + error.path("error").path("type").asText("") + " "
                    + error.path("error").path("reason").asText(error.toString()));
            this.status = status;
            this.error = error;
        }

        public int status() {
            return status;
        }

        public JsonNode error() {
            return error;
        }
    }
}
