package org.platewarden.indexer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * Blocking: callers run it on a worker pool they own. Each call waits for Elasticsearch as long as
 * this instance's timeout allows (the connection's default minute without one), or as long as the
 * call itself says; one that waited that long fails with {@link EsTimeoutException}.
 */
public final class EsRest {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private final RestClient rest;
    /** null: the connection's default ({@link org.platewarden.elasticsearch.ElasticsearchConnection#SOCKET_TIMEOUT_MILLIS}) */
    private final Duration timeout;

    public EsRest(RestClient rest) {
        this(rest, null);
    }

    /**
     * @param timeout how long each call waits for a connection and for Elasticsearch's answer unless
     *                it sets its own ({@link #call(String, String, Object, Duration)}); null: the connection's default
     */
    public EsRest(RestClient rest, Duration timeout) {
        if (timeout != null && timeout.toMillis() < 1) throw new IllegalArgumentException("timeout must be positive, not " + timeout);
        this.rest = rest;
        this.timeout = timeout;
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
     * instead of this instance's timeout (for calls that legitimately take minutes, such as a
     * force merge); null keeps this instance's.
     */
    public JsonNode call(String method, String path, Object body, Duration socketTimeout) {
        Request request = new Request(method, path);
        if (socketTimeout == null) socketTimeout = timeout;
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
            if (org.platewarden.elasticsearch.ElasticsearchConnection.timedOut(e)) throw new EsTimeoutException(method + " " + path, socketTimeout, e);
            throw new UncheckedIOException("Elasticsearch unreachable for " + method + " " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * As {@link #call(String, String, Object)}, for a search or count over several indices whose answer
     * must be whole: one that some shards failed to give (a daily index whose shard is unavailable while
     * Elasticsearch restarts or recovers, a node gone) is a 200 with what the other shards found, and
     * taking it would count or copy part of the matches as if they were all. So it throws the
     * {@link EsCallException} with status 503 that Elasticsearch answers when no shard can serve the
     * request: a failure to retry, named with the first failed shard's index and reason.
     */
    public JsonNode callAllShards(String method, String path, Object body) {
        JsonNode answer = call(method, path, body);
        JsonNode shards = answer.path("_shards");
        int failed = shards.path("failed").asInt(0);
        if (failed == 0) return answer;
        JsonNode first = shards.path("failures").path(0);
        String reason = failed + " of " + shards.path("total").asInt() + " shard(s) failed, so the answer is incomplete (first: "
                + first.path("index").asText("?") + ": " + first.path("reason").path("type").asText("?") + " "
                + first.path("reason").path("reason").asText("") + ")";
        ObjectNode error = MAPPER.createObjectNode();
        error.putObject("error").put("type", "shard_failures").put("reason", reason);
        throw new EsCallException(method + " " + path, 503, error);
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

    /**
     * Elasticsearch did not answer in time (or no connection to it came free). Elasticsearch may
     * still carry the request out: a change that failed this way may have been made.
     */
    public static final class EsTimeoutException extends UncheckedIOException {
        /** @param timeout the call's timeout; null: the connection's */
        EsTimeoutException(String call, Duration timeout, IOException cause) {
            super(call + ": Elasticsearch did not answer " + (timeout == null ? "in time" : "within " + timeout.toMillis() + " ms")
                    + " (" + cause + ")", cause);
        }
    }

    /**
     * Elasticsearch answered an error status other than 404, or an answer some shards failed to give
     * where the whole was needed ({@link #callAllShards}: status 503).
     */
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
