package org.platewarden.search.query;

import io.vertx.core.json.JsonObject;

/**
 * What {@code POST /v1/search} answers: the HTTP status and the JSON body. {@code auditId} is the
 * id of the audit record written for the request (null only when writing it failed, status 503); for
 * a refusal past its caller's budget, counted instead of recorded, the id of the {@code refused_summary}
 * record that counts it, written when the window closes (its body then also says
 * {@code "audit":"counted"}).
 * {@code retryAfterSeconds} is positive for 429, and for a 503 because the node was too busy (send it
 * as {@code Retry-After}).
 */
public record SearchOutcome(int status, String auditId, JsonObject body, int retryAfterSeconds) {
}
