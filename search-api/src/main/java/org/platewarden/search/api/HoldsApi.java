package org.platewarden.search.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.platewarden.search.auth.Principal;

/**
 * The holds endpoints' view of the indexer's hold service. The server has already authenticated a
 * supervisor, checked that a create request names an allowed purpose and a case number, and
 * written the audit record. Implementations must not block the event loop (run a blocking hold
 * service on a bounded worker pool). Failures: {@link IllegalArgumentException} → 400,
 * {@link java.util.NoSuchElementException} → 404, anything else → 500.
 */
public interface HoldsApi {
    /** Creates a hold for the principal's agency from the request body; returns the stored hold (answered with 201). */
    Future<JsonObject> create(Principal principal, JsonObject request);

    /** The holds of the principal's agency. */
    Future<JsonArray> list(Principal principal);

    /** Releases a hold of the principal's agency; returns the released hold. */
    Future<JsonObject> release(Principal principal, String holdId);
}
