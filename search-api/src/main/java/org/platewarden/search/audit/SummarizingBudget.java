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
     * shutdown), and hands over the summaries to write now ({@link RecordBudget#takeSummaries}: at most
     * one per key at a time). The caller writes each and settles it, {@link #written} or
     * {@link #putBack}; after a round whose writes all succeeded, it calls again for what was held back.
     */
    List<S> takeSummaries(boolean closeCurrent);

    /**
     * A summary handed over is in the trail: written, or its write failed after the record reached the
     * trail ({@link AuditUnavailableException#recordedAs}), which then has it in both copies. Never
     * written again: its requests would be counted twice.
     */
    void written(S summary);

    /**
     * A summary handed over whose write left no record ({@link AuditUnavailableException#leftNoRecord}):
     * kept with its audit id, written again with it later (joined by its key's next window's counts).
     */
    void putBack(S summary);

    /**
     * The audit record of a summary, with the summary's audit id ({@link AuditEntry#auditId}): the id
     * the answers of its counted requests named.
     */
    AuditEntry entryOf(S summary);

    /** How many requests a summary stands for. */
    long requestsOf(S summary);

    /** Requests counted and not yet handed over as summaries (current window included). */
    long pendingRequests();

    /** Its tallies as the tally file saves them across a crash and hands them back at start ({@link TallyFile}). */
    BudgetTallies<?> tallies();
}
