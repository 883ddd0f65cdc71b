package org.platewarden.search.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses the query string of a route that takes no query parameters — every audited route but
 * {@code GET /v1/audit}, whose handler checks its own: a 400 naming the parameters and where the
 * route's options go, which the failure handler audits as {@code invalid} like every 400 (the
 * record's {@code query.query_string} keeps what was sent), before the route does anything. Ignored,
 * a query string would do harm: {@code POST /v1/ops/retention/run?dry_run=true} would run for real,
 * {@code DELETE /v1/holds/{id}?dry_run=true} release the hold, and
 * {@code POST /v1/search?camera_ids=cam-001} search every camera. A bare {@code ?} is no parameter.
 */
final class NoQueryString implements Handler<RoutingContext> {
    /** at most this many names are listed in the refusal, each cut to {@link #MAX_NAME_CHARS} */
    static final int MAX_NAMES = 10;
    static final int MAX_NAME_CHARS = 64;

    private final String route;
    private final String options;

    /**
     * @param route   the route as the refusal names it, e.g. {@code POST /v1/ops/retention/run}
     * @param options where the route's options go, e.g. {@code "its fields go in the JSON body"}
     */
    NoQueryString(String route, String options) {
        this.route = route;
        this.options = options;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String query = ctx.request().query();
        if (query == null || query.isEmpty()) ctx.next();
        else ctx.fail(new IllegalArgumentException(refusal(route, options, query)));
    }

    static String refusal(String route, String options, String query) {
        List<String> names = names(query);
        String what = names.isEmpty() ? "query string" : (names.size() == 1 ? "query parameter " : "query parameters ") + String.join(", ", names);
        return "unknown " + what + ": " + route + " takes no query parameters; " + options;
    }

    /** The parameters' names, decoded, sorted, each once, at most {@link #MAX_NAMES} (then how many more). */
    static List<String> names(String query) {
        Set<String> names = new TreeSet<>();
        for (String pair : query.split("[&;]")) {
            String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
            if (name.isEmpty()) continue;
            try {
                name = URLDecoder.decode(name, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException malformed) {
                // named as sent
            }
            name = name.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            names.add(name.length() > MAX_NAME_CHARS ? name.substring(0, MAX_NAME_CHARS) + "…" : name);
        }
        List<String> listed = new ArrayList<>(names.stream().limit(MAX_NAMES).toList());
        if (names.size() > MAX_NAMES) listed.add("and " + (names.size() - MAX_NAMES) + " more");
        return listed;
    }
}
