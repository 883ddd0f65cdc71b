package org.platewarden.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A configured API token for the search API. Only the SHA-256 (hex) of the token is stored, so a
 * leaked config file does not leak usable tokens.
 */
public record StaticToken(
        @JsonProperty("token_sha256") String tokenSha256,
        @JsonProperty("user") String user,
        @JsonProperty("agency") String agency,
        @JsonProperty("roles") List<String> roles) {

    public StaticToken {
        roles = roles == null ? List.of() : List.copyOf(roles);
    }
}
