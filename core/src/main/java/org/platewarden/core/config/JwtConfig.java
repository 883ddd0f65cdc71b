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
        @JsonProperty("issuer") String issuer) {
}
