package org.platewarden.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import org.platewarden.core.net.AllowedMethods;

/**
 * The router's own refusals (no such path: 404; path known, method not: 405; a path it cannot decode:
 * 400) as JSON in the
 * gateway's error shape. Vert.x answers them with an HTML page and an empty body; a camera's client
 * that logs the body of any error then logs nothing useful.
 *
 * <p>Vert.x sets {@code Allow} on a 405 only when it writes the answer itself, so with our handler
 * the allowed methods come from the router's routes ({@link AllowedMethods}).
 */
final class JsonRouteErrors {
    /** What the router's own 400 means: it answers one only for a request path it cannot decode. */
    static final String INVALID_PATH = "the request's path cannot be decoded (a % must be followed by two hex digits)";

    private JsonRouteErrors() {
    }

    /** Call after every route is added. */
    static void install(Router router) {
        AllowedMethods allowedMethods = allowedMethods(router);
        router.errorHandler(404, ctx -> JsonReply.send(ctx, 404, JsonReply.error("not_found",
                "no endpoint " + ctx.request().method().name() + " " + ctx.request().path())));
        // the router's 400 before any route: a path it cannot decode (a % not followed by two hex digits)
        router.errorHandler(400, ctx -> JsonReply.send(ctx, 400, JsonReply.error("bad_request", INVALID_PATH)));
        router.errorHandler(405, ctx -> {
            String allow = allowedMethods.allowFor(ctx.normalizedPath());
            if (allow != null) ctx.response().putHeader(HttpHeaders.ALLOW, allow);
            JsonReply.send(ctx, 405, JsonReply.error("method_not_allowed", ctx.request().method().name() + " is not allowed on "
                    + ctx.request().path() + (allow == null ? "" : "; allowed: " + allow)));
        });
    }

    private static AllowedMethods allowedMethods(Router router) {
        AllowedMethods allowed = new AllowedMethods();
        for (Route route : router.getRoutes()) {
            if (route.getPath() == null || route.methods() == null) continue;
            allowed.add(route.getPath(), route.methods().stream().map(HttpMethod::name).toList());
        }
        return allowed;
    }
}
