package org.platewarden.search.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * JSON responses and the one error body shape: {@code {"error":"…","status":n[,"error_id":"…"][,"audit_id":"…"|,"audit":"counted"]}}.
 */
final class Responses {
    private Responses() {
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        if (ctx.response().ended()) return;
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8").end(body.encode());
    }

    /** {@code auditId}: the audit record written for this very answer, if one was (unaudited routes have none). */
    static void error(RoutingContext ctx, int status, String message, String errorId, String auditId) {
        error(ctx, status, message, errorId, auditId, false);
    }

    /**
     * {@code counted}: the answer has no record of its own but was counted into its client address's
     * {@code anonymous_summary} record ({@code "audit":"counted"} in place of {@code audit_id}).
     */
    static void error(RoutingContext ctx, int status, String message, String errorId, String auditId, boolean counted) {
        JsonObject body = new JsonObject().put("error", message).put("status", status);
        if (errorId != null) body.put("error_id", errorId);
        if (auditId != null) body.put("audit_id", auditId);
        else if (counted) body.put("audit", "counted");
        json(ctx, status, body);
    }
}
