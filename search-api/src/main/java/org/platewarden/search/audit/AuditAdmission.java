package org.platewarden.search.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which audit records an {@link AuditLog} takes on: at most {@code capacity} in flight (each holds
 * a request open and a place in the writer's queue), and of those at most a quarter anonymous —
 * records of requests that named no authenticated caller ({@link AuditEntry#anonymous()}: a 401, a
 * 400 or 413 without a good token). Anyone who can reach the port can send those, so without a
 * share of their own a flood of them would take every slot and investigators' searches would be
 * refused 503; with it, authenticated records always have the rest, and may use every slot when no
 * flood is on. A record refused here is refused as saturated (503, Retry-After, no record: the trail
 * is what is full) and counted in {@code platewarden_audit_saturated_total{lane}}, so ops see a flood
 * that the audit trail itself cannot record. Before any of this, a request without an authenticated
 * caller past the anonymous budget gets no record at all, only a count ({@link AnonymousBudget}); the
 * {@code anonymous_summary} records of those counts take the authenticated lane ({@link ChainedAuditLog#record}).
 */
final class AuditAdmission {
    /**
     * Anonymous records may hold capacity / 4 slots (256 of the node's 1024): far more than honest
     * clients with a mistyped or expired token cause, while three quarters stay for authenticated work.
     */
    static final int ANONYMOUS_SHARE_DIVISOR = 4;
    static final String METRIC = "platewarden_audit_saturated";

    private final int capacity;
    private final int anonymousCapacity;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger anonymousInFlight = new AtomicInteger();
    private final Counter anonymousRefused;
    private final Counter authenticatedRefused;

    AuditAdmission(int capacity, MeterRegistry registry) {
        this.capacity = capacity;
        this.anonymousCapacity = Math.max(1, capacity / ANONYMOUS_SHARE_DIVISOR);
        this.anonymousRefused = refusals(registry, "anonymous");
        this.authenticatedRefused = refusals(registry, "authenticated");
    }

    private static Counter refusals(MeterRegistry registry, String lane) {
        return registry == null ? null : Counter.builder(METRIC).tag("lane", lane)
                .description("audit records refused because too many were in flight (their requests were answered 503 unaudited);"
                        + " lane=anonymous: the share of requests without an authenticated caller was full")
                .register(registry);
    }

    /** Takes a slot for a record, or throws a saturated {@link AuditUnavailableException}; a slot taken is given back by {@link #release}. */
    void admit(boolean anonymous) {
        if (anonymous && anonymousInFlight.incrementAndGet() > anonymousCapacity) {
            anonymousInFlight.decrementAndGet();
            throw refused(anonymousRefused, "audit trail saturated for requests without an authenticated caller ("
                    + anonymousCapacity + " of its " + capacity + " writes in flight)");
        }
        if (inFlight.incrementAndGet() > capacity) {
            inFlight.decrementAndGet();
            if (anonymous) anonymousInFlight.decrementAndGet();
            throw refused(anonymous ? anonymousRefused : authenticatedRefused, "audit trail saturated (" + capacity + " writes in flight)");
        }
    }

    void release(boolean anonymous) {
        inFlight.decrementAndGet();
        if (anonymous) anonymousInFlight.decrementAndGet();
    }

    private static AuditUnavailableException refused(Counter counter, String message) {
        if (counter != null) counter.increment();
        return new AuditUnavailableException(message, true, null);
    }
}
