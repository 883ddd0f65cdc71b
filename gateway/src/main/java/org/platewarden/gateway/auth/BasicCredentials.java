package org.platewarden.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The camera id and secret of an HTTP {@code Authorization: Basic} header. */
public record BasicCredentials(String cameraId, String secret) {

    /** Returns null when the header is absent or not well-formed Basic credentials. */
    public static BasicCredentials parse(String header) {
        if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) return null;
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) return null;
        return new BasicCredentials(decoded.substring(0, colon), decoded.substring(colon + 1));
    }
}
