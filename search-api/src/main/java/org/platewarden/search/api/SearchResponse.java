package org.platewarden.search.api;

import io.vertx.core.json.JsonObject;

/**
 * An HTTP status and JSON body produced by the search service. For 429/503 the server adds
 * {@code Retry-After} from {@code body.retry_after_seconds} (default 1 s for 503, 60 s for 429).
 */
public record SearchResponse(int status, JsonObject body) {
}
