package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The budget for individual audit records of requests without an authenticated caller
 * ({@link AuditEntry#anonymous()}: a 401, a 400 or 413 that named no caller). Anyone who reaches the
 * port can send those, and the audit trail is never deleted, so one record each would let anyone fill
 * the audit disk. Per window, a client address gets at most {@code perAddress} individual records,
 * and the node at most {@code perNode} across all addresses; a request past either is not dropped but
 * counted in a tally for its address and window, and each tally becomes one record when the window
 * closes ({@value #SUMMARY_ACTION}, {@link Summary#toEntry}).
 *
 * <p>Windows are fixed, not sliding: window {@code i} covers {@code [i·W, (i+1)·W)} of the clock's
 * epoch milliseconds (with the one-minute default, each UTC minute). An address can therefore get up
 * to twice its budget in a short time across a window boundary; that is accepted for a bound on disk
 * growth, which it still is (at most two windows' worth in any window's length).
 *
 * <p>Memory is bounded whatever arrives: at most {@code maxAddresses} addresses per window get
 * individual records or tallies of their own (an address new in a window once that many are known is
 * over budget, and its requests are counted under {@value #OVERFLOW_ADDRESS}, one tally for all such
 * addresses); the tallies not yet written are merged by address into at most {@code maxAddresses}
 * plus the overflow tally; a tally's counts by status and by action have one entry per status or
 * action the audited routes answer with.
 *
 * <p>Counts are never lost while the process runs: a summary whose write failed is {@link #putBack
 * put back} and merged into the same address's next summary (its window then spans both). They are
 * kept in memory only: a crash loses the counts of the current window and of any summary not yet
 * written (see docs/audit.md, "The anonymous budget").
 *
 * <p>Thread-safe; the methods are short and synchronized.
 */
public final class AnonymousBudget {
    /** The action of a summary record. */
    public static final String SUMMARY_ACTION = "anonymous_summary";
    /** The client address of the tally of addresses past the per-window bound on addresses. */
    public static final String OVERFLOW_ADDRESS = "*";
    public static final int DEFAULT_MAX_ADDRESSES = 10_000;
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);

    private final int perAddress;
    private final int perNode;
    private final int maxAddresses;
    private final long windowMillis;
    private final Clock clock;

    /** the current window's index (epoch millis / window) */
    private long window = Long.MIN_VALUE;
    /** individual records per address in the current window: at most min(perNode, maxAddresses) entries */
    private final Map<String, Integer> admitted = new HashMap<>();
    private int admittedTotal;
    /** the current window's tallies: at most maxAddresses + the overflow */
    private final Map<String, Tally> surplus = new HashMap<>();
    /** closed windows' tallies, waiting to be written (again, after a failure): at most maxAddresses + the overflow */
    private final Map<String, Tally> unwritten = new LinkedHashMap<>();

    public AnonymousBudget(int perAddress, int perNode, int maxAddresses, Duration window, Clock clock) {
        if (perAddress < 1 || perNode < 1 || maxAddresses < 1) {
            throw new IllegalArgumentException("anonymous record budgets must be at least 1: " + perAddress + ", " + perNode + ", " + maxAddresses);
        }
        if (window.toMillis() < 1) throw new IllegalArgumentException("anonymous budget window must be at least 1 ms");
        this.perAddress = perAddress;
        this.perNode = perNode;
        this.maxAddresses = maxAddresses;
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    /** The configured budgets, one-minute windows, on the system clock. */
    public static AnonymousBudget of(int perAddressPerMinute, int perNodePerMinute) {
        return new AnonymousBudget(perAddressPerMinute, perNodePerMinute, DEFAULT_MAX_ADDRESSES, DEFAULT_WINDOW, Clock.systemUTC());
    }

    public int perAddress() {
        return perAddress;
    }

    public int perNode() {
        return perNode;
    }

    public Duration window() {
        return Duration.ofMillis(windowMillis);
    }

    /**
     * Whether a request without an authenticated caller gets a record of its own; if not, it has been
     * counted in its address's tally of the current window.
     */
    public synchronized boolean admit(String clientAddress, String action, int status) {
        roll(clock.millis());
        Integer used = admitted.get(clientAddress);
        boolean known = used != null;
        if ((known ? used : 0) < perAddress && admittedTotal < perNode && (known || admitted.size() < maxAddresses)) {
            admitted.put(clientAddress, known ? used + 1 : 1);
            admittedTotal++;
            return true;
        }
        tally(clientAddress, action, status);
        return false;
    }

    /**
     * Counts a request that was admitted but whose own record could not be written because the
     * audit trail's share for such requests was full (answered 503): it is in no record otherwise,
     * so it goes into its address's summary, under status 503.
     */
    public synchronized void countUnrecorded(String clientAddress, String action, int status) {
        roll(clock.millis());
        tally(clientAddress, action, status);
    }

    private void tally(String clientAddress, String action, int status) {
        String key = surplus.containsKey(clientAddress) || surplus.size() - (surplus.containsKey(OVERFLOW_ADDRESS) ? 1 : 0) < maxAddresses
                ? clientAddress : OVERFLOW_ADDRESS;
        surplus.computeIfAbsent(key, k -> new Tally(k, windowStart(window), windowStart(window + 1))).count(action, status);
    }

    /**
     * Closes the current window if the clock has left it (and, with {@code closeCurrent}, also if not:
     * at shutdown, its tallies then end now), and hands over every tally not yet written, as summaries
     * to write. The caller writes each, and puts back any whose write failed.
     */
    public synchronized List<Summary> takeSummaries(boolean closeCurrent) {
        long now = clock.millis();
        roll(now);
        if (closeCurrent && !surplus.isEmpty()) {
            Instant end = Instant.ofEpochMilli(now);
            surplus.values().forEach(t -> t.end = t.end.isAfter(end) ? end : t.end);
            moveSurplus();
        }
        List<Summary> out = new ArrayList<>(unwritten.size());
        unwritten.values().forEach(t -> out.add(t.summary()));
        unwritten.clear();
        return out;
    }

    /** A summary whose write failed: its counts wait for the next window's close, merged with its address's next tally. */
    public synchronized void putBack(Summary summary) {
        merge(unwritten, Tally.of(summary));
    }

    /** The audit record of a summary: user anonymous, its address, the dominant status and its outcome, the counts in {@code query}. */
    public AuditEntry entryOf(Summary summary) {
        ObjectNode query = CanonicalJson.MAPPER.createObjectNode();
        query.put("window_start", summary.windowStart().toString());
        query.put("window_end", summary.windowEnd().toString());
        query.put("requests", summary.requests());
        ObjectNode statuses = query.putObject("by_status");
        summary.byStatus().forEach((k, v) -> statuses.put(Integer.toString(k), v));
        ObjectNode actions = query.putObject("by_action");
        summary.byAction().forEach(actions::put);
        String address = summary.clientAddress();
        String from = OVERFLOW_ADDRESS.equals(address)
                ? "from client addresses past the first " + maxAddresses + " of their window"
                : "from " + (address == null ? "an unknown client address" : address);
        String every = windowMillis == 60_000 ? "minute" : windowMillis + " ms";
        String reason = summary.requests() + " request(s) without valid credentials " + from + " between " + summary.windowStart()
                + " and " + summary.windowEnd() + " were over the budget for individual audit records (" + perAddress
                + " per address and " + perNode + " per node every " + every + ") and are counted in this record instead of recorded one by one";
        int status = summary.dominantStatus();
        return new AuditEntry(SUMMARY_ACTION, AuditEntry.ANONYMOUS, null, Set.of(), null, null, query, address,
                AuditVocabulary.outcomeFor(status), reason, status, 0, List.of(), null, summary.requests(), null, null, null);
    }

    /** Requests counted and not yet handed over as summaries (current window included). */
    public synchronized long pendingRequests() {
        long n = 0;
        for (Tally t : surplus.values()) n += t.requests;
        for (Tally t : unwritten.values()) n += t.requests;
        return n;
    }

    private void roll(long nowMillis) {
        long current = Math.floorDiv(nowMillis, windowMillis);
        if (current == window) return;
        // a clock set back keeps the window it is in: the budget is not reset by it
        if (window != Long.MIN_VALUE && current < window) return;
        moveSurplus();
        admitted.clear();
        admittedTotal = 0;
        window = current;
    }

    private void moveSurplus() {
        surplus.values().forEach(t -> merge(unwritten, t));
        surplus.clear();
    }

    private void merge(Map<String, Tally> into, Tally t) {
        Tally there = into.get(t.address);
        if (there == null && !OVERFLOW_ADDRESS.equals(t.address)
                && into.size() - (into.containsKey(OVERFLOW_ADDRESS) ? 1 : 0) >= maxAddresses) {
            there = into.computeIfAbsent(OVERFLOW_ADDRESS, k -> new Tally(k, t.start, t.end));
        }
        if (there == null) into.put(t.address, t.copy());
        else there.add(t);
    }

    private Instant windowStart(long index) {
        return Instant.ofEpochMilli(index * windowMillis);
    }

    /** One address's counted requests over a window (or, after a failed write, several merged). */
    private static final class Tally {
        final String address;
        Instant start;
        Instant end;
        long requests;
        final SortedMap<Integer, Long> byStatus = new TreeMap<>();
        final SortedMap<String, Long> byAction = new TreeMap<>();

        Tally(String address, Instant start, Instant end) {
            this.address = address;
            this.start = start;
            this.end = end;
        }

        static Tally of(Summary s) {
            Tally t = new Tally(s.clientAddress(), s.windowStart(), s.windowEnd());
            t.requests = s.requests();
            t.byStatus.putAll(s.byStatus());
            t.byAction.putAll(s.byAction());
            return t;
        }

        void count(String action, int status) {
            requests++;
            byStatus.merge(status, 1L, Long::sum);
            byAction.merge(action == null ? "unknown" : action, 1L, Long::sum);
        }

        void add(Tally o) {
            if (o.start.isBefore(start)) start = o.start;
            if (o.end.isAfter(end)) end = o.end;
            requests += o.requests;
            o.byStatus.forEach((k, v) -> byStatus.merge(k, v, Long::sum));
            o.byAction.forEach((k, v) -> byAction.merge(k, v, Long::sum));
        }

        Tally copy() {
            Tally t = new Tally(address, start, end);
            t.add(this);
            return t;
        }

        Summary summary() {
            return new Summary(address, start, end, requests, new TreeMap<>(byStatus), new TreeMap<>(byAction));
        }
    }

    /** What one summary record says: an address's requests over the budget in a window, by status and action. */
    public record Summary(String clientAddress, Instant windowStart, Instant windowEnd, long requests,
                          SortedMap<Integer, Long> byStatus, SortedMap<String, Long> byAction) {
        /** The status most of the requests got (the lowest of equals); the record's status and outcome. */
        public int dominantStatus() {
            int best = 401;
            long most = -1;
            for (Map.Entry<Integer, Long> e : byStatus.entrySet()) {
                if (e.getValue() > most) {
                    best = e.getKey();
                    most = e.getValue();
                }
            }
            return best;
        }
    }
}
