package org.platewarden.search.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON responses and the one error body shape: {@code {"error":"…","status":n[,"error_id":"…"]}}. */
final class Responses {
    private Responses() {
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        if (ctx.response().ended()) return;
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8").end(body.encode());
    }

    static void error(RoutingContext ctx, int status, String message, String errorId) {
        JsonObject body = new JsonObject().put("error", message).put("status", status);
        if (errorId != null) body.put("error_id", errorId);
        json(ctx, status, body);
    }
}
