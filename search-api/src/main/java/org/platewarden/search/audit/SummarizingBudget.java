package org.platewarden.search.audit;

import java.util.List;

/**
 * A budget for individual audit records whose surplus is counted into summary records
 * ({@link AnonymousBudget}, {@link RefusedRecordBudget}): what the writer of its summaries needs.
 *
 * @param <S> a summary: one key's counted requests over a window
 */
public interface SummarizingBudget<S> {
    /**
     * Closes the current window if the clock has left it (with {@code closeCurrent}, also if not: at
     * shutdown), and hands over every summary not yet written. The caller writes each, and puts back
     * any whose write failed.
     */
    List<S> takeSummaries(boolean closeCurrent);

    /** A summary whose write failed: its counts are merged into its key's next summary. */
    void putBack(S summary);

    /** The audit record of a summary. */
    AuditEntry entryOf(S summary);

    /** How many requests a summary stands for. */
    long requestsOf(S summary);

    /** Requests counted and not yet handed over as summaries (current window included). */
    long pendingRequests();
}
