package org.platewarden.core.net;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * The answer to a request Vert.x cannot decode, before any route sees it: a request line (method,
 * URL, version) longer than {@link HttpServerOptions#getMaxInitialLineLength()} (414), headers larger
 * than {@link HttpServerOptions#getMaxHeaderSize()} (431), anything else not HTTP/1.1 (400). Vert.x's
 * own answer ({@link HttpServerRequest#DEFAULT_INVALID_REQUEST_HANDLER}) has the same statuses and an
 * empty body; this one carries a JSON body in the port's error shape, through the hook Vert.x offers
 * for it ({@code HttpServer.invalidRequestHandler}). The connection is closed after the answer, as
 * Vert.x does: what follows the bad request on it cannot be framed.
 *
 * <p>Also a request Vert.x decodes but whose body's length cannot be told ({@link #bodyLengthUnknown}:
 * a Transfer-Encoding whose last coding is not chunked), which {@link HttpConnectionGuard} hands here:
 * RFC 9112 6.3 asks for a 400 and the connection closed. Netty takes such a request as having no
 * body, so its body's bytes would otherwise be read as the next request on the connection — a request
 * that a proxy in front, framing the same bytes another way, never saw (request smuggling).
 */
public final class InvalidRequests {
    /** The port's error body for a status, a short error code and a message. */
    @FunctionalInterface
    public interface Body {
        JsonObject of(int status, String code, String message);
    }

    private InvalidRequests() {
    }

    /**
     * @param options     the server's options, whose limits the message names
     * @param contentType the port's JSON content type
     */
    public static Handler<HttpServerRequest> json(HttpServerOptions options, String contentType, Body body) {
        return request -> {
            Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
            JsonObject answer;
            int status;
            if (cause instanceof TooLongHttpLineException) {
                status = 414;
                answer = body.of(status, "uri_too_long", "the request line (method, URL and version) is longer than "
                        + options.getMaxInitialLineLength() + " bytes");
            } else if (cause instanceof TooLongHttpHeaderException) {
                status = 431;
                answer = body.of(status, "headers_too_large", "the request's headers are larger than " + options.getMaxHeaderSize() + " bytes");
            } else if (cause == null && bodyLengthUnknown(request)) {
                status = 400;
                answer = body.of(status, "bad_request", "Transfer-Encoding " + String.join(", ", request.headers().getAll(HttpHeaders.TRANSFER_ENCODING))
                        + " does not end with chunked, so the length of the request's body cannot be told (RFC 9112 6.3): send the body"
                        + " with a Content-Length, or chunked");
            } else {
                status = 400;
                answer = body.of(status, "bad_request", "the request is not valid HTTP/1.1");
            }
            Buffer bytes = Buffer.buffer(answer.encode());
            request.response().setStatusCode(status)
                    .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
                    .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(bytes.length()))
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(bytes);
            request.connection().close();
        };
    }

    /**
     * True when the request has a Transfer-Encoding whose last coding is not {@code chunked}: its
     * body's end cannot be found (RFC 9112 6.3), whatever a Content-Length says.
     */
    public static boolean bodyLengthUnknown(HttpServerRequest request) {
        java.util.List<String> values = request.headers().getAll(HttpHeaders.TRANSFER_ENCODING);
        if (values.isEmpty()) return false;
        String last = "";
        for (String value : values) {
            for (String coding : value.split(",")) {
                // a coding may carry parameters (RFC 9112 7.3): its name is what comes before them
                String name = coding.split(";", 2)[0].trim();
                if (!name.isEmpty()) last = name;
            }
        }
        return !last.equalsIgnoreCase("chunked");
    }
}
