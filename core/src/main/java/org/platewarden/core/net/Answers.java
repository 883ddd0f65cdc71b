package org.platewarden.core.net;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a request from a future's outcome so that no throw leaves it unanswered. Vert.x hands an
 * exception thrown inside an {@code onSuccess} or {@code onComplete} handler to the context's
 * exception handler, which logs it and nothing more: the client waited until its own timeout (a JSON
 * page that overflowed the stack did that to {@code GET /v1/audit}). Here a failed outcome and a
 * throw from the writer both go to the router's one failure handler, the throw as an
 * {@link AnswerNotWrittenException} (a 500 there). The writer is a {@code (ctx, value)} function so a
 * route can pass a method reference that captures nothing: the hot paths allocate one lambda here,
 * as {@code onSuccess} + {@code onFailure} allocated two.
 */
public final class Answers {
    private static final Logger LOG = LoggerFactory.getLogger(Answers.class);

    private Answers() {
    }

    /** Writes {@code outcome}'s value with {@code writer}; a failure, or a throw from the writer, goes to the failure handler. */
    public static <T> void answer(RoutingContext ctx, Future<T> outcome, BiConsumer<RoutingContext, ? super T> writer) {
        outcome.onComplete(done -> {
            if (done.failed()) {
                ctx.fail(done.cause());
                return;
            }
            try {
                writer.accept(ctx, done.result());
            } catch (RuntimeException | StackOverflowError thrown) {
                notWritten(ctx, thrown, done.result());
            }
        });
    }

    /** Goes on to the route's next handler once {@code step} succeeded (what it does with its value goes in its own {@code map}); its failure goes to the failure handler. */
    public static void proceed(RoutingContext ctx, Future<?> step) {
        step.onComplete(done -> {
            if (done.succeeded()) ctx.next();
            else ctx.fail(done.cause());
        });
    }

    /**
     * A throw while {@code answer} was written. Before anything was sent: the failure handler answers
     * (500). After the head was sent, no other answer can follow: the connection is reset, so the
     * client sees it broken rather than waiting. After the answer was sent whole: logged, nothing more.
     */
    public static void notWritten(RoutingContext ctx, Throwable thrown, Object answer) {
        if (!ctx.response().headWritten()) {
            ctx.fail(new AnswerNotWrittenException(thrown, answer));
            return;
        }
        String request = ctx.request().method() + " " + ctx.request().path();
        if (ctx.response().ended()) {
            LOG.error("{}: a failure after its answer was sent", request, thrown);
            return;
        }
        LOG.error("{}: its answer failed after its head was sent; the connection is reset", request, thrown);
        ctx.response().reset();
    }

    /**
     * A failure handler's own answer, written by {@code write}: if that throws too, a bare 500 with
     * {@code fallbackJson} (written without any serialiser), or — its head already out — the
     * connection is reset. A failure handler cannot hand its throw to itself again.
     */
    public static void lastResort(RoutingContext ctx, Runnable write, String fallbackJson) {
        try {
            write.run();
        } catch (RuntimeException | StackOverflowError thrown) {
            LOG.error("{} {}: the error answer could not be written", ctx.request().method(), ctx.request().path(), thrown);
            if (ctx.response().ended()) return;
            if (ctx.response().headWritten()) {
                ctx.response().reset();
                return;
            }
            ctx.response().headers().clear();
            ctx.response().setStatusCode(500).putHeader("Content-Type", "application/json")
                    .putHeader("Content-Length", Integer.toString(fallbackJson.getBytes(java.nio.charset.StandardCharsets.UTF_8).length))
                    .end(fallbackJson);
        }
    }
}
