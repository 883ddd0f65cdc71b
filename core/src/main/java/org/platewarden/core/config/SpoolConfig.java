package org.platewarden.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The write-ahead log between gateway and indexer. */
public record SpoolConfig(
        @JsonProperty("segment_bytes") long segmentBytes,
        @JsonProperty("capacity_bytes") long capacityBytes) {

    public static SpoolConfig defaults() {
        return new SpoolConfig(64L * 1024 * 1024, 2L * 1024 * 1024 * 1024);
    }
}
