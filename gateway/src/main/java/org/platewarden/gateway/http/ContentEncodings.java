package org.platewarden.gateway.http;

import java.util.List;

/**
 * The request's Content-Encoding. The gateway does not decompress bodies: the body limit bounds
 * the bytes received, not what they inflate to (a decompression bomb), so a compressed body is
 * refused with 415 naming the coding; left to the JSON parser it was a puzzling "invalid_json ...
 * CTRL-CHAR, code 31" (gzip's first byte).
 */
final class ContentEncodings {
    private ContentEncodings() {
    }

    /** True when every coding in every Content-Encoding header is identity (or there is none). */
    static boolean isIdentity(List<String> headerValues) {
        return named(headerValues).isEmpty();
    }

    /** 415, naming the codings as sent (identity left out) and saying what to do instead. */
    static HttpProblem refusal(List<String> headerValues) {
        return new HttpProblem(415, FormBodies.UNSUPPORTED_MEDIA_TYPE, "Content-Encoding " + named(headerValues)
                + " is not accepted: the gateway does not decompress request bodies; send the body uncompressed");
    }

    /** The non-identity codings, comma-separated. */
    private static String named(List<String> headerValues) {
        return HeaderCodings.namedBesides(headerValues, "identity");
    }
}
