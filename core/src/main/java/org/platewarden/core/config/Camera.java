package org.platewarden.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A registered camera. The owning agency comes from here, never from a payload.
 * {@code secretHash} is a {@link SecretHash} string ({@code pbkdf2-sha256$iterations$salt$hash}).
 * {@code previousSecretHash}, when set, is accepted too: a secret is rotated by configuring the new
 * one with the old one as previous, updating the camera, and removing the previous one once no
 * camera uses it (the gateway logs each camera that still does), so no camera is locked out while
 * it waits for its new secret.
 */
public record Camera(
        @JsonProperty("id") String id,
        @JsonProperty("agency") String agency,
        @JsonProperty("secret_hash") String secretHash,
        @JsonProperty("description") String description,
        @JsonProperty("previous_secret_hash") String previousSecretHash) {

    /** A camera with one secret. */
    public Camera(String id, String agency, String secretHash, String description) {
        this(id, agency, secretHash, description, null);
    }
}
