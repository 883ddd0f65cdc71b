package org.platewarden.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Bulk indexing, retention-sweeper and compaction settings. */
public record IndexerConfig(
        @JsonProperty("bulk_max_reads") int bulkMaxReads,
        @JsonProperty("bulk_max_bytes") int bulkMaxBytes,
        @JsonProperty("bulk_max_wait_ms") int bulkMaxWaitMs,
        @JsonProperty("max_in_flight") int maxInFlight,
        @JsonProperty("sweeper_interval_seconds") int sweeperIntervalSeconds,
        @JsonProperty("compaction") CompactionConfig compaction) {

    public static IndexerConfig defaults() {
        return new IndexerConfig(5000, 8 * 1024 * 1024, 200, 2, 3600, CompactionConfig.defaults());
    }
}
