package org.platewarden.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * An agency that owns cameras and/or searches. {@code sharesWith} lists the agencies this agency
 * grants read access to its own reads (a grant goes from the data owner to the reader).
 * A federal agency gets no access at all, whatever grants exist.
 */
public record Agency(
        @JsonProperty("id") String id,
        @JsonProperty("name") String name,
        @JsonProperty("federal") boolean federal,
        @JsonProperty("shares_with") List<String> sharesWith) {

    public Agency {
        sharesWith = sharesWith == null ? List.of() : List.copyOf(sharesWith);
    }
}
