package org.platewarden.search.audit;

import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The closed sets of values an audit record's {@code action} and {@code outcome} take (see
 * {@link AuditEntry}). Auditors filter on them: a filter value outside the set can match nothing,
 * so it is refused (400) instead of answered with an empty page that looks like "no such records".
 * A new action or outcome must be added here, or auditors cannot filter on it.
 */
public final class AuditVocabulary {
    public static final SortedSet<String> ACTIONS = sorted("search", Corrections.SEARCH, Corrections.REQUEST, "hold_create", "hold_copy", "hold_release", "hold_extend",
            "hold_list", "audit_read", "audit_verify", "audit_recovery", "ops_indices", "retention_run", "compaction_run", "config_reload", AnonymousBudget.SUMMARY_ACTION,
            RefusedRecordBudget.SUMMARY_ACTION);
    public static final SortedSet<String> OUTCOMES = sorted("allowed", "refused", "invalid", "failed", "rate_limited", "unauthorized");

    private AuditVocabulary() {
    }

    /**
     * A record's outcome follows its status; one record says otherwise: a search the node was too busy
     * to run is {@code rate_limited} with status 503 ({@code Refusal.busy}), not {@code failed}.
     */
    public static String outcomeFor(int status) {
        return switch (status) {
            // 422: a configuration reload whose file is invalid
            case 400, 413, 422 -> "invalid";
            case 401 -> "unauthorized";
            // 404: a hold another agency's (or none): probing for other agencies' holds is a
            // refusal to an auditor, not a failure of the server
            case 403, 404 -> "refused";
            case 429 -> "rate_limited";
            default -> "failed";
        };
    }

    private static SortedSet<String> sorted(String... values) {
        return Collections.unmodifiableSortedSet(new TreeSet<>(List.of(values)));
    }
}
