package org.platewarden.indexer.ops;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.LocalDate;

/**
 * One index as ops see it ({@code segments}: its primaries' Lucene segments, which compaction
 * brings to one for a finished day). For a daily read index: its day, when it expires and who deletes it
 * ({@code ilm} or {@code sweeper}); for the audit and holds indices {@code day} and
 * {@code expiresAt} are null and {@code deletedBy} is {@code never}. {@code kind} is
 * {@code reads}, {@code audit} or {@code holds}, or {@code missing} (health {@code missing}, no size, no
 * deleting mechanism, a {@code note}): a day the day registry records as holding reads whose index is gone. {@code health} is Elasticsearch's for the index:
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
        @JsonProperty("deleted_by") String deletedBy,
        @JsonProperty("note") @JsonInclude(JsonInclude.Include.NON_NULL) String note) {

    public static final String NEVER = "never";
    public static final String MISSING = "missing";

    /** Without a note: every index that exists. */
    public IndexView(String index, String kind, String health, LocalDate day, long docs, long bytes, int segments,
                     Instant expiresAt, String deletedBy) {
        this(index, kind, health, day, docs, bytes, segments, expiresAt, deletedBy, null);
    }

    /** A day recorded in {@code registry} as holding reads whose index does not exist. */
    static IndexView missing(String index, LocalDate day, Instant expiresAt, String registry) {
        return new IndexView(index, MISSING, MISSING, day, 0, 0, 0, expiresAt, null,
                "recorded in " + registry + " as holding reads, but the index is gone inside retention: deleted by something"
                        + " other than retention: its reads are lost from search, and searches over this day say so (missing_days)."
                        + " Note it on the record (docs/operations.md, disaster recovery)");
    }
}
