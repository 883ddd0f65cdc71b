package org.platewarden.gateway.http;

import java.util.Locale;

/**
 * The content types of HTML forms. Vert.x's BodyHandler decodes them into form attributes (a
 * multipart body never reaches the body buffer), so an ingest route must refuse them before it:
 * left to the JSON parser they were refused as "empty body" with an empty dead letter.
 */
final class FormBodies {
    static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";

    private FormBodies() {
    }

    static boolean isForm(String contentType) {
        String type = mediaType(contentType);
        return type.equals("multipart/form-data") || type.equals("application/x-www-form-urlencoded");
    }

    /** 415, naming what was sent and what the route takes. */
    static HttpProblem refusal(String contentType, String accepted) {
        return new HttpProblem(415, UNSUPPORTED_MEDIA_TYPE, "Content-Type " + mediaType(contentType) + " is not accepted here; send " + accepted);
    }

    /** The type without its parameters (a multipart boundary says nothing to the reader). */
    private static String mediaType(String contentType) {
        if (contentType == null) return "";
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }
}
