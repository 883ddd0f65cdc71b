package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The budget for individual audit records of an authenticated caller's refused requests: outcome
 * {@code invalid} (400, 413), {@code refused} (403, 404) or {@code rate_limited} (429). A static token
 * or JWT that leaks, or a misbehaving client, could otherwise send thousands of refused requests a
 * second, each a record of the never-deleted trail, until the audit disk is full and every search
 * fails closed. Per window, a caller gets at most {@code perUser} such records; a refused request past
 * it is answered as before but counted in a tally for its caller and window, and each tally becomes one
 * record when the window closes ({@value #SUMMARY_ACTION}, {@link #entryOf}), written with the audit id
 * that the answers it counts named ({@link #admit}). Never budgeted: allowed
 * requests (a result never leaves without its own record), failures ({@code failed}, 5xx), requests
 * without an authenticated caller ({@link AnonymousBudget}'s).
 *
 * <p>A caller is its agency, user and how it authenticated ({@link Caller}): users are unique within
 * an agency (the per-user rate limit keys them the same way), and a JWT's {@code sub} may not be a
 * static token's user, so the method adds no second budget for a user in practice, but keeps each
 * summary's {@code auth_method} exact. The windows, the bound on callers per window and the put-back
 * of a summary whose write failed are {@link RecordBudget}'s: at most {@code maxUsers} callers a
 * window get records or tallies of their own (JWT {@code sub}s are the issuer's to choose); the
 * refused requests of any further caller are counted under their agency's overflow tally (user
 * {@value #OVERFLOW_USER}, no auth method) — agencies are the configured ones, so those tallies are
 * few, and an agency's auditor still sees its own. Across a crash the counts are kept by the tally
 * file ({@link #tallies}, {@link TallyFile}), saved every tick or two: a crash loses at most those
 * since its last save (see docs/audit.md, "The refused-request budget").
 *
 * <p>One instance serves the node: the search service (a search refused) and the API server (any
 * other refusal) ask the same, and the server writes its summaries. Thread-safe.
 */
public final class RefusedRecordBudget implements SummarizingBudget<RecordBudget.Summary<RefusedRecordBudget.Caller>> {
    /** The action of a summary record. */
    public static final String SUMMARY_ACTION = "refused_summary";
    /** The user of an agency's tally of callers past the per-window bound on callers. */
    public static final String OVERFLOW_USER = "*";
    public static final int DEFAULT_MAX_USERS = 10_000;
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    /** The outcomes whose records are budgeted. */
    public static final Set<String> BUDGETED_OUTCOMES = Set.of("invalid", "refused", "rate_limited");

    /** Whose refused requests a tally counts (the user as a record keeps it: at most 1 024 characters). */
    public record Caller(String agency, String user, String authMethod) {
    }

    /** A tally's key in the tally file: {@code {"agency":…,"user":…,"auth_method":…}} (the last null for an overflow tally). */
    static final TallyKeys<Caller> CALLER_KEYS = new TallyKeys<>() {
        @Override
        public ObjectNode write(Caller caller) {
            return CanonicalJson.MAPPER.createObjectNode().put("agency", caller.agency()).put("user", caller.user())
                    .put("auth_method", caller.authMethod());
        }

        @Override
        public Caller read(JsonNode saved) throws IOException {
            if (!saved.path("agency").isTextual()) throw new IOException("no agency in key " + saved);
            return new Caller(saved.get("agency").asText(), text(saved, "user"), text(saved, "auth_method"));
        }

        private static String text(JsonNode saved, String name) throws IOException {
            JsonNode n = saved.path(name);
            if (!n.isTextual() && !n.isNull()) throw new IOException("no " + name + " in key " + saved);
            return n.isNull() ? null : n.asText();
        }
    };

    private final RecordBudget<Caller> budget;
    private final BudgetTallies<Caller> tallies;

    public RefusedRecordBudget(int perUser, int maxUsers, Duration window, Clock clock) {
        // no budget for the node as a whole: callers are configured tokens or an issuer's JWTs, bounded by maxUsers
        this.budget = new RecordBudget<>(perUser, Integer.MAX_VALUE, maxUsers, window, clock,
                caller -> new Caller(caller.agency(), OVERFLOW_USER, null));
        this.tallies = new BudgetTallies<>("refused", budget, CALLER_KEYS);
    }

    /** The configured budget ({@code search.refused_records_per_minute_per_user}), one-minute windows, on the system clock. */
    public static RefusedRecordBudget of(int perUserPerMinute) {
        return new RefusedRecordBudget(perUserPerMinute, DEFAULT_MAX_USERS, DEFAULT_WINDOW, Clock.systemUTC());
    }

    public int perUser() {
        return budget.perKey();
    }

    /**
     * Whether the budget applies to the entry's record: an authenticated caller's (every authenticated
     * principal has an agency; requests without one, and Platewarden's own records, have none), with a
     * budgeted outcome; not a summary itself.
     */
    public static boolean budgeted(AuditEntry entry) {
        return entry.agency() != null && BUDGETED_OUTCOMES.contains(entry.outcome()) && !SUMMARY_ACTION.equals(entry.action());
    }

    /**
     * Whether {@code entry} is written as a record of its own: always when it is not {@link #budgeted};
     * otherwise while its caller has budget left in the window. If not, it has been counted in its
     * caller's tally of the window, and the decision names the audit id of the summary record that
     * counts it: its answer carries that {@code audit_id}, with {@code "audit":"counted"} (the record is
     * written when the window closes).
     */
    public RecordBudget.Decision admit(AuditEntry entry) {
        // counted under its own outcome: a busy node's 503 is rate_limited, not the failure a 503 otherwise is
        return budgeted(entry) ? budget.admit(callerOf(entry), entry.action(), entry.status(), entry.outcome()) : RecordBudget.Decision.OWN_RECORD;
    }

    /**
     * A budgeted entry that was admitted but whose record could not be written (the audit trail
     * saturated or failing; its request is answered 503): counted into its caller's summary under
     * 503 and outcome {@code failed} (what the caller got), so the refusal is in the trail once the
     * trail takes writes again, as the anonymous budget does with its own. Entries the budget does
     * not apply to are not counted.
     */
    public void countUnrecorded(AuditEntry entry) {
        if (budgeted(entry)) budget.countUnrecorded(callerOf(entry), entry.action(), 503);
    }

    private static Caller callerOf(AuditEntry entry) {
        return new Caller(entry.agency(), AuditDocument.bounded(entry.user(), AuditDocument.MAX_FIELD_CHARS), entry.authMethod());
    }

    /** Every request counted rather than recorded since start (the metric {@code platewarden_audit_refused_summarized_total}). */
    public long countedRequests() {
        return budget.countedRequests();
    }

    @Override
    public List<RecordBudget.Summary<Caller>> takeSummaries(boolean closeCurrent) {
        return budget.takeSummaries(closeCurrent);
    }

    @Override
    public void written(RecordBudget.Summary<Caller> summary) {
        budget.written(summary);
    }

    @Override
    public void putBack(RecordBudget.Summary<Caller> summary) {
        budget.putBack(summary);
    }

    @Override
    public long requestsOf(RecordBudget.Summary<Caller> summary) {
        return summary.requests();
    }

    @Override
    public long pendingRequests() {
        return budget.pendingRequests();
    }

    /** Saved as {@code "refused"} in the tally file, keyed by caller. */
    @Override
    public BudgetTallies<Caller> tallies() {
        return tallies;
    }

    /**
     * The audit record of a summary: the caller's user, agency and auth method (an overflow tally:
     * user {@value #OVERFLOW_USER} and none), the outcome most of its requests had and that outcome's
     * most frequent status ({@link RecordBudget.Summary#dominantOutcome}: a minute of a busy node's
     * 503s is rate_limited, as each of their records within the budget is), in {@code query} the
     * window, the counts by status, by outcome and by action and when the first and last were counted,
     * and the summary's audit id, which the answers of the requests it counts named.
     */
    @Override
    public AuditEntry entryOf(RecordBudget.Summary<Caller> summary) {
        Caller caller = summary.key();
        ObjectNode query = RecordBudget.countsQuery(summary.windowStart(), summary.windowEnd(), summary.requests(), summary.byStatus(),
                summary.byAction());
        ObjectNode outcomes = query.putObject("by_outcome");
        summary.byOutcome().forEach(outcomes::put);
        if (summary.firstAt() != null) query.put("first_at", summary.firstAt().toString());
        if (summary.lastAt() != null) query.put("last_at", summary.lastAt().toString());
        boolean overflow = caller.authMethod() == null && OVERFLOW_USER.equals(caller.user());
        String whose = overflow
                ? "of users of " + caller.agency() + " past the first " + budget.maxKeys() + " users of their window"
                : "of this user";
        String reason = summary.requests() + " refused, invalid or rate-limited request(s) " + whose + " between " + summary.windowStart()
                + " and " + summary.windowEnd() + " were over the budget for individual audit records (" + perUser()
                + " per user every " + budget.every() + ") and are counted in this record instead of recorded one by one;"
                + " their answers named this record's audit_id";
        return new AuditEntry(SUMMARY_ACTION, caller.user(), caller.agency(), Set.of(), null, null, query, null,
                summary.dominantOutcome(), reason, summary.dominantStatus(), 0, List.of(), summary.auditId(), summary.requests(),
                caller.authMethod(), null, null);
    }
}
