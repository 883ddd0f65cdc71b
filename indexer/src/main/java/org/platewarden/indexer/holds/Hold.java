package org.platewarden.indexer.holds;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * A hold's definition as stored in {@code <prefix>-holds-meta} (one document per hold, id =
 * {@code id}); its held reads are copies in {@code <prefix>-holds} with ids {@code id + ":" + read_id}.
 * {@code releasedAt}/{@code releasedBy} are null while the hold is active.
 */
public record Hold(
        @JsonProperty("hold_id") String id,
        @JsonProperty("case_number") String caseNumber,
        @JsonProperty("reason") String reason,
        @JsonProperty("agency") String agency,
        @JsonProperty("created_by") String createdBy,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("until") Instant until,
        @JsonProperty("read_count") long readCount,
        @JsonProperty("released_at") Instant releasedAt,
        @JsonProperty("released_by") String releasedBy,
        @JsonProperty("plate_pattern") String platePattern,
        @JsonProperty("read_ids") List<String> readIds,
        @JsonProperty("from") Instant from,
        @JsonProperty("to") Instant to) {

    @JsonProperty("released")
    public boolean released() {
        return releasedAt != null;
    }
}
