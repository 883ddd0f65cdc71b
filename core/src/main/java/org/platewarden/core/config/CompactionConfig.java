package org.platewarden.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Compaction of past days' read indices: once a day has been over for {@code after_hours}, its
 * index is force-merged to one segment whenever it holds more than {@code above_segments}
 * segments. A finished day's index is searched on every query but written only by late uploads, so
 * fewer segments make every search over it cheaper (see docs/benchmarks.md). The threshold keeps a
 * trickle of late reads (each refresh that carries one adds a small segment) from rewriting the
 * whole day every pass.
 */
public record CompactionConfig(
        @JsonProperty("enabled") boolean enabled,
        @JsonProperty("after_hours") int afterHours,
        @JsonProperty("above_segments") int aboveSegments) {

    public static CompactionConfig defaults() {
        return new CompactionConfig(true, 6, 4);
    }
}
