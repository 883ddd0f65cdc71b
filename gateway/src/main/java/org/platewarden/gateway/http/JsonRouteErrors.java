package org.platewarden.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The router's own refusals (no such path: 404; path known, method not: 405) as JSON in the
 * gateway's error shape. Vert.x answers them with an HTML page and an empty body; a camera's client
 * that logs the body of any error then logs nothing useful.
 *
 * <p>Vert.x sets {@code Allow} on a 405 only when it writes the answer itself, so with our handler
 * the allowed methods come from the router's routes (exact paths only, which is all this port has).
 */
final class JsonRouteErrors {
    private JsonRouteErrors() {
    }

    /** Call after every route is added. */
    static void install(Router router) {
        Map<String, String> allowByPath = allowByPath(router);
        router.errorHandler(404, ctx -> JsonReply.send(ctx, 404, JsonReply.error("not_found",
                "no endpoint " + ctx.request().method().name() + " " + ctx.request().path())));
        router.errorHandler(405, ctx -> {
            String allow = allowByPath.get(ctx.normalizedPath());
            if (allow != null) ctx.response().putHeader(HttpHeaders.ALLOW, allow);
            JsonReply.send(ctx, 405, JsonReply.error("method_not_allowed", ctx.request().method().name() + " is not allowed on "
                    + ctx.request().path() + (allow == null ? "" : "; allowed: " + allow)));
        });
    }

    private static Map<String, String> allowByPath(Router router) {
        Map<String, Set<String>> methods = new HashMap<>();
        for (Route route : router.getRoutes()) {
            if (route.getPath() == null || route.methods() == null) continue;
            Set<String> names = methods.computeIfAbsent(route.getPath(), p -> new TreeSet<>());
            for (HttpMethod m : route.methods()) names.add(m.name());
        }
        Map<String, String> allow = new HashMap<>();
        methods.forEach((path, names) -> allow.put(path, String.join(", ", names)));
        return allow;
    }
}
