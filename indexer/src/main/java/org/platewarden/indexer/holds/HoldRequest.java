package org.platewarden.indexer.holds;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * What a supervisor asks to keep: the reads of one plate ({@code platePattern}, compared with
 * {@code plate_norm} after normalisation) and/or explicit read ids, optionally limited to a
 * capture window {@code [from, to]}, until {@code until}. When both a plate and read ids are
 * given the hold takes the union. Only reads the requesting agency may see are ever copied.
 */
public record HoldRequest(
        @JsonProperty("case_number") String caseNumber,
        @JsonProperty("reason") String reason,
        @JsonProperty("plate") String platePattern,
        @JsonProperty("read_ids") List<String> readIds,
        @JsonProperty("from") Instant from,
        @JsonProperty("to") Instant to,
        @JsonProperty("until") Instant until) {
}
