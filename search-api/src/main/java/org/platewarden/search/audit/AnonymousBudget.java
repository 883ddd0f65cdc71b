package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;

/**
 * The budget for individual audit records of requests without an authenticated caller
 * ({@link AuditEntry#anonymous()}: a 401, a 400 or 413 that named no caller). Anyone who reaches the
 * port can send those, and the audit trail is never deleted, so one record each would let anyone fill
 * the audit disk. Per window, a client address gets at most {@code perAddress} individual records,
 * and the node at most {@code perNode} across all addresses; a request past either is not dropped but
 * counted in a tally for its address and window, and each tally becomes one record when the window
 * closes ({@value #SUMMARY_ACTION}, {@link #entryOf}), written with the audit id the answers it counts
 * named ({@link #admit}).
 *
 * <p>Windows are fixed, not sliding: window {@code i} covers {@code [i·W, (i+1)·W)} of the clock's
 * epoch milliseconds (with the one-minute default, each UTC minute). An address can therefore get up
 * to twice its budget in a short time across a window boundary; that is accepted for a bound on disk
 * growth, which it still is (at most two windows' worth in any window's length).
 *
 * <p>Memory is bounded whatever arrives: at most {@code maxAddresses} addresses per window get
 * individual records or tallies of their own (an address new in a window once that many are known is
 * over budget, and its requests are counted under {@value #OVERFLOW_ADDRESS}, one tally for all such
 * addresses), and at most {@code 2·maxAddresses} have tallies at all, unwritten ones included; an
 * address has at most two audit ids and three tallies at a time ({@link RecordBudget}); a tally's
 * counts by status and by action have one entry per status or action the audited routes answer with.
 *
 * <p>Counts are never lost while the process runs: a summary whose write left no record is
 * {@link #putBack put back}, written again with its audit id, and joined by the same address's next
 * window's counts (its window then spans both). Across a crash they are kept by the tally file
 * ({@link #tallies}, {@link TallyFile}), saved every tick or two: a crash loses at most the counts
 * since its last save (see docs/audit.md, "The anonymous budget").
 *
 * <p>The accounting (windows, bounds, tallies, put-back) is {@link RecordBudget}'s, keyed by client
 * address, which the budget of authenticated callers' refused requests shares ({@link RefusedRecordBudget}).
 *
 * <p>Thread-safe.
 */
public final class AnonymousBudget implements SummarizingBudget<AnonymousBudget.Summary> {
    /** The action of a summary record. */
    public static final String SUMMARY_ACTION = "anonymous_summary";
    /** The client address of the tally of addresses past the per-window bound on addresses. */
    public static final String OVERFLOW_ADDRESS = "*";
    public static final int DEFAULT_MAX_ADDRESSES = 10_000;
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);

    /** A tally's key in the tally file: {@code {"client_address":…}} (null when it was not known). */
    static final TallyKeys<String> ADDRESS_KEYS = new TallyKeys<>() {
        @Override
        public ObjectNode write(String address) {
            return CanonicalJson.MAPPER.createObjectNode().put("client_address", address);
        }

        @Override
        public String read(JsonNode saved) throws IOException {
            JsonNode address = saved.path("client_address");
            if (!address.isTextual() && !address.isNull()) throw new IOException("no client_address in key " + saved);
            return address.isNull() ? null : address.asText();
        }
    };

    private final RecordBudget<String> budget;
    private final BudgetTallies<String> tallies;

    public AnonymousBudget(int perAddress, int perNode, int maxAddresses, Duration window, Clock clock) {
        this.budget = new RecordBudget<>(perAddress, perNode, maxAddresses, window, clock, address -> OVERFLOW_ADDRESS);
        this.tallies = new BudgetTallies<>("anonymous", budget, ADDRESS_KEYS);
    }

    /** The configured budgets, one-minute windows, on the system clock. */
    public static AnonymousBudget of(int perAddressPerMinute, int perNodePerMinute) {
        return new AnonymousBudget(perAddressPerMinute, perNodePerMinute, DEFAULT_MAX_ADDRESSES, DEFAULT_WINDOW, Clock.systemUTC());
    }

    public int perAddress() {
        return budget.perKey();
    }

    public int perNode() {
        return budget.perNode();
    }

    public Duration window() {
        return budget.window();
    }

    /**
     * Whether a request without an authenticated caller gets a record of its own; if not, it has been
     * counted in its address's tally of the current window, and the decision names the audit id of the
     * summary record that counts it (its answer carries it).
     */
    public RecordBudget.Decision admit(String clientAddress, String action, int status) {
        return budget.admit(clientAddress, action, status);
    }

    /**
     * Counts a request that was admitted but whose own record could not be written because the
     * audit trail's share for such requests was full (answered 503): it is in no record otherwise,
     * so it goes into its address's summary, under status 503.
     */
    public void countUnrecorded(String clientAddress, String action, int status) {
        budget.countUnrecorded(clientAddress, action, status);
    }

    /** {@link RecordBudget#takeSummaries}: what to write now, at most one summary per address at a time. */
    @Override
    public List<Summary> takeSummaries(boolean closeCurrent) {
        return budget.takeSummaries(closeCurrent).stream().map(Summary::of).toList();
    }

    @Override
    public void written(Summary summary) {
        budget.written(summary.counts());
    }

    /** A summary whose write left no record: written again with its id, joined by its address's next window's counts. */
    @Override
    public void putBack(Summary summary) {
        budget.putBack(summary.counts());
    }

    /**
     * The audit record of a summary: user anonymous, its address, the dominant status and its outcome,
     * the counts in {@code query}, and the summary's audit id, which the answers it counts named.
     */
    @Override
    public AuditEntry entryOf(Summary summary) {
        String address = summary.clientAddress();
        String from = OVERFLOW_ADDRESS.equals(address)
                ? "from client addresses past the first " + budget.maxKeys() + " of their window"
                : "from " + (address == null ? "an unknown client address" : address);
        String reason = summary.requests() + " request(s) without valid credentials " + from + " between " + summary.windowStart()
                + " and " + summary.windowEnd() + " were over the budget for individual audit records (" + perAddress()
                + " per address and " + perNode() + " per node every " + budget.every() + ") and are counted in this record instead of recorded one by one;"
                + " their answers named this record's audit_id";
        int status = summary.dominantStatus();
        return new AuditEntry(SUMMARY_ACTION, AuditEntry.ANONYMOUS, null, Set.of(), null, null,
                RecordBudget.countsQuery(summary.windowStart(), summary.windowEnd(), summary.requests(), summary.byStatus(), summary.byAction()),
                address, AuditVocabulary.outcomeFor(status), reason, status, 0, List.of(), summary.auditId(), summary.requests(), null, null, null);
    }

    @Override
    public long requestsOf(Summary summary) {
        return summary.requests();
    }

    /** Requests counted and not yet handed over as summaries (current window included). */
    @Override
    public long pendingRequests() {
        return budget.pendingRequests();
    }

    /** Saved as {@code "anonymous"} in the tally file, keyed by client address. */
    @Override
    public BudgetTallies<String> tallies() {
        return tallies;
    }

    /**
     * What one summary record says: an address's requests over the budget in a window, by status and
     * action; {@code auditId} is the id its record is written with, which their answers named.
     */
    public record Summary(String clientAddress, String auditId, Instant windowStart, Instant windowEnd, long requests,
                          SortedMap<Integer, Long> byStatus, SortedMap<String, Long> byAction) {
        static Summary of(RecordBudget.Summary<String> s) {
            return new Summary(s.key(), s.auditId(), s.windowStart(), s.windowEnd(), s.requests(), s.byStatus(), s.byAction());
        }

        /** As the shared accounting keeps it (the first and last request's times are not in an anonymous summary). */
        RecordBudget.Summary<String> counts() {
            return new RecordBudget.Summary<>(clientAddress, auditId, windowStart, windowEnd, requests, byStatus, byAction, null, null);
        }

        /** The status most of the requests got (the lowest of equals); the record's status and outcome. */
        public int dominantStatus() {
            return RecordBudget.dominantStatus(byStatus);
        }
    }
}
