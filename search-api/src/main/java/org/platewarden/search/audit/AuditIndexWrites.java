package org.platewarden.search.audit;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the audit index takes this node's records, as its writes have said: failing from the first
 * failed write after the last one that succeeded, until one succeeds again. The index refusing writes
 * (a write block, the flood-stage disk watermark) while the cluster answers and is green fails every
 * audited request closed, so readiness must say so, and it asks this, which writes nothing
 * ({@link ChainedAuditLog#writeProblem}). Thread-safe: writes complete on any event loop.
 */
final class AuditIndexWrites {
    private static final Logger LOG = LoggerFactory.getLogger(AuditIndexWrites.class);
    /** How much of Elasticsearch's answer a reason repeats. */
    private static final int MAX_ERROR_CHARS = 300;

    private final String index;
    private final AtomicReference<Failing> failing = new AtomicReference<>();

    /** Since when the writes have failed, and the last one's error. */
    private record Failing(Instant since, String error) {
    }

    AuditIndexWrites(String index) {
        this.index = index;
    }

    /** A write of a record to the index failed (refused, timed out, or Elasticsearch not reached). */
    void failed(Throwable e) {
        String error = String.valueOf(e.getMessage());
        String shown = error.length() <= MAX_ERROR_CHARS ? error : error.substring(0, MAX_ERROR_CHARS) + "...";
        failing.updateAndGet(f -> new Failing(f == null ? Instant.now() : f.since(), shown));
    }

    /** A write of a record to the index succeeded (created, or there already). */
    void succeeded() {
        Failing was = failing.getAndSet(null);
        if (was != null) LOG.info("audit index {} takes writes again (they had failed since {})", index, was.since());
    }

    /** Why the index takes no records now, as far as its last writes said; null when the last one succeeded. */
    String problem() {
        Failing f = failing.get();
        if (f == null) return null;
        return "the audit index " + index + " has failed every write since " + f.since() + " (the last: " + f.error()
                + "), so every audited request is answered 503; the records it lacks are sent again with each record, and each"
                + " second on their own";
    }
}
