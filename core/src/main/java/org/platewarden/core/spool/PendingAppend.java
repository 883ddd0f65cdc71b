package org.platewarden.core.spool;

import java.util.concurrent.CompletableFuture;

/** One append waiting in the writer queue; the writer fills in where it landed. */
final class PendingAppend {
    final FrameCodec.Encoded frame;
    final CompletableFuture<Long> future = new CompletableFuture<>();
    long firstSeq;
    Segment segment;
    long position;

    PendingAppend(FrameCodec.Encoded frame) {
        this.frame = frame;
    }

    long lastSeq() {
        return firstSeq + frame.recordCount() - 1;
    }
}
