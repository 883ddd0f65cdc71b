package org.platewarden.gateway.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Every answer of the gateway's HTTP port is JSON (but the metrics); this writes one. */
final class JsonReply {
    static final String JSON = "application/json";

    private JsonReply() {
    }

    static void send(RoutingContext ctx, int status, JsonObject body) {
        send(ctx, status, JSON, body.encode());
    }

    /**
     * Content-Length is set here, not left to Vert.x, which leaves it out of an answer to HEAD: a
     * HEAD gets the GET's headers, and Vert.x sends it without the body.
     */
    static void send(RoutingContext ctx, int status, String contentType, String text) {
        Buffer bytes = Buffer.buffer(text);
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType)
                .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(bytes.length())).end(bytes);
    }

    /** The gateway's error shape, as {@link HttpErrorMapping#body()} writes it. */
    static JsonObject error(String error, String message) {
        return new JsonObject().put("error", error).put("message", message);
    }
}
