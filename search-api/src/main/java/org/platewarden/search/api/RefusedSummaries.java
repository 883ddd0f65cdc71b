package org.platewarden.search.api;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.audit.AuditLog;
import org.platewarden.search.audit.RecordBudget;
import org.platewarden.search.audit.RefusedRecordBudget;

/**
 * The budget for individual records of authenticated callers' refused requests
 * ({@link RefusedRecordBudget}), and the writing of its summaries ({@link BudgetSummaries}): one
 * {@code refused_summary} record per caller with a surplus at each window's close and at shutdown.
 * The search service asks the same budget for the searches it refuses, so the requests counted are
 * read from the budget: {@code platewarden_audit_refused_summarized_total}; and
 * {@code platewarden_audit_refused_summaries_total{result}}. Use from the verticle's context.
 */
final class RefusedSummaries extends BudgetSummaries<RecordBudget.Summary<RefusedRecordBudget.Caller>> {
    private final RefusedRecordBudget budget;

    RefusedSummaries(RefusedRecordBudget budget, AuditLog log, MeterRegistry registry) {
        super(budget, log, registry, "refused", RefusedRecordBudget.SUMMARY_ACTION);
        this.budget = budget;
        FunctionCounter.builder("platewarden_audit_refused_summarized", budget, RefusedRecordBudget::countedRequests)
                .description("refused, invalid or rate-limited requests of authenticated callers over the per-user budget for"
                        + " individual audit records: answered as before, counted into their caller's refused_summary record")
                .register(registry);
    }

    /** A record of its own for the entry, or counted into its caller's summary, whose audit id the decision names. */
    RecordBudget.Decision admit(AuditEntry entry) {
        return budget.admit(entry);
    }

    /** An admitted entry whose record could not be written: {@link RefusedRecordBudget#countUnrecorded}. */
    void countUnrecorded(AuditEntry entry) {
        budget.countUnrecorded(entry);
    }
}
