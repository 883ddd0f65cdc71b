package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * What one audited request did, before the chain fields (seq, time, node, hashes) are added by the
 * {@link AuditLog}. {@code action}: search, search_correction (what a search in fact returned when
 * its page could not be fully fetched, or that it was answered 503 after its record reached the trail;
 * {@code query.corrects} names the search's audit id), request_correction (that any other audited
 * request was answered 503 after its record reached the trail: {@link Corrections}),
 * hold_create, hold_copy (what a hold's creation kept, written after the copy: {@code hit_count} and {@code read_ids} the held reads),
 * hold_release, hold_extend, hold_list, audit_read, audit_verify, audit_recovery (what a node's start-up took into
 * its journal or re-sent to the index: {@link ChainedAuditLog}), ops_indices, retention_run, compaction_run,
 * anonymous_summary (the requests without an authenticated caller from one client address in one window that
 * were over the budget for individual records, counted instead: {@link AnonymousBudget}; {@code requestCount}
 * is how many, {@code query} has the window and the counts by status and action), refused_summary (an
 * authenticated caller's refused, invalid or rate-limited requests in one window that were over its budget for
 * individual records, counted instead: {@link RefusedRecordBudget}; user, agency and auth method the caller's,
 * {@code requestCount} and {@code query} as for anonymous_summary, with the first and last request's times).
 * {@code outcome}: allowed, refused, invalid, failed, rate_limited, unauthorized. {@code query} is the full request body as received (or the query
 * parameters), kept verbatim for the auditor.
 *
 * <p>{@code auditId}, when not null, is the id the caller already handed out for this request
 * (the search API sends it to Elasticsearch as {@code X-Opaque-Id} before the record is written,
 * so the slow log and tasks API name the audit record; an {@code anonymous_summary} or
 * {@code refused_summary} carries the id that the answers of the requests it counts named); an
 * {@link AuditLog} must then use it as the record's {@link AuditRecord#auditId()}. When null, the log
 * allocates one.
 *
 * <p>{@code requestCount}, when not null, is how many requests the record stands for (an
 * {@code anonymous_summary} or {@code refused_summary}); every other record stands for one request and leaves it out, so
 * records written before the field existed hash as they did.
 *
 * <p>{@code authMethod}: how the caller authenticated ({@code static_token} or {@code jwt}), so an
 * auditor can tell a long-lived configured token from a short-lived JWT when tracing a misused
 * credential; null for requests without a caller and Platewarden's own records (left out, as above).
 *
 * <p>{@code proxyAddress}: the trusted proxy ({@code search.trusted_proxies}) whose
 * {@code X-Forwarded-For} named {@code clientAddress}; null when the client connected itself
 * (left out, as above).
 *
 * <p>{@code window}: for a search whose body was valid, the capture-time window it in fact
 * searched and the page size it used, defaults included ({@code window_from}, {@code window_to},
 * {@code page_limit} in the record, beside {@code query}, which keeps the body as sent), and the
 * days of it whose daily index was missing ({@code missing_days}, only when there were any); null for
 * every other record (left out, as above).
 */
public record AuditEntry(
        String action,
        String user,
        String agency,
        Set<String> roles,
        String purpose,
        String caseNumber,
        JsonNode query,
        String clientAddress,
        String outcome,
        String reason,
        int status,
        int hitCount,
        List<String> readIds,
        String auditId,
        Long requestCount,
        String authMethod,
        String proxyAddress,
        Window window) {

    /**
     * The effective capture-time window (both ends inclusive) and page size of a search, and the
     * days of it (UTC, {@code YYYY-MM-DD}) recorded as holding reads whose daily index was gone, so
     * the search could not see their reads (none: every day answered).
     */
    public record Window(java.time.Instant from, java.time.Instant to, int limit, List<String> missingDays) {
        public Window {
            missingDays = missingDays == null ? List.of() : List.copyOf(missingDays);
        }

        /** A window whose every day answered. */
        public Window(java.time.Instant from, java.time.Instant to, int limit) {
            this(from, to, limit, List.of());
        }
    }

    /** The same entry, naming how its caller authenticated. */
    public AuditEntry withAuthMethod(String method) {
        return new AuditEntry(action, user, agency, roles, purpose, caseNumber, query, clientAddress, outcome, reason, status, hitCount,
                readIds, auditId, requestCount, method, proxyAddress, window);
    }

    /** The same entry from {@code client}: its address, and the proxy it came through if any. */
    public AuditEntry from(ClientAddress client) {
        return new AuditEntry(action, user, agency, roles, purpose, caseNumber, query, client.address(), outcome, reason, status, hitCount,
                readIds, auditId, requestCount, authMethod, client.proxyAddress(), window);
    }

    /** The same entry, stating the window and page size its search in fact used (null: none). */
    public AuditEntry withWindow(Window searched) {
        return new AuditEntry(action, user, agency, roles, purpose, caseNumber, query, clientAddress, outcome, reason, status, hitCount,
                readIds, auditId, requestCount, authMethod, proxyAddress, searched);
    }

    /** The user recorded for a request that named no authenticated caller. */
    public static final String ANONYMOUS = "anonymous";

    /** An entry for one request, with the id the caller already handed out (or null). */
    public AuditEntry(String action, String user, String agency, Set<String> roles, String purpose, String caseNumber,
                      JsonNode query, String clientAddress, String outcome, String reason, int status, int hitCount,
                      List<String> readIds, String auditId) {
        this(action, user, agency, roles, purpose, caseNumber, query, clientAddress, outcome, reason, status, hitCount,
                readIds, auditId, null, null, null, null);
    }

    /** An entry whose id the audit log allocates. */
    public AuditEntry(String action, String user, String agency, Set<String> roles, String purpose, String caseNumber,
                      JsonNode query, String clientAddress, String outcome, String reason, int status, int hitCount,
                      List<String> readIds) {
        this(action, user, agency, roles, purpose, caseNumber, query, clientAddress, outcome, reason, status, hitCount,
                readIds, null, null, null, null, null);
    }

    /**
     * true when the entry names no authenticated caller. Every authenticated principal belongs to a
     * configured agency (a static token or JWT without one is refused), so an entry with no agency
     * and the user {@link #ANONYMOUS} (or none) is one anybody could have caused; a JWT whose
     * {@code sub} happens to be "anonymous" still carries its agency.
     */
    public boolean anonymous() {
        return agency == null && (user == null || ANONYMOUS.equals(user));
    }
}
