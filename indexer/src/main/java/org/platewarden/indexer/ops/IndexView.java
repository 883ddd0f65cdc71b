package org.platewarden.indexer.ops;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.LocalDate;

/**
 * One index as ops see it ({@code segments}: its primaries' Lucene segments, which compaction
 * brings to one for a finished day). For a daily read index: its day, when it expires and who deletes it
 * ({@code ilm} or {@code sweeper}); for the audit and holds indices {@code day} and
 * {@code expiresAt} are null and {@code deletedBy} is {@code never}. {@code kind} is
 * {@code reads}, {@code audit} or {@code holds}. {@code health} is Elasticsearch's for the index:
 * {@code green}, {@code yellow} (a replica not assigned) or {@code red} (a primary shard not available:
 * searches, holds and the transparency report over its day answer 503 until it is back).
 */
public record IndexView(
        @JsonProperty("index") String index,
        @JsonProperty("kind") String kind,
        @JsonProperty("health") String health,
        @JsonProperty("day") LocalDate day,
        @JsonProperty("docs") long docs,
        @JsonProperty("bytes") long bytes,
        @JsonProperty("segments") int segments,
        @JsonProperty("expires_at") Instant expiresAt,
        @JsonProperty("deleted_by") String deletedBy) {

    public static final String NEVER = "never";
}
