package org.platewarden.gateway.http;

import java.util.List;

/**
 * The request's Transfer-Encoding. Netty takes a body as chunked when "chunked" is among its codings
 * and undoes only that: with {@code gzip, chunked} the gzip coding stayed on the body, which reached
 * the JSON parser as garbage. The gateway does not decompress ({@link ContentEncodings}: a body limit
 * bounds the bytes received, not what they inflate to), so a transfer coding other than chunked is
 * refused with 501, as RFC 9112 6.1 says of a transfer coding the server does not implement.
 */
final class TransferCodings {
    static final String UNSUPPORTED_TRANSFER_CODING = "unsupported_transfer_coding";

    private TransferCodings() {
    }

    /** True when every coding in every Transfer-Encoding header is chunked (or there is none). */
    static boolean isChunkedOnly(List<String> headerValues) {
        return HeaderCodings.namedBesides(headerValues, "chunked").isEmpty();
    }

    /** 501, naming the codings as sent (chunked left out) and saying what to do instead. */
    static HttpProblem refusal(List<String> headerValues) {
        return new HttpProblem(501, UNSUPPORTED_TRANSFER_CODING, "Transfer-Encoding " + HeaderCodings.namedBesides(headerValues, "chunked")
                + " is not implemented: the gateway takes only chunked (or a Content-Length); send the body uncompressed");
    }
}
