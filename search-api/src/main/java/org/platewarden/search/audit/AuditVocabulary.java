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
    public static final SortedSet<String> ACTIONS = sorted("search", "search_correction", "hold_create", "hold_release", "hold_extend",
            "hold_list", "audit_read", "audit_verify", "audit_recovery", "ops_indices", "retention_run", "compaction_run");
    public static final SortedSet<String> OUTCOMES = sorted("allowed", "refused", "invalid", "failed", "rate_limited", "unauthorized");

    private AuditVocabulary() {
    }

    private static SortedSet<String> sorted(String... values) {
        return Collections.unmodifiableSortedSet(new TreeSet<>(List.of(values)));
    }
}
