package org.platewarden.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.StreamResetException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.platewarden.testkit.RawHttp;

/**
 * The hooks on their own, on a small server: HTTP/1.1 (the connection ends after an early answer,
 * keeps alive otherwise) and HTTP/2, which no Platewarden port offers today but which a port with
 * ALPN would negotiate — there the request's stream is reset after its answer, and the connection
 * with its other streams stays.
 */
class UnreadBodiesTest {
    Vertx vertx;
    HttpServer server;
    SimpleMeterRegistry registry;
    /** body bytes the refusing route saw arrive after its answer (HTTP/2: what the reset spared) */
    final AtomicLong readAfterAnswer = new AtomicLong();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        registry = new SimpleMeterRegistry();
        Router router = Router.router(vertx);
        router.get("/ok").handler(ctx -> ctx.response().end("ok"));
        // refuses at once, without reading the body (as a 401 before the body does)
        router.post("/refuse").handler(ctx -> ctx.response().setStatusCode(401).end("no"));
        // reads the body, then answers (as a good batch does)
        router.post("/read").handler(BodyHandler.create().setBodyLimit(1024)).handler(ctx -> ctx.response().end("read " + ctx.body().length()));
        new UnreadBodies("test", registry).install(router);
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setHttp2ClearTextEnabled(true))
                .requestHandler(router).listen().await();
    }

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    double closes() {
        return registry.counter("platewarden.http.unread.body.closes", "server", "test").count();
    }

    @Test
    void http1AnEarlyAnswerClosesAReadOneKeepsAlive() throws Exception {
        try (RawHttp c = RawHttp.connect("127.0.0.1", server.actualPort())) {
            c.send("POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
            RawHttp.Answer read = c.readAnswer();
            assertEquals("read 5", read.body());
            assertFalse(read.closes());
            c.send("POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            assertFalse(c.readAnswer().closes(), "an empty body is no body");
            assertEquals(200, c.get("/ok"));
            RawHttp.Flood f = c.flood("POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000000\r\n\r\n", false, Duration.ofSeconds(5));
            assertEquals(401, f.answer().status());
            assertTrue(f.answer().closes());
            assertTrue(f.closed() && f.closedAfterAnswer().toMillis() < 1500, "closed after the answer: " + f.closedAfterAnswer());
            assertTrue(f.bodyBytesWritten() < 64L * 1024 * 1024, "bounded: " + f.bodyBytesWritten());
        }
        try (RawHttp c = RawHttp.connect("127.0.0.1", server.actualPort())) {
            // a body over the limit: BodyHandler's 413 (a failure) is not followed by reading the rest
            RawHttp.Flood f = c.flood("POST /read HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", true, Duration.ofSeconds(5));
            assertEquals(413, f.answer().status());
            assertTrue(f.answer().closes() && f.closed() && f.closedAfterAnswer().toMillis() < 1500, String.valueOf(f));
        }
        assertEquals(2.0, closes());
    }

    /**
     * A small body sent with its headers (a 404, 405 or 401 to a JSON request): the answer is written
     * while the body's bytes are still to be handled, so it says Connection: close, and the body has
     * ended by the time the close runs. The probe saw each such request log "unhandled exception on a
     * Vert.x thread: IllegalStateException: Request has already been read" at ERROR, with its stack
     * trace, and its connection closed only after the linger; it is closed at once, quietly.
     */
    @Test
    void http1ASmallBodyThatEndsBeforeTheCloseIsClosedAtOnceWithoutAnError() throws Exception {
        AtomicReference<Throwable> unhandled = new AtomicReference<>();
        vertx.exceptionHandler(unhandled::set);
        try (RawHttp c = RawHttp.connect("127.0.0.1", server.actualPort())) {
            long start = System.nanoTime();
            c.send("POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
            RawHttp.Answer a = c.readAnswer();
            assertEquals(401, a.status());
            assertTrue(c.closedByServerWithin(Duration.ofSeconds(3), "", Duration.ofMillis(20)));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(!a.closes() || ms < UnreadBodies.LINGER_MILLIS, "closed at once, not after the linger: " + ms + " ms");
        }
        Thread.sleep(100);
        assertEquals(null, unhandled.get(), "nothing thrown on the event loop");
    }

    @Test
    void http1AClientThatSendsNothingMoreIsClosedAfterTheLinger() throws Exception {
        try (RawHttp c = RawHttp.connect("127.0.0.1", server.actualPort())) {
            long start = System.nanoTime();
            c.send("POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhalf");
            RawHttp.Answer a = c.readAnswer();
            assertEquals(401, a.status());
            assertTrue(a.closes());
            assertTrue(c.closedByServerWithin(Duration.ofSeconds(3), "", Duration.ofMillis(20)));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // nothing else would close it (this server has no header deadline): only the linger's end
            assertTrue(ms >= UnreadBodies.LINGER_MILLIS - 50 && ms < 10_000, "closed after the linger: " + ms + " ms");
        }
    }

    @Test
    void http2TheStreamIsResetAndTheConnectionStays() throws Exception {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
        AtomicReference<HttpConnection> first = new AtomicReference<>();
        Promise<Throwable> reset = Promise.promise();
        AtomicLong written = new AtomicLong();
        AtomicReference<HttpClientResponse> refused = new AtomicReference<>();
        Buffer answer = onEventLoop(() -> client.request(HttpMethod.POST, server.actualPort(), "127.0.0.1", "/refuse").compose(req -> {
            first.set(req.connection());
            req.setChunked(true);
            req.exceptionHandler(reset::tryComplete);
            writeForever(req, written);
            return req.response();
        }).compose(resp -> {
            refused.set(resp);
            return resp.body();
        })).await(10, TimeUnit.SECONDS);
        assertEquals(401, refused.get().statusCode());
        assertEquals("no", answer.toString(), "the answer arrives whole");
        Throwable cause = reset.future().await(10, TimeUnit.SECONDS);
        assertTrue(cause instanceof StreamResetException, String.valueOf(cause));
        assertEquals(0L, ((StreamResetException) cause).getCode(), "NO_ERROR: the answer is complete, stop sending");
        // another stream on the same connection is served
        HttpClientResponse ok = onEventLoop(() -> client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/ok").compose(req -> {
            assertSame(first.get(), req.connection(), "the same connection");
            return req.send();
        })).await(10, TimeUnit.SECONDS);
        assertEquals(200, ok.statusCode());
        assertEquals(1.0, closes());
        // and a stream whose body was read is not reset
        Buffer read = onEventLoop(() -> client.request(HttpMethod.POST, server.actualPort(), "127.0.0.1", "/read")
                .compose(req -> req.send(Buffer.buffer("hello"))).compose(HttpClientResponse::body)).await(10, TimeUnit.SECONDS);
        assertEquals("read 5", read.toString());
        assertEquals(1.0, closes());
    }

    /**
     * Builds a client call's chain on an event loop. Built from the test's thread, a step attached to
     * a future that has already completed runs there, at once — and a response whose body arrived in
     * the meantime, with no handler set yet, is read as empty (under load, 2 runs in 300 saw an empty
     * "no" or "read 5"). On the event loop no frame is handled until the whole chain is attached.
     */
    private <T> Future<T> onEventLoop(java.util.function.Supplier<Future<T>> chain) {
        Promise<T> result = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> chain.get().onComplete(result));
        return result.future();
    }

    /** Writes 16 KiB pieces while the stream takes them, until it is reset. */
    private void writeForever(HttpClientRequest req, AtomicLong written) {
        Buffer piece = Buffer.buffer(new byte[16 * 1024]);
        Future<Void> w = req.write(piece);
        w.onSuccess(v -> {
            written.addAndGet(piece.length());
            if (written.get() < 512L * 1024 * 1024) writeForever(req, written);
        });
    }
}
