package org.platewarden.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * JWT verification keys. {@code algorithm} is HS256 (with {@code secret}) or RS256 (with
 * {@code public_key_pem}). Claims: {@code sub} = user, {@code agency}, {@code roles} (array).
 */
public record JwtConfig(
        @JsonProperty("algorithm") String algorithm,
        @JsonProperty("secret") String secret,
        @JsonProperty("public_key_pem") String publicKeyPem,
        @JsonProperty("issuer") String issuer,
        @JsonProperty("max_lifetime_seconds") Integer maxLifetimeSeconds) {

    /** A token whose {@code exp} is further ahead than this is refused (a token that never expires cannot be revoked). */
    public static final int DEFAULT_MAX_LIFETIME_SECONDS = 24 * 3600;

    public JwtConfig {
        if (maxLifetimeSeconds == null) maxLifetimeSeconds = DEFAULT_MAX_LIFETIME_SECONDS;
    }
}
