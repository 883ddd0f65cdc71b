package org.platewarden.search.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.platewarden.search.audit.AnonymousBudget;
import org.platewarden.search.audit.AuditLog;
import org.platewarden.search.audit.RecordBudget;

/**
 * The budget for individual records of requests without an authenticated caller
 * ({@link AnonymousBudget}), and the writing of its summaries ({@link BudgetSummaries}): one
 * {@code anonymous_summary} record per address with a surplus at each window's close and at shutdown.
 * Metrics: {@code platewarden_audit_anonymous_summarized_total} (requests counted) and
 * {@code platewarden_audit_anonymous_summaries_total{result}}. Use from the verticle's context.
 */
final class AnonymousSummaries extends BudgetSummaries<AnonymousBudget.Summary> {
    private final AnonymousBudget budget;
    private final Counter summarized;

    AnonymousSummaries(AnonymousBudget budget, AuditLog log, MeterRegistry registry) {
        super(budget, log, registry, "anonymous", AnonymousBudget.SUMMARY_ACTION);
        this.budget = budget;
        this.summarized = Counter.builder("platewarden_audit_anonymous_summarized")
                .description("requests without an authenticated caller over the budget for individual audit records:"
                        + " answered as before, counted into their address's anonymous_summary record")
                .register(registry);
    }

    /** A record of the request's own, or counted into its address's summary, whose audit id the decision names. */
    RecordBudget.Decision admit(String clientAddress, String action, int status) {
        RecordBudget.Decision decision = budget.admit(clientAddress, action, status);
        if (!decision.ownRecord()) summarized.increment();
        return decision;
    }

    /** An admitted request whose own record the trail refused (its share full, 503): counted into its summary. */
    void countUnrecorded(String clientAddress, String action, int status) {
        budget.countUnrecorded(clientAddress, action, status);
        summarized.increment();
    }
}
