package org.platewarden.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * An agency that owns cameras and/or searches. {@code sharesWith} lists the agencies this agency
 * grants read access to its own reads (a grant goes from the data owner to the reader).
 * A federal agency gets no access at all, whatever grants exist. {@code oversight}: the agency that
 * answers for the whole system (the city): its auditors read every agency's audit records; every
 * other agency's auditors read their own agency's only (a record names the reads a search returned,
 * so one agency's auditor would otherwise learn what another's investigators saw).
 */
public record Agency(
        @JsonProperty("id") String id,
        @JsonProperty("name") String name,
        @JsonProperty("federal") boolean federal,
        @JsonProperty("shares_with") List<String> sharesWith,
        @JsonProperty("oversight") boolean oversight) {

    public Agency {
        sharesWith = sharesWith == null ? List.of() : List.copyOf(sharesWith);
    }
}
