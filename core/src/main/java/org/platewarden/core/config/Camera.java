package org.platewarden.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A registered camera. The owning agency comes from here, never from a payload.
 * {@code secretHash} is a {@link SecretHash} string ({@code pbkdf2-sha256$iterations$salt$hash}).
 */
public record Camera(
        @JsonProperty("id") String id,
        @JsonProperty("agency") String agency,
        @JsonProperty("secret_hash") String secretHash,
        @JsonProperty("description") String description) {
}
