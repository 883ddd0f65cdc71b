package org.platewarden.search.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * JSON responses and the one error body shape: {@code {"error":"…","status":n[,"error_id":"…"][,"audit_id":"…"[,"audit":"counted"]]}}
 * (an error body written elsewhere — a search's, by the search service — gains its {@code status} in {@link #json}).
 */
final class Responses {
    private Responses() {
    }

    /** The header naming the audit record of an audited answer, whatever its format (JSON, CSV). */
    static final String AUDIT_ID_HEADER = "X-Audit-Id";

    /**
     * An audited answer names its record: the body's own {@code audit_id} (a search's, an error's),
     * else, for a success, the record the route wrote for it ({@link RequestAudit#ANSWER_AUDIT_ID}),
     * which is added to the body too.
     */
    static void json(RoutingContext ctx, int status, JsonObject body) {
        if (ctx.response().ended()) return;
        String auditId = body.getValue("audit_id") instanceof String own ? own : status < 400 ? ctx.get(RequestAudit.ANSWER_AUDIT_ID) : null;
        JsonObject sent = body;
        // shallow copies: the caller's object is left as it was, and a deep copy of an audit page
        // recursed through a record's nested query until the event loop's stack overflowed
        if (auditId != null && !body.containsKey("audit_id")) sent = shallowCopy(body).put("audit_id", auditId);
        // every error body has the one shape, whoever wrote it (the search service writes its own)
        if (status >= 400 && sent.containsKey("error") && !sent.containsKey("status")) sent = (sent == body ? shallowCopy(body) : sent).put("status", status);
        auditHeader(ctx, auditId);
        text(ctx, status, "application/json; charset=utf-8", sent.encode());
    }

    /** A 200 with {@code body} ({@link #json}): a method reference for {@link org.platewarden.core.net.Answers#answer}. */
    static void json200(RoutingContext ctx, JsonObject body) {
        json(ctx, 200, body);
    }

    private static JsonObject shallowCopy(JsonObject body) {
        return new JsonObject(new java.util.LinkedHashMap<>(body.getMap()));
    }

    /**
     * Ends the answer with {@code text}. Content-Length is set here, not left to Vert.x, which leaves
     * it out of an answer to HEAD: a HEAD gets the GET's headers, and Vert.x sends it without the body.
     */
    static void text(RoutingContext ctx, int status, String contentType, String text) {
        Buffer bytes = Buffer.buffer(text);
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType)
                .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(bytes.length())).end(bytes);
    }

    /** Sets {@link #AUDIT_ID_HEADER} to {@code auditId} (when there is one); for answers that are not JSON objects, with the route's record. */
    static void auditHeader(RoutingContext ctx, String auditId) {
        if (auditId != null) ctx.response().putHeader(AUDIT_ID_HEADER, auditId);
    }

    /** {@code auditId}: the audit record written for this very answer, if one was (unaudited routes have none). */
    static void error(RoutingContext ctx, int status, String message, String errorId, String auditId) {
        error(ctx, status, message, errorId, auditId, false);
    }

    /**
     * {@code counted}: the answer has no record of its own but was counted into a summary record — its
     * client address's {@code anonymous_summary}, or its caller's {@code refused_summary} — which
     * {@code auditId} names and which is written when its window closes ({@code "audit":"counted"}
     * beside the {@code audit_id}, so a client can tell the record is not written yet).
     */
    static void error(RoutingContext ctx, int status, String message, String errorId, String auditId, boolean counted) {
        JsonObject body = new JsonObject().put("error", message).put("status", status);
        if (errorId != null) body.put("error_id", errorId);
        if (auditId != null) body.put("audit_id", auditId);
        if (counted) body.put("audit", "counted");
        json(ctx, status, body);
    }
}
