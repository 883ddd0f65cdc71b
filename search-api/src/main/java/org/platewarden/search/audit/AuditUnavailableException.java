package org.platewarden.search.audit;

/**
 * The audit trail could not make a record durable (journal or index failed, or its queue is full).
 * Callers fail the request closed; the HTTP layer answers 503 with Retry-After.
 *
 * <p>A record can fail and still be in the trail: once its seq is spent it is in the journal or the
 * index, and the log sees that it ends up in both (the backlog, start-up's repairs). Then
 * {@link #recordedAs} names it, and a caller that answers 503 writes a record saying so after it
 * ({@link AuditLog#recordOwed}), or the trail would describe an answer that never left.
 */
public class AuditUnavailableException extends RuntimeException {
    private final boolean saturated;
    private final String recordedAs;

    public AuditUnavailableException(String message, boolean saturated, Throwable cause) {
        this(message, saturated, cause, null);
    }

    public AuditUnavailableException(String message, boolean saturated, Throwable cause, String recordedAs) {
        super(message, cause);
        this.saturated = saturated;
        this.recordedAs = recordedAs;
    }

    /** true when the request was refused because too many audit writes are in flight (retry soon). */
    public boolean saturated() {
        return saturated;
    }

    /**
     * The audit id of the record when it is in the trail although its write failed (its seq was
     * spent: journaled and not indexed yet, or indexed and journaled with the next records); null
     * when the record is in neither copy.
     */
    public String recordedAs() {
        return recordedAs;
    }

    /**
     * Whether {@code e} is a write that left no record in the trail (neither copy): its request must
     * then be counted into a summary, or it would be in the trail nowhere.
     */
    public static boolean leftNoRecord(Throwable e) {
        return e instanceof AuditUnavailableException u && u.recordedAs() == null;
    }
}
