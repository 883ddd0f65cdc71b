package org.platewarden.search.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.function.Supplier;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.tls.LiveTls;

/**
 * The search API's port ({@code search.port}, 8081) while the search role cannot start yet: it
 * needs Elasticsearch (templates, the audit trail's recovery), which the node waits for. It answers
 * {@code /health/live} (200), {@code /health/ready} (503, {@code {"status":"not_ready","reason":…}})
 * and {@code /metrics} as the search API does, GET or HEAD, and every other request 503 with
 * {@code Retry-After}: unaudited, like a request to a port not yet open — no route runs, nothing is
 * read or changed, and no record could be written (the trail needs Elasticsearch). The reason says
 * what the node waits for, never where Elasticsearch is (readiness is public; the log has the rest).
 *
 * <p>The search API listens on the same host and port, as configured by the same
 * {@link SearchApiVerticle#listen}, before this is undeployed: Vert.x shares the port between the
 * two servers, so it never closes in between.
 */
public final class SearchApiStandIn extends VerticleBase {
    /** Seconds a client is told to wait before it asks again. */
    static final String RETRY_AFTER_SECONDS = "5";

    private final PlatewardenConfig config;
    private final PrometheusMeterRegistry metrics;
    private final Supplier<String> reason;
    private final LiveTls tls;
    private HttpServer server;

    /**
     * @param tls    the node's TLS certificates: the search API that shares the port serves the same
     * @param reason why the search API does not serve yet, for the operator (no URLs, no secrets)
     */
    public SearchApiStandIn(PlatewardenConfig config, LiveTls tls, PrometheusMeterRegistry metrics, Supplier<String> reason) {
        this.config = config;
        this.tls = tls;
        this.metrics = metrics;
        this.reason = reason;
    }

    /** The port bound (useful with {@code search.port = 0}). */
    public int actualPort() {
        return server.actualPort();
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.route("/health/live").method(HttpMethod.GET).method(HttpMethod.HEAD)
                .handler(ctx -> Responses.json(ctx, 200, new JsonObject().put("status", "up")));
        router.route("/health/ready").method(HttpMethod.GET).method(HttpMethod.HEAD)
                .handler(ctx -> Responses.json(ctx, 503, new JsonObject().put("status", "not_ready").put("reason", reason.get())));
        router.route("/metrics").method(HttpMethod.GET).method(HttpMethod.HEAD)
                .handler(ctx -> Responses.text(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        router.route().handler(ctx -> {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
            Responses.error(ctx, 503, "the search API is not serving yet: " + reason.get(), null, null);
        });
        return SearchApiVerticle.listen(vertx, config, tls, metrics, router).onSuccess(s -> server = s);
    }

    @Override
    public Future<?> stop() {
        // connections kept open (a load balancer's probes) are closed: their next request reaches the search API
        return server == null ? Future.succeededFuture() : server.close();
    }
}
