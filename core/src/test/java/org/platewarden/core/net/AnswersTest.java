package org.platewarden.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every way an answer written from a future's outcome can go wrong ends in an answer from the
 * router's failure handler, or — its head already sent — a connection the client sees broken; never
 * a request left waiting for the client's timeout. The failure handler here names the failure it was
 * given, so the tests see what reached it.
 */
class AnswersTest {
    private final Vertx vertx = Vertx.vertx();
    private int port;

    @BeforeEach
    void start() {
        Router router = Router.router(vertx);
        router.get("/written").handler(ctx -> Answers.answer(ctx, Future.succeededFuture("fine"), (c, v) -> c.response().end(v)));
        router.get("/failed").handler(ctx -> Answers.answer(ctx, Future.failedFuture(new IllegalStateException("backend down")),
                (c, v) -> c.response().end("never")));
        // a writer's IllegalArgumentException is the server's fault once the work is done: not a 400
        router.get("/throws").handler(ctx -> Answers.answer(ctx, Future.succeededFuture("x"), (c, v) -> {
            throw new IllegalArgumentException("a serialiser's bug");
        }));
        router.get("/throws-after-head").handler(ctx -> Answers.answer(ctx, Future.succeededFuture("x"), (c, v) -> {
            c.response().setChunked(true).write("the start of a page");
            throw new IllegalStateException("the rest cannot be written");
        }));
        router.get("/proceed-throws").handler(ctx -> Answers.proceed(ctx, Future.succeededFuture("x").map(v -> {
            throw new IllegalStateException("the step's own bug");
        }))).handler(ctx -> ctx.response().end("next"));
        router.get("/proceed").handler(ctx -> Answers.proceed(ctx, Future.succeededFuture())).handler(ctx -> ctx.response().end("next"));
        router.route().failureHandler(ctx -> {
            Throwable failure = ctx.failure();
            String named = failure.getClass().getSimpleName() + (failure.getCause() == null ? "" : "<" + failure.getCause().getClass().getSimpleName());
            ctx.response().setStatusCode(500).end(named);
        });
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
        port = server.actualPort();
    }

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    /** far longer than any of these answers takes: an unanswered request fails with HttpTimeoutException */
    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code path} answered by the failure handler, given a failure {@code named} as it names them. */
    private void assertFailureHandlerGot(String path, String named) throws Exception {
        HttpResponse<String> answer = get(path);
        assertEquals(500, answer.statusCode(), answer.body());
        assertEquals(named, answer.body());
    }

    @Test
    void aValueIsWrittenByTheWriter() throws Exception {
        HttpResponse<String> answer = get("/written");
        assertEquals(200, answer.statusCode());
        assertEquals("fine", answer.body());
    }

    @Test
    void aFailureGoesToTheFailureHandlerAsItIs() throws Exception {
        assertFailureHandlerGot("/failed", "IllegalStateException");
    }

    @Test
    void aThrowFromTheWriterGoesToTheFailureHandlerAsAnAnswerNotWritten() throws Exception {
        assertFailureHandlerGot("/throws", "AnswerNotWrittenException<IllegalArgumentException");
    }

    @Test
    void aThrowAfterTheHeadWasSentBreaksTheConnection() {
        IOException broken = assertThrows(IOException.class, () -> get("/throws-after-head"));
        assertFalse(broken instanceof HttpTimeoutException, broken.toString());
    }

    @Test
    void aStepGoesOnToTheNextHandlerOrItsThrowToTheFailureHandler() throws Exception {
        assertEquals("next", get("/proceed").body());
        assertFailureHandlerGot("/proceed-throws", "IllegalStateException");
    }
}
