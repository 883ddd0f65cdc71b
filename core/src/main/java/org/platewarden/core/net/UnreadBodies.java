package org.platewarden.core.net;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * An answer given before the request's body was read in full — a refusal (401, 413, 415, a 400 on the
 * headers, 404, 405, 429, 503) or any other — ends the connection instead of leaving it open for the
 * next request. Vert.x keeps an HTTP/1.1 connection alive after such an answer, and to do so reads the
 * rest of the body and throws it away: a client that sent {@code Content-Length: 100000000000}, or an
 * endless chunked body, without credentials had gigabytes read until the header deadline closed the
 * connection 12.5 s later. Instead:
 * <ul>
 * <li>when the request fails (the failure handlers run), the body is no longer read: the request is
 * paused while the refusal is worked out (a dead letter, an audit record), so the connection reads
 * only what the socket buffers hold;</li>
 * <li>an HTTP/1.x answer written while the request's body is not whole carries
 * {@code Connection: close}, and once it is written the connection is closed — after a linger of at
 * most {@link #LINGER_MILLIS} ms and {@link #LINGER_BYTES} bytes of body read and dropped, or at once
 * if the body ends in that time, so that the answer reaches a client still sending before the close
 * (closing a socket with unread data in it resets the connection, and a reset can destroy an answer
 * the client has not read yet: RFC 9112 9.6);</li>
 * <li>an HTTP/2 stream (no port offers HTTP/2 today: {@link HttpConnectionGuard#options}) is reset
 * with {@code NO_ERROR} after its answer (RFC 9113 8.1), the connection's other streams untouched.</li>
 * </ul>
 * A request whose body was read in full (or that has none) keeps its keep-alive connection. A request
 * has a body when it has a {@code Transfer-Encoding} or a {@code Content-Length} other than 0; one that
 * is answered before its body's last byte was read counts as unread, however little was left. The
 * client then opens a new connection for its next request: the documented price of sending a body that
 * is refused. Counted as {@code platewarden_http_unread_body_closes_total{server}}.
 */
public final class UnreadBodies {
    /** How long a connection closed after an early answer lingers, reading and dropping what the client still sends. */
    static final long LINGER_MILLIS = 500;
    /** How much of the body is read and dropped while it lingers, at most (beyond it: closed at once). */
    static final long LINGER_BYTES = 256 * 1024;

    private final Counter closes;

    /** @param server the meter's {@code server} tag ({@code gateway}, {@code search}) */
    public UnreadBodies(String server, MeterRegistry registry) {
        this.closes = Counter.builder("platewarden.http.unread.body.closes").tag("server", server)
                .description("connections (HTTP/2: streams) ended after an answer given before the request's body was read in full")
                .register(registry);
    }

    /** Installs the hooks on {@code router}, ahead of every route and failure handler it has or will have. */
    public void install(Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::watch).failureHandler(UnreadBodies::stopReading);
    }

    private void watch(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.version() == HttpVersion.HTTP_2) {
            // a stream's end may come in the frame of its headers and be seen only after a quick
            // answer: asked once the event loop has handled that frame, which also lets the answer's
            // frames go out ahead of the reset
            if (hasBody(request)) ctx.addBodyEndHandler(v -> ctx.vertx().runOnContext(x -> {
                if (!request.isEnded()) resetStream(ctx);
            }));
        } else if (hasBody(request)) {
            boolean[] unread = {false};
            // the answer's headers are written with its body in one go (every answer here is whole)
            ctx.addHeadersEndHandler(v -> {
                unread[0] = !request.isEnded();
                if (unread[0]) ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            });
            // once end() has returned (its write is queued), not from inside it
            ctx.addBodyEndHandler(v -> {
                if (unread[0]) ctx.vertx().runOnContext(x -> closeConnection(ctx));
            });
        }
        ctx.next();
    }

    /** A failed request is answered without its body: what is left of it is not read while the answer is worked out. */
    private static void stopReading(RoutingContext ctx) {
        if (hasBody(ctx.request()) && !ctx.request().isEnded()) ctx.request().pause();
        ctx.next();
    }

    static boolean hasBody(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (request.version() == HttpVersion.HTTP_2) return !"0".equals(length); // a DATA frame may come without one
        return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || (length != null && !"0".equals(length.trim()));
    }

    /** NO_ERROR: "stop sending, the answer is complete" (RFC 9113 8.1); the connection's other streams go on. */
    private void resetStream(RoutingContext ctx) {
        closes.increment();
        ctx.response().reset(0);
    }

    /**
     * Called once the answer has ended (it is queued on the connection): lingers, then closes — a
     * close flushes what was written before it, the answer included.
     */
    private void closeConnection(RoutingContext ctx) {
        closes.increment();
        HttpServerRequest request = ctx.request();
        if (request.isEnded()) {
            // the body's last bytes were handled after the answer was written (a small body sent with
            // its headers): nothing is left to linger for, and a request that has ended takes no
            // handler (Vert.x throws "Request has already been read"); the answer said Connection: close
            request.connection().close();
            return;
        }
        Linger linger = new Linger(ctx.vertx(), request);
        linger.timer = ctx.vertx().setTimer(LINGER_MILLIS, id -> linger.close());
        request.handler(chunk -> {
            linger.read += chunk.length();
            if (linger.read > LINGER_BYTES) linger.close();
        });
        request.endHandler(v -> linger.close());
        request.exceptionHandler(e -> linger.close());
        request.resume();
    }

    /** One closing connection (touched on its event loop only). */
    private static final class Linger {
        final io.vertx.core.Vertx vertx;
        final HttpServerRequest request;
        long timer = -1;
        long read;
        boolean closed;

        Linger(io.vertx.core.Vertx vertx, HttpServerRequest request) {
            this.vertx = vertx;
            this.request = request;
        }

        void close() {
            if (closed) return;
            closed = true;
            if (timer >= 0) vertx.cancelTimer(timer);
            request.pause();
            request.connection().close();
        }
    }
}
