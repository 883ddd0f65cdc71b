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

    /** Released, and nothing of it is kept. */
    public static final String RELEASED = "released";
    /** Its until has not passed: its reads are kept and searchable. */
    public static final String ACTIVE = "active";
    /**
     * Its until has passed, and the hourly release pass (or {@code ops retention-run}) has not
     * released it yet: its reads are no longer searched, its copies wait for deletion.
     */
    public static final String EXPIRED = "expired, release pending";

    /** {@link #RELEASED}, {@link #ACTIVE} or {@link #EXPIRED} at {@code now}. */
    public String state(Instant now) {
        if (released()) return RELEASED;
        return until != null && !until.isAfter(now) ? EXPIRED : ACTIVE;
    }
}
