package org.platewarden.search.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.platewarden.search.audit.ClientAddress;
import org.platewarden.search.auth.Principal;

/**
 * What {@code POST /v1/search} calls once the caller is authenticated, has the investigator or
 * supervisor role and sent a JSON object. The implementation (the search service) validates,
 * authorises the purpose, searches, and writes the audit record of every outcome itself; the
 * server only maps the result to HTTP. Must not block the event loop.
 * Wiring: {@code (p, body, addr) -> searchService.search(p, body, addr).map(o -> new SearchResponse(o.status(), o.body(), o.retryAfterSeconds()))}.
 */
@FunctionalInterface
public interface SearchHandler {
    Future<SearchResponse> search(Principal principal, JsonObject body, ClientAddress client);
}
