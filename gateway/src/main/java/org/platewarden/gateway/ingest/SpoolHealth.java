package org.platewarden.gateway.ingest;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
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
 *
 * <p>One instance serves every event loop (GatewayListeners), so a full spool is logged once per
 * episode, whichever loops meet it: a WARN at the first refused append, and an INFO at the first
 * append stored once {@link #QUIET_SECONDS} have passed without a refusal. Refusals and successes
 * interleave while a spool is at its limit (a smaller append fits where a larger one did not; the
 * write queue drains between bursts), and ending the episode at every stored append let the next
 * refusal warn again: five WARNs in a second in a chaos test, which looked like one per event loop.
 */
public final class SpoolHealth {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolHealth.class);
    /** How long without a refusal ends an episode (at the next stored append). */
    static final long QUIET_SECONDS = 10;

    private final Spool spool;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Spool size when an append was last refused as full; -1 once an append succeeded again. */
    private final AtomicLong refusedAtBytes = new AtomicLong(-1);
    /** Whether the last refusal was for want of free disk rather than for the spool's capacity. */
    private volatile boolean refusedForDisk;
    private final LongSupplier nanoClock;
    private final Consumer<String> warn;
    private final Consumer<String> info;
    /** a full-spool episode is under way: its WARN was written, its INFO not yet */
    private final AtomicBoolean episode = new AtomicBoolean();
    private final AtomicLong lastRefusalNanos = new AtomicLong();
    private final AtomicLong refusedInEpisode = new AtomicLong();

    public SpoolHealth(Spool spool) {
        this(spool, System::nanoTime, LOG::warn, LOG::info);
    }

    SpoolHealth(Spool spool, LongSupplier nanoClock, Consumer<String> warn, Consumer<String> info) {
        this.spool = spool;
        this.nanoClock = nanoClock;
        this.warn = warn;
        this.info = info;
    }

    void observe(Throwable appendError) {
        Throwable t = Failures.unwrap(appendError);
        if (t instanceof SpoolFailedException f) failure.compareAndSet(null, f);
        if (t instanceof org.platewarden.core.spool.SpoolFullException full) {
            refusedForDisk = full.diskFull();
            refusedAtBytes.set(spool.sizeBytes());
            lastRefusalNanos.set(nanoClock.getAsLong());
            refusedInEpisode.incrementAndGet();
            // logged once per episode (its first refusal), not per refused read nor per event loop
            if (episode.compareAndSet(false, true)) {
                warn.accept("spool full (" + t.getMessage() + "; " + spool.sizeBytes() + " of " + spool.capacityBytes()
                        + " bytes): refusing reads (HTTP 429, MQTT PUBACK withheld) until space is freed:"
                        + " by the indexer (is it running, is Elasticsearch reachable?) or, for a full disk, by you");
            }
        }
    }

    void appended() {
        refusedAtBytes.set(-1);
        if (!episode.get() || nanoClock.getAsLong() - lastRefusalNanos.get() < TimeUnit.SECONDS.toNanos(QUIET_SECONDS)) return;
        if (episode.compareAndSet(true, false)) {
            info.accept("spool accepts reads again (" + spool.sizeBytes() + " of " + spool.capacityBytes() + " bytes; none refused for "
                    + QUIET_SECONDS + " s; " + refusedInEpisode.getAndSet(0) + " appends were refused as full since the warning)");
        }
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
