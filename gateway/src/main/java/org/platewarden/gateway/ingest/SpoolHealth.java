package org.platewarden.gateway.ingest;

import java.util.concurrent.atomic.AtomicReference;
import org.platewarden.core.spool.Spool;
import org.platewarden.core.spool.SpoolFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the spool can take writes, for readiness: not failed (fail-stop after an fsync error)
 * and below capacity. A full spool clears by itself, without waiting for an append: once the
 * indexer advances the checkpoint (segments deleted), or, when the refusal was for want of free
 * disk, once the spool sees room on the disk again ({@link Spool#diskFull}, which it re-checks on
 * its own).
 */
public final class SpoolHealth {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolHealth.class);
    private final Spool spool;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Spool size when an append was last refused as full; -1 once an append succeeded again. */
    private final java.util.concurrent.atomic.AtomicLong refusedAtBytes = new java.util.concurrent.atomic.AtomicLong(-1);
    /** Whether the last refusal was for want of free disk rather than for the spool's capacity. */
    private volatile boolean refusedForDisk;

    public SpoolHealth(Spool spool) {
        this.spool = spool;
    }

    void observe(Throwable appendError) {
        Throwable t = Failures.unwrap(appendError);
        if (t instanceof SpoolFailedException f) failure.compareAndSet(null, f);
        if (t instanceof org.platewarden.core.spool.SpoolFullException full) {
            refusedForDisk = full.diskFull();
            // logged once per episode (the first refusal), not per refused read
            if (refusedAtBytes.getAndSet(spool.sizeBytes()) < 0) {
                LOG.warn("spool full ({}; {} of {} bytes): refusing reads (HTTP 429, MQTT PUBACK withheld) until space is freed:"
                        + " by the indexer (is it running, is Elasticsearch reachable?) or, for a full disk, by you",
                        t.getMessage(), spool.sizeBytes(), spool.capacityBytes());
            }
        }
    }

    void appended() {
        if (refusedAtBytes.getAndSet(-1) >= 0) LOG.info("spool accepts reads again ({} of {} bytes)", spool.sizeBytes(), spool.capacityBytes());
    }

    public boolean failed() {
        return failure.get() != null;
    }

    public boolean full() {
        long size = spool.sizeBytes();
        long refusedAt = refusedAtBytes.get();
        // "full" is not only size >= capacity: an append may not fit in what is left. Stay not-ready
        // until the indexer has freed space since the last refusal, or, for a full disk, until the
        // spool has seen room on it again (space ops freed, while no append came to try it)
        if (size >= spool.capacityBytes()) return true;
        if (refusedAt < 0 || size < refusedAt) return false;
        return !refusedForDisk || spool.diskFull();
    }

    public boolean writable() {
        return !failed() && !full();
    }

    public String describe() {
        if (failed()) return "spool failed: " + failure.get().getMessage();
        if (full()) {
            return "spool full: " + spool.sizeBytes() + " of " + spool.capacityBytes() + " bytes"
                    + (refusedForDisk && spool.diskFull() ? ", too little free space on its disk" : "");
        }
        return "spool writable: " + spool.sizeBytes() + " of " + spool.capacityBytes() + " bytes";
    }
}
