package org.platewarden.core.net;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What keeps unauthenticated clients from holding an HTTP port's connections (and the process's open
 * files) — Vert.x 5.1 has an idle timeout but no deadline for a request's headers:
 * <ul>
 * <li>an idle timeout ({@link #options}): a connection on which nothing is read or written for that
 * long is closed;</li>
 * <li>a header deadline: a connection must deliver a request's headers complete within
 * {@code headerTimeout} of opening, and of its previous response ending (keep-alive), or it is
 * closed — a slowloris client sending a byte every few seconds resets the idle timeout forever, not
 * this. The end of a response is noticed by polling the request in flight every quarter deadline (a
 * response's end handler belongs to Vert.x Web), so the next request gets between 1 and 1.25
 * deadlines;</li>
 * <li>a cap on one client address's open connections to the port: beyond it a new connection is
 * closed at once, before anything is read;</li>
 * <li>no reading of a body nobody wants: a request answered before its body was read in full ends
 * its connection ({@code Connection: close}) once the answer is written, rather than have Vert.x
 * read and drop the rest to keep the connection alive ({@link UnreadBodies}). The header deadline of
 * the next request is not needed there, and is not counted when such a connection closes.</li>
 * </ul>
 * What one read of a connection takes in, and the answers its client leaves unread, are bounded for
 * every server of the node by its Vertx's transport ({@link PlatewardenVertx}), not here.
 * One guard serves every server instance sharing a port (the per-address counts are for the port);
 * each connection's timers run on its own event loop. Meters (Prometheus form):
 * {@code platewarden_http_connections_refused_total{server}} (per-address cap),
 * {@code platewarden_http_header_timeouts_total{server}} and
 * {@code platewarden_http_unread_body_closes_total{server}} ({@link UnreadBodies}).
 */
public final class HttpConnectionGuard {
    private final Vertx vertx;
    private final ConnectionsPerAddress perAddress;
    private final long headerTimeoutMs;
    private final long pollMs;
    private final Counter refused;
    private final Counter headerTimeouts;
    private final Map<HttpConnection, Tracked> tracked = new ConcurrentHashMap<>();
    private final UnreadBodies unreadBodies;

    /**
     * @param server        the meters' {@code server} tag ({@code gateway}, {@code search})
     * @param maxPerAddress open connections one client address may have; 0 = no cap
     * @param headerTimeoutSeconds how long a connection may take to deliver a request's headers
     */
    public HttpConnectionGuard(Vertx vertx, String server, int maxPerAddress, int headerTimeoutSeconds, MeterRegistry registry) {
        this.vertx = vertx;
        this.perAddress = new ConnectionsPerAddress(maxPerAddress);
        this.headerTimeoutMs = TimeUnit.SECONDS.toMillis(headerTimeoutSeconds);
        this.pollMs = Math.max(50, headerTimeoutMs / 4);
        this.refused = Counter.builder("platewarden.http.connections.refused").tag("server", server)
                .description("connections closed at once: their client address had max_connections_per_address open already")
                .register(registry);
        this.headerTimeouts = Counter.builder("platewarden.http.header.timeouts").tag("server", server)
                .description("connections closed because a request's headers were not complete within the header deadline")
                .register(registry);
        this.unreadBodies = new UnreadBodies(server, registry);
    }

    /**
     * The options with the idle timeout set (seconds; reads and writes alike) and HTTP/1.1 only.
     * Cleartext HTTP/2 (h2c) is off: while Vert.x waits for enough bytes to tell h2c's preface from
     * an HTTP/1 request, the connection is not handed to the connection handler, so a client that
     * sends nothing, or a byte at a time, would escape the cap and the deadline (HTTPS offers no
     * HTTP/2 either: ALPN is off).
     */
    public static HttpServerOptions options(HttpServerOptions options, int idleTimeoutSeconds) {
        return options.setIdleTimeout(idleTimeoutSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS).setHttp2ClearTextEnabled(false);
    }

    /**
     * Installs the guard on {@code server}, in front of {@code requests}, and {@link UnreadBodies}'
     * hooks ahead of the router's routes; returns the server. {@code invalidRequests} answers what
     * Vert.x cannot decode ({@code HttpServer.invalidRequestHandler}) and, here, a request whose body's
     * length cannot be told ({@link InvalidRequests#bodyLengthUnknown}): it never reaches a route, and
     * nothing more is taken from its connection — a request already read behind it is not served.
     */
    public HttpServer install(HttpServer server, Router requests, Handler<HttpServerRequest> invalidRequests) {
        unreadBodies.install(requests);
        return server.invalidRequestHandler(invalidRequests).connectionHandler(this::connected).requestHandler(req -> {
            Tracked t = tracked.get(req.connection());
            if (t != null && t.unframed) {
                // bytes after a request whose body could not be framed: not a request the client meant
                req.connection().close();
                return;
            }
            if (InvalidRequests.bodyLengthUnknown(req)) {
                if (t != null) t.unframed = true;
                invalidRequests.handle(req);
                return;
            }
            headersArrived(req);
            requests.handle(req);
        });
    }

    private void connected(HttpConnection connection) {
        String address = ConnectionsPerAddress.address(connection.remoteAddress());
        if (!perAddress.reserve(address)) {
            refused.increment();
            connection.close();
            return;
        }
        Tracked t = new Tracked(connection);
        tracked.put(connection, t);
        connection.closeHandler(v -> {
            if (tracked.remove(connection) == null) return;
            cancel(t);
            perAddress.release(address);
        });
        awaitHeaders(t);
    }

    private void headersArrived(HttpServerRequest req) {
        Tracked t = tracked.get(req.connection());
        if (t == null) return;
        cancel(t);
        t.current = req;
        pollResponse(t);
    }

    /** While a response is under way the deadline waits; once it has ended, the next request's headers have one deadline. */
    private void pollResponse(Tracked t) {
        t.timer = vertx.setTimer(pollMs, id -> {
            if (t.current.response().ended()) awaitHeaders(t);
            else pollResponse(t);
        });
    }

    private void awaitHeaders(Tracked t) {
        t.timer = vertx.setTimer(headerTimeoutMs, id -> {
            t.timer = -1;
            headerTimeouts.increment();
            t.connection.close();
        });
    }

    private void cancel(Tracked t) {
        if (t.timer >= 0) vertx.cancelTimer(t.timer);
        t.timer = -1;
    }

    /** One open connection's deadline (touched only on its event loop). */
    private static final class Tracked {
        final HttpConnection connection;
        long timer = -1;
        HttpServerRequest current;
        /** a request on it could not be framed: whatever follows on the connection is not served */
        boolean unframed;

        Tracked(HttpConnection connection) {
            this.connection = connection;
        }
    }
}
