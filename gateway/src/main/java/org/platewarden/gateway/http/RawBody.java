package org.platewarden.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import org.platewarden.core.read.Rejection;

/**
 * A request body as the client sent it, bounded like BodyHandler bounds it (over the limit: 413),
 * for the bodies BodyHandler would decode instead of keep (forms). Must be called before anything
 * else reads the request (it is the route's first handler), so no chunk has passed yet.
 */
final class RawBody {
    private RawBody() {
    }

    static Future<Buffer> read(HttpServerRequest request, long limit) {
        HttpProblem tooLarge = new HttpProblem(413, Rejection.TOO_LARGE, "body larger than " + limit + " bytes");
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && length.length() < 19 && length.chars().allMatch(Character::isDigit) && Long.parseLong(length) > limit) {
            // known too large: not worth reading, nor is the rest while the refusal is worked out (the
            // answer then closes the connection: UnreadBodies)
            request.pause();
            return Future.failedFuture(tooLarge);
        }
        // as BodyHandler does: a client that waits for it (curl does above 1 KiB) sends the body only then
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) request.response().writeContinue();
        Promise<Buffer> promise = Promise.promise();
        Buffer body = Buffer.buffer();
        request.handler(chunk -> {
            if (promise.future().isComplete()) return; // refused already: the rest is dropped, not kept
            if (body.length() + chunk.length() > limit) {
                request.pause(); // the rest is not read either
                promise.tryFail(tooLarge);
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(promise::tryFail);
        request.endHandler(v -> promise.tryComplete(body));
        request.resume();
        return promise.future();
    }
}
