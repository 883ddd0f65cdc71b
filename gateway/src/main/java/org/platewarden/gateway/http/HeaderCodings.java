package org.platewarden.gateway.http;

import java.util.List;
import java.util.Locale;

/** The codings a coding header (Content-Encoding, Transfer-Encoding) names, for a refusal's message. */
final class HeaderCodings {
    /** Enough to name any real coding; a longer header value is cut so it cannot swell the reason. */
    private static final int MAX_NAMED = 64;

    private HeaderCodings() {
    }

    /**
     * The codings of every header value other than {@code taken} (the one the gateway handles itself),
     * comma-separated, lower case, at most {@link #MAX_NAMED} characters; empty when there are none.
     */
    static String namedBesides(List<String> headerValues, String taken) {
        StringBuilder codings = new StringBuilder();
        for (String value : headerValues) {
            for (String coding : value.split(",")) {
                String c = coding.trim().toLowerCase(Locale.ROOT);
                if (c.isEmpty() || c.equals(taken)) continue;
                if (!codings.isEmpty()) codings.append(", ");
                codings.append(c);
            }
        }
        return codings.length() > MAX_NAMED ? codings.substring(0, MAX_NAMED) + "…" : codings.toString();
    }
}
