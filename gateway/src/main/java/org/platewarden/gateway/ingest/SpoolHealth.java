package org.platewarden.gateway.ingest;

import java.util.concurrent.atomic.AtomicReference;
import org.platewarden.core.spool.Spool;
import org.platewarden.core.spool.SpoolFailedException;

/**
 * Whether the spool can take writes, for readiness: not failed (fail-stop after an fsync error)
 * and below capacity. A full spool clears by itself once the indexer advances the checkpoint.
 */
public final class SpoolHealth {
    private final Spool spool;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    public SpoolHealth(Spool spool) {
        this.spool = spool;
    }

    void observe(Throwable appendError) {
        if (Failures.unwrap(appendError) instanceof SpoolFailedException f) failure.compareAndSet(null, f);
    }

    public boolean failed() {
        return failure.get() != null;
    }

    public boolean full() {
        return spool.sizeBytes() >= spool.capacityBytes();
    }

    public boolean writable() {
        return !failed() && !full();
    }

    public String describe() {
        if (failed()) return "spool failed: " + failure.get().getMessage();
        if (full()) return "spool full: " + spool.sizeBytes() + " of " + spool.capacityBytes() + " bytes";
        return "spool writable: " + spool.sizeBytes() + " of " + spool.capacityBytes() + " bytes";
    }
}
