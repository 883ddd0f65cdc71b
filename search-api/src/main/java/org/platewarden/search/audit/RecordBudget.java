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
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * A per-window budget of individual audit records per key, and the tallies of the requests past it:
 * the accounting shared by the anonymous budget (keyed by client address, {@link AnonymousBudget})
 * and the budget of authenticated callers' refused requests (keyed by caller,
 * {@link RefusedRecordBudget}). Per window, a key gets at most {@code perKey} individual records and
 * the node at most {@code perNode} across all keys; a request past either is not dropped but counted
 * in a tally for its key and window, and each tally becomes one summary when the window closes.
 *
 * <p>Windows are fixed, not sliding: window {@code i} covers {@code [i·W, (i+1)·W)} of the clock's
 * epoch milliseconds (with a one-minute window, each UTC minute). A key can therefore get up to twice
 * its budget in a short time across a window boundary; that is accepted for a bound on disk growth,
 * which it still is (at most two windows' worth in any window's length). A clock set back by up to one
 * window keeps the window it was in; set back further, that window closes then (its tallies are handed
 * over) and a new one begins.
 *
 * <p>Memory is bounded whatever arrives: at most {@code maxKeys} keys per window get individual
 * records or tallies of their own (a key new in a window once that many are known is over budget, and
 * its requests are counted under its overflow key, {@code overflowOf}: one tally for all such keys, or
 * one per group when the overflow key keeps part of the key, as long as the groups are few); the
 * tallies not yet written are merged by key into at most {@code maxKeys} plus the overflow tallies; a
 * tally's counts by status and by action have one entry per status or action the audited routes
 * answer with.
 *
 * <p>Counts are never lost while the process runs: a summary whose write failed is {@link #putBack
 * put back} and merged into the same key's next summary (its window then spans both). They are kept
 * in memory only: a crash loses the counts of the current window and of any summary not yet written.
 *
 * <p>Thread-safe; the methods are short and synchronized.
 */
public final class RecordBudget<K> {
    private final int perKey;
    private final int perNode;
    private final int maxKeys;
    private final long windowMillis;
    private final Clock clock;
    private final UnaryOperator<K> overflowOf;

    /** the current window's index (epoch millis / window) */
    private long window = Long.MIN_VALUE;
    /** individual records per key in the current window: at most min(perNode, maxKeys) entries */
    private final Map<K, Integer> admitted = new HashMap<>();
    private int admittedTotal;
    /** the current window's tallies */
    private final Tallies surplus = new Tallies();
    /** closed windows' tallies, waiting to be written (again, after a failure) */
    private final Tallies unwritten = new Tallies();
    /** every request counted since start (a metric's source) */
    private long counted;

    /**
     * @param overflowOf the key under which a key past the bound of {@code maxKeys} is counted; a key
     *                   that is its own overflow key is one (e.g. {@code "*"})
     */
    public RecordBudget(int perKey, int perNode, int maxKeys, Duration window, Clock clock, UnaryOperator<K> overflowOf) {
        if (perKey < 1 || perNode < 1 || maxKeys < 1) {
            throw new IllegalArgumentException("record budgets must be at least 1: " + perKey + ", " + perNode + ", " + maxKeys);
        }
        if (window.toMillis() < 1) throw new IllegalArgumentException("a record budget's window must be at least 1 ms");
        this.perKey = perKey;
        this.perNode = perNode;
        this.maxKeys = maxKeys;
        this.windowMillis = window.toMillis();
        this.clock = clock;
        this.overflowOf = overflowOf;
    }

    public int perKey() {
        return perKey;
    }

    public int perNode() {
        return perNode;
    }

    public int maxKeys() {
        return maxKeys;
    }

    public Duration window() {
        return Duration.ofMillis(windowMillis);
    }

    /** The window's length as a reason states it: "minute", or its milliseconds. */
    public String every() {
        return windowMillis == 60_000 ? "minute" : windowMillis + " ms";
    }

    /** Whether a request gets a record of its own; if not, it has been counted in its key's tally of the current window. */
    public synchronized boolean admit(K key, String action, int status) {
        roll(clock.millis());
        Integer used = admitted.get(key);
        boolean known = used != null;
        if ((known ? used : 0) < perKey && admittedTotal < perNode && (known || admitted.size() < maxKeys)) {
            admitted.put(key, known ? used + 1 : 1);
            admittedTotal++;
            return true;
        }
        tally(key, action, status);
        return false;
    }

    /**
     * Counts a request that was admitted but whose own record could not be written (the audit
     * trail's share for such requests full): it is in no record otherwise, so it goes into its key's
     * summary under {@code status}.
     */
    public synchronized void countUnrecorded(K key, String action, int status) {
        roll(clock.millis());
        tally(key, action, status);
    }

    private void tally(K key, String action, int status) {
        surplus.of(key, windowStart(window), windowStart(window + 1)).count(action, status, clock.instant());
        counted++;
    }

    /**
     * Closes the current window if the clock has left it (and, with {@code closeCurrent}, also if not:
     * at shutdown, its tallies then end now), and hands over every tally not yet written, as summaries
     * to write. The caller writes each, and puts back any whose write failed.
     */
    public synchronized List<Summary<K>> takeSummaries(boolean closeCurrent) {
        long now = clock.millis();
        roll(now);
        if (closeCurrent && !surplus.isEmpty()) {
            Instant end = Instant.ofEpochMilli(now);
            surplus.forEach(t -> t.end = t.end.isAfter(end) ? end : t.end);
            surplus.moveInto(unwritten);
        }
        List<Summary<K>> out = new ArrayList<>();
        unwritten.forEach(t -> out.add(t.summary()));
        unwritten.clear();
        return out;
    }

    /** A summary whose write failed: its counts wait for the next window's close, merged with its key's next tally. */
    public synchronized void putBack(Summary<K> summary) {
        unwritten.add(Tally.of(summary));
    }

    /** Requests counted and not yet handed over as summaries (current window included). */
    public synchronized long pendingRequests() {
        return surplus.requests() + unwritten.requests();
    }

    /** Every request counted since start, written or not (monotonic). */
    public synchronized long countedRequests() {
        return counted;
    }

    private void roll(long nowMillis) {
        long current = Math.floorDiv(nowMillis, windowMillis);
        if (current == window) return;
        // a clock set back a little (a step across a window's start) keeps the window it is in: the
        // budget is not reset by it. Set back further (it had run ahead), the window it is in would not
        // close until the clock caught up with it, maybe days later, and its counts would wait unwritten
        // (a crash losing them all): it closes now, as when the clock leaves it forwards
        if (window != Long.MIN_VALUE && current < window && window - current <= 1) return;
        surplus.moveInto(unwritten);
        admitted.clear();
        admittedTotal = 0;
        window = current;
    }

    private Instant windowStart(long index) {
        return Instant.ofEpochMilli(index * windowMillis);
    }

    /**
     * The {@code query} of a summary record: its window, how many requests it stands for, and their
     * counts by status and by action.
     */
    public static ObjectNode countsQuery(Instant windowStart, Instant windowEnd, long requests, SortedMap<Integer, Long> byStatus,
                                         SortedMap<String, Long> byAction) {
        ObjectNode query = CanonicalJson.MAPPER.createObjectNode();
        query.put("window_start", windowStart.toString());
        query.put("window_end", windowEnd.toString());
        query.put("requests", requests);
        ObjectNode statuses = query.putObject("by_status");
        byStatus.forEach((k, v) -> statuses.put(Integer.toString(k), v));
        ObjectNode actions = query.putObject("by_action");
        byAction.forEach(actions::put);
        return query;
    }

    /** The status most of the requests got (the lowest of equals; 401 when none): a summary record's status and outcome. */
    public static int dominantStatus(SortedMap<Integer, Long> byStatus) {
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

    /** Tallies by key: at most {@code maxKeys} of their own, any further key's under its overflow key. */
    private final class Tallies {
        private final Map<K, Tally<K>> own = new LinkedHashMap<>();
        private final Map<K, Tally<K>> overflow = new LinkedHashMap<>();

        /** The tally {@code key}'s requests go into (a new one spans {@code start..end}). */
        Tally<K> of(K key, Instant start, Instant end) {
            Tally<K> there = own.get(key);
            if (there != null) return there;
            K overflowKey = overflowOf.apply(key);
            if (!Objects.equals(overflowKey, key) && own.size() < maxKeys) return own.computeIfAbsent(key, k -> new Tally<>(k, start, end));
            return overflow.computeIfAbsent(overflowKey, k -> new Tally<>(k, start, end));
        }

        void add(Tally<K> t) {
            of(t.key, t.start, t.end).add(t);
        }

        void moveInto(Tallies into) {
            forEach(into::add);
            clear();
        }

        void forEach(java.util.function.Consumer<Tally<K>> action) {
            own.values().forEach(action);
            overflow.values().forEach(action);
        }

        boolean isEmpty() {
            return own.isEmpty() && overflow.isEmpty();
        }

        long requests() {
            long n = 0;
            for (Tally<K> t : own.values()) n += t.requests;
            for (Tally<K> t : overflow.values()) n += t.requests;
            return n;
        }

        void clear() {
            own.clear();
            overflow.clear();
        }
    }

    /** One key's counted requests over a window (or, after a failed write, several merged). */
    private static final class Tally<K> {
        final K key;
        Instant start;
        Instant end;
        /** when the first and the last of its requests were counted (null: not known, a summary put back without them) */
        Instant first;
        Instant last;
        long requests;
        final SortedMap<Integer, Long> byStatus = new TreeMap<>();
        final SortedMap<String, Long> byAction = new TreeMap<>();

        Tally(K key, Instant start, Instant end) {
            this.key = key;
            this.start = start;
            this.end = end;
        }

        static <K> Tally<K> of(Summary<K> s) {
            Tally<K> t = new Tally<>(s.key(), s.windowStart(), s.windowEnd());
            t.first = s.firstAt();
            t.last = s.lastAt();
            t.requests = s.requests();
            t.byStatus.putAll(s.byStatus());
            t.byAction.putAll(s.byAction());
            return t;
        }

        void count(String action, int status, Instant at) {
            if (first == null) first = at;
            last = at;
            requests++;
            byStatus.merge(status, 1L, Long::sum);
            byAction.merge(action == null ? "unknown" : action, 1L, Long::sum);
        }

        void add(Tally<K> o) {
            if (o.start.isBefore(start)) start = o.start;
            if (o.end.isAfter(end)) end = o.end;
            if (first == null || o.first != null && o.first.isBefore(first)) first = o.first;
            if (last == null || o.last != null && o.last.isAfter(last)) last = o.last;
            requests += o.requests;
            o.byStatus.forEach((k, v) -> byStatus.merge(k, v, Long::sum));
            o.byAction.forEach((k, v) -> byAction.merge(k, v, Long::sum));
        }

        Summary<K> summary() {
            return new Summary<>(key, start, end, requests, new TreeMap<>(byStatus), new TreeMap<>(byAction), first, last);
        }
    }

    /**
     * What one summary record says: a key's requests over the budget in a window, by status and
     * action, and when the first and last of them were counted (null when not known).
     */
    public record Summary<K>(K key, Instant windowStart, Instant windowEnd, long requests, SortedMap<Integer, Long> byStatus,
                             SortedMap<String, Long> byAction, Instant firstAt, Instant lastAt) {
        /** The status most of the requests got (the lowest of equals); the record's status and outcome. */
        public int dominantStatus() {
            return RecordBudget.dominantStatus(byStatus);
        }
    }
}
