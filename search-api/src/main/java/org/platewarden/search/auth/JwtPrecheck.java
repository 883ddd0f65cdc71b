package org.platewarden.search.auth;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * What Vert.x's JWT verification leaves unchecked, checked before it: a header or claim given twice
 * (the last one would silently win, so a token could say one agency to one reader and another to
 * Platewarden), a {@code crit} header (RFC 7515: a parameter the verifier does not understand must
 * fail), time claims that are not numbers (Vert.x would throw), a token valid only in the future
 * (Vert.x calls it expired), an {@code exp} further ahead than {@code jwt.max_lifetime_seconds}
 * (such a token outlives every rotation plan, and there is no revocation list), and, when
 * {@code jwt.audience} is set, an {@code aud} that is neither a string nor an array of strings (Vert.x,
 * which compares it with the audience, would throw on a number or an object). Returns what is
 * wrong, or null; a part that is not JSON is left to the signature check, which refuses it.
 */
final class JwtPrecheck {
    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private JwtPrecheck() {
    }

    static String problem(String token, Instant now, long leewaySeconds, long maxLifetimeSeconds) {
        return problem(token, now, leewaySeconds, maxLifetimeSeconds, false, null);
    }

    /**
     * @param audienceChecked whether {@code jwt.audience} is set (else {@code aud} is not looked at, as before)
     * @param algorithm {@code jwt.algorithm}: a token whose header names another is refused saying so (Vert.x's own
     *     answer, {@code algorithm [HS256]: <null>}, told the operator nothing); null: not looked at
     */
    static String problem(String token, Instant now, long leewaySeconds, long maxLifetimeSeconds, boolean audienceChecked, String algorithm) {
        int first = token.indexOf('.');
        int second = token.indexOf('.', first + 1);
        JsonNode header;
        JsonNode payload;
        try {
            header = parse(token.substring(0, first));
            payload = parse(token.substring(first + 1, second));
        } catch (Repeated e) {
            return e.getMessage();
        }
        if (header == null || payload == null) return null;
        // without alg Vert.x failed with its NullPointerException's text ("Cannot invoke \"Object.hashCode()\"…")
        if (algorithm != null && !header.has("alg")) return "the token's header has no alg; this server accepts only " + algorithm + " (jwt.algorithm)";
        if (algorithm != null && !algorithm.equals(header.get("alg").asText())) {
            return "the token is signed with alg " + header.get("alg") + "; this server accepts only " + algorithm + " (jwt.algorithm)";
        }
        if (header.has("crit")) return "the token's crit header names parameters Platewarden does not understand";
        for (String claim : List.of("exp", "iat", "nbf")) {
            if (payload.has(claim) && !payload.get(claim).isNumber()) return "claim " + claim + " must be a number (seconds since the epoch)";
        }
        if (audienceChecked && payload.has("aud") && !stringOrStrings(payload.get("aud"))) {
            return "claim aud must be a string or an array of strings";
        }
        long nowSeconds = now.getEpochSecond();
        if (payload.has("exp") && payload.get("exp").asDouble() > nowSeconds + maxLifetimeSeconds + leewaySeconds) {
            return "the token expires more than jwt.max_lifetime_seconds (" + maxLifetimeSeconds + ") from now: mint one that expires sooner";
        }
        if (payload.has("nbf") && payload.get("nbf").asDouble() > nowSeconds + leewaySeconds) return "the token is not valid yet (nbf is in the future)";
        if (payload.has("iat") && payload.get("iat").asDouble() > nowSeconds + leewaySeconds) return "the token was issued in the future (iat)";
        return null;
    }

    private static boolean stringOrStrings(JsonNode aud) {
        if (aud.isTextual()) return true;
        if (!aud.isArray()) return false;
        for (JsonNode item : aud) {
            if (!item.isTextual()) return false;
        }
        return true;
    }

    private static JsonNode parse(String part) throws Repeated {
        byte[] json;
        try {
            json = Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
        try {
            JsonNode node = STRICT.readTree(json);
            return node != null && node.isObject() ? node : null;
        } catch (JsonParseException e) {
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")) {
                throw new Repeated("the token gives a header or claim more than once (" + e.getOriginalMessage() + ")");
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static final class Repeated extends Exception {
        Repeated(String message) {
            super(message, null, false, false);
        }
    }
}
