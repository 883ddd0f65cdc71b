package org.platewarden.gateway.http;

import java.util.List;
import java.util.Locale;

/**
 * The request's Content-Encoding. The gateway does not decompress bodies: the body limit bounds
 * the bytes received, not what they inflate to (a decompression bomb), so a compressed body is
 * refused with 415 naming the coding; left to the JSON parser it was a puzzling "invalid_json ...
 * CTRL-CHAR, code 31" (gzip's first byte).
 */
final class ContentEncodings {
    /** Enough to name any real coding; a longer header value is cut so it cannot swell the reason. */
    private static final int MAX_NAMED = 64;

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

    /** The non-identity codings, comma-separated, lower case, at most {@link #MAX_NAMED} characters. */
    private static String named(List<String> headerValues) {
        StringBuilder codings = new StringBuilder();
        for (String value : headerValues) {
            for (String coding : value.split(",")) {
                String c = coding.trim().toLowerCase(Locale.ROOT);
                if (c.isEmpty() || c.equals("identity")) continue;
                if (!codings.isEmpty()) codings.append(", ");
                codings.append(c);
            }
        }
        return codings.length() > MAX_NAMED ? codings.substring(0, MAX_NAMED) + "…" : codings.toString();
    }
}
