package org.platewarden.core.spool;

import java.util.concurrent.CompletableFuture;

/**
 * One append waiting in the writer queue; the writer fills in where it landed. A request to retire the
 * newest segment ({@link #retireRequest}) waits in the same queue, so it is taken in order with appends,
 * on the one thread that owns the end of the log.
 */
final class PendingAppend {
    final FrameCodec.Encoded frame;
    /** True for a request to retire the newest segment, not an append; its future completes with 1 when it started a new one, else 0. */
    final boolean retire;
    final CompletableFuture<Long> future = new CompletableFuture<>();
    long firstSeq;
    Segment segment;
    long position;

    PendingAppend(FrameCodec.Encoded frame) {
        this(frame, false);
    }

    private PendingAppend(FrameCodec.Encoded frame, boolean retire) {
        this.frame = frame;
        this.retire = retire;
    }

    static PendingAppend retireRequest() {
        return new PendingAppend(null, true);
    }

    long lastSeq() {
        return firstSeq + frame.recordCount() - 1;
    }
}
