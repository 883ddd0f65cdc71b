package org.platewarden.core.spool;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The write-ahead log between the gateway and the indexer. Every record is one read document
 * (UTF-8 JSON bytes, exactly what will be sent to Elasticsearch) and gets a sequence number,
 * dense and increasing from 1. An acknowledgement to a camera may only be sent after the future
 * returned by {@link #append} completes, because that means the frame is fsynced.
 */
public interface Spool extends AutoCloseable {

    /** The most disk one append can take: the largest frame, in a segment of its own (header included). */
    long MAX_APPEND_BYTES = (long) FrameCodec.FRAME_OVERHEAD + FrameCodec.MAX_PAYLOAD + SegmentHeader.SIZE;

    /**
     * Appends the records as one frame. Group commit: one fsync covers every append that arrived
     * meanwhile, from all callers. Never blocks the caller: the returned future completes (on a
     * spool thread) with the sequence number of the last record once it is durable, or
     * exceptionally with {@link SpoolFullException} when the capacity would be exceeded (caller
     * pushes back) or {@link SpoolFailedException} after an fsync error (fail-stop: every later
     * append fails too).
     */
    CompletableFuture<Long> append(List<byte[]> records);

    /**
     * Reads up to {@code maxRecords} durable records with sequence numbers greater than
     * {@code afterSeq}, in order. Returns an empty list when none are available yet.
     */
    List<SpoolRecord> read(long afterSeq, int maxRecords);

    /** Highest sequence number that is durable (0 when empty). */
    long lastDurableSeq();

    /** The sequence number up to which every record is done (indexed or dead-lettered); durable across restarts. */
    long checkpoint();

    /**
     * Advances the checkpoint (never backwards) and deletes segments whose records all lie at or
     * below it. Call only for a contiguous run of completed records. Throws
     * {@link java.io.UncheckedIOException} when the checkpoint cannot be persisted or a segment
     * behind it cannot be deleted; calling again with the same {@code seq} retries what is left, and
     * until a call succeeds the segments keep their disk space, so the caller must retry on its own
     * (a full disk would otherwise stay full: nothing else frees that space).
     */
    void advanceCheckpoint(long seq);

    /**
     * Bytes of segment headers and frames held on disk (segments not yet deleted); what
     * {@link #capacityBytes()} bounds. A preallocated segment's unused zeros and the spare
     * segment are not counted: with preallocation the files take up to two segment sizes more.
     */
    long sizeBytes();

    long capacityBytes();

    /**
     * True from an append refused because the file system had too little free space until the
     * spool sees room for it again: an append that fits, or a re-check the spool makes on its own
     * while it stays true (so a disk freed while no camera sends is noticed too). Never blocks.
     */
    boolean diskFull();

    /** Registers a callback run (on a spool thread) whenever new records become durable. */
    void onDurable(Runnable listener);

    /**
     * Damage found when the spool was opened: sequence ranges whose records were lost (their bytes
     * kept in a quarantine directory). Added to the contract so a consumer that sees a jump in
     * sequence numbers can tell a reported loss from a bug, and report it, without knowing the
     * implementation. Empty when nothing was lost.
     */
    default List<QuarantinedRange> quarantined() {
        return List.of();
    }

    @Override
    void close();
}
