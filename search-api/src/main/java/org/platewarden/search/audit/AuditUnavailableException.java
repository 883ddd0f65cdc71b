package org.platewarden.search.audit;

/**
 * The audit trail could not make a record durable (journal or index failed, or its queue is full).
 * Callers fail the request closed; the HTTP layer answers 503 with Retry-After.
 */
public class AuditUnavailableException extends RuntimeException {
    private final boolean saturated;

    public AuditUnavailableException(String message, boolean saturated, Throwable cause) {
        super(message, cause);
        this.saturated = saturated;
    }

    /** true when the request was refused because too many audit writes are in flight (retry soon). */
    public boolean saturated() {
        return saturated;
    }
}
