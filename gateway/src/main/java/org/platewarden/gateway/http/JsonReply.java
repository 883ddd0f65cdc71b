package org.platewarden.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Every answer of the gateway's HTTP port is JSON; this writes one. */
final class JsonReply {
    private JsonReply() {
    }

    static void send(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
    }

    /** The gateway's error shape, as {@link HttpErrorMapping#body()} writes it. */
    static JsonObject error(String error, String message) {
        return new JsonObject().put("error", error).put("message", message);
    }
}
