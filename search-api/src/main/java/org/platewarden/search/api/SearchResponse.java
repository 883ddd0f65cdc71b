package org.platewarden.search.api;

import io.vertx.core.json.JsonObject;

/**
 * An HTTP status and JSON body produced by the search service. For 429/503 the server sends
 * {@code Retry-After}: {@code retryAfterSeconds} when positive, else {@code body.retry_after_seconds},
 * else 60 s for 429 and 1 s for 503.
 */
public record SearchResponse(int status, JsonObject body, int retryAfterSeconds) {
    public SearchResponse(int status, JsonObject body) {
        this(status, body, 0);
    }
}
