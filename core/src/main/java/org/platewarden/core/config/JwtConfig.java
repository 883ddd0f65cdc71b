package org.platewarden.core.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * JWT verification keys. {@code algorithm} is HS256 (with {@code secret}) or RS256 (with
 * {@code public_key_pem}). Claims: {@code sub} = user, {@code agency}, {@code roles} (array).
 * {@code audience} (a string or a list of them; null: not checked): a token must name one of them in
 * its {@code aud}, so a token the identity provider minted for another service is not accepted here.
 */
public record JwtConfig(
        @JsonProperty("algorithm") String algorithm,
        @JsonProperty("secret") String secret,
        @JsonProperty("public_key_pem") String publicKeyPem,
        @JsonProperty("issuer") String issuer,
        @JsonProperty("max_lifetime_seconds") Integer maxLifetimeSeconds,
        @JsonProperty("audience") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> audience) {

    /** A token whose {@code exp} is further ahead than this is refused (a token that never expires cannot be revoked). */
    public static final int DEFAULT_MAX_LIFETIME_SECONDS = 24 * 3600;

    public JwtConfig {
        if (maxLifetimeSeconds == null) maxLifetimeSeconds = DEFAULT_MAX_LIFETIME_SECONDS;
        if (audience != null) audience = List.copyOf(audience);
    }

    /** Whether a token's {@code aud} is checked: {@code audience} is set. */
    public boolean checksAudience() {
        return audience != null && !audience.isEmpty();
    }
}
