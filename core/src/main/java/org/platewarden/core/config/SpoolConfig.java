package org.platewarden.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The write-ahead log between gateway and indexer.
 *
 * @param preallocate whether the next segment file is zero-filled and fsynced in the background
 *                    before the writer needs it. On ext4 and XFS, overwriting blocks that already
 *                    exist makes each group commit's fdatasync a data flush only; appending also
 *                    commits the file's new size to the file system journal, which measured about
 *                    twice the wall time and CPU per fsync on the benchmark machine. Turn it off on
 *                    copy-on-write file systems (btrfs, ZFS), where an overwrite allocates anyway.
 * @param groupCommitIntervalMicros the least time between the starts of two group commits (0: none).
 *                    Under load the writer would otherwise fsync back to back, and a cheaper fsync
 *                    would only mean more of them: the CPU they take is their CPU-to-wall ratio of
 *                    one core, whatever they cost. Waiting out the interval makes each fsync carry
 *                    more appends. An append arriving after a quiet spell is never delayed.
 */
public record SpoolConfig(
        @JsonProperty("segment_bytes") long segmentBytes,
        @JsonProperty("capacity_bytes") long capacityBytes,
        @JsonProperty("preallocate") boolean preallocate,
        @JsonProperty("group_commit_interval_micros") long groupCommitIntervalMicros) {

    public static final boolean DEFAULT_PREALLOCATE = true;
    public static final long DEFAULT_GROUP_COMMIT_INTERVAL_MICROS = 1000;
    public static final long MAX_GROUP_COMMIT_INTERVAL_MICROS = 100_000;

    /** A spool with the default preallocation and group commit interval. */
    public SpoolConfig(long segmentBytes, long capacityBytes) {
        this(segmentBytes, capacityBytes, DEFAULT_PREALLOCATE, DEFAULT_GROUP_COMMIT_INTERVAL_MICROS);
    }

    public static SpoolConfig defaults() {
        return new SpoolConfig(64L * 1024 * 1024, 2L * 1024 * 1024 * 1024);
    }
}
