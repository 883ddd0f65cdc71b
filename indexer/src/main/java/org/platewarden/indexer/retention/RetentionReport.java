package org.platewarden.indexer.retention;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One sweep: the daily read indices deleted (expired), kept (not yet expired), and those that were
 * due but could not be deleted (index name to Elasticsearch's error). Nothing else is ever listed:
 * audit and holds indices are not daily read indices and are never candidates.
 */
public record RetentionReport(
        @JsonProperty("ran_at") Instant ranAt,
        @JsonProperty("retention_days") int retentionDays,
        @JsonProperty("mechanism") String mechanism,
        @JsonProperty("deleted") List<String> deleted,
        @JsonProperty("kept") List<String> kept,
        @JsonProperty("failed") Map<String, String> failed) {
}
