package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * A per-window budget of individual audit records per key, and the tallies of the requests past it:
 * the accounting shared by the anonymous budget (keyed by client address, {@link AnonymousBudget})
 * and the budget of authenticated callers' refused requests (keyed by caller,
 * {@link RefusedRecordBudget}). Per window, a key gets at most {@code perKey} individual records and
 * the node at most {@code perNode} across all keys; a request past either is not dropped but counted
 * in a tally for its key and window, and each tally becomes one summary record when the window closes.
 *
 * <p><b>Every counted request is told its record.</b> A tally has an audit id from the moment it is
 * created, and {@link #admit} names it ({@link Decision#countedAs}): the answer carries it, and the
 * summary record is written with that id ({@link AuditEntry#auditId}). So a tally is only ever merged
 * with a tally of the same id, and each id is written once:
 * <ul>
 * <li>a key's new tally (its first counted request of a window) takes the id of that key's newest
 * tally not yet written (one put back after a failed write), so the window's counts join it at the
 * close; without one, a new random id. A tally whose summary is being written (handed over by
 * {@link #takeSummaries}, not yet {@link #written} or {@link #putBack put back}) is never joined: its
 * write may succeed without the new counts.</li>
 * <li>a tally whose id the current window's tally has taken is not handed over until the window
 * closes and the two are one; and at most one tally of a key is handed over at a time.</li>
 * <li>a summary put back keeps its id (it is written again with it) and is merged with nothing else
 * but a tally of that id. A write that failed after the record reached the trail (its seq spent: it
 * will be in the journal and the index both) is not a failure here: the caller settles it as
 * {@link #written}, or its requests would be counted twice.</li>
 * </ul>
 * So a key has at most two ids not yet written at any time: a new id is taken only when the key has
 * no unwritten tally, and then at most one other (being written) exists. It has at most three tallies:
 * two unwritten or being written, and the current window's, which then shares the newer one's id.
 * (Were several of a key's summaries written at once, each failure could leave one more id behind a
 * new window's: without a bound while the trail refuses writes.)
 *
 * <p>Windows are fixed, not sliding: window {@code i} covers {@code [i·W, (i+1)·W)} of the clock's
 * epoch milliseconds (with a one-minute window, each UTC minute). A key can therefore get up to twice
 * its budget in a short time across a window boundary; that is accepted for a bound on disk growth,
 * which it still is (at most two windows' worth in any window's length). A clock set back by up to one
 * window keeps the window it was in; set back further, that window closes then (its tallies are handed
 * over) and a new one begins.
 *
 * <p>Memory is bounded whatever arrives: at most {@code maxKeys} keys per window get individual
 * records, and at most {@code maxKeys} keys per window a tally of their own, as long as fewer than
 * {@code 2·maxKeys} keys have tallies at all (in the current window, unwritten or being written: the
 * previous window's while its summaries are written, more only while writes fail). Any other key's
 * requests are counted under its overflow key, {@code overflowOf}: one tally for all such keys, or one
 * per group when the overflow key keeps part of the key, as long as the groups are few. With at most
 * three tallies a key, that is at most {@code 5·maxKeys} tallies plus three per overflow key, whatever
 * the failures; a tally's counts by status, by action and by outcome have one entry per status,
 * action or outcome the audited routes answer with. (The bound is decided when a key's tally is
 * created, because its id is told then: a tally of one id cannot later be folded into another's.)
 *
 * <p>Counts are never lost while the process runs: a summary whose write left no record is
 * {@link #putBack put back}, written again with its id, and joined by the same key's next window's
 * counts (its window then spans both). Across a crash they are kept by saving {@link #unwritten} every
 * tick or two ({@link BudgetTallies}) and handing the saved tallies back at the next start
 * ({@link #restore}), less those whose summary the trail already has: a crash loses at most the
 * counts of the last moments before it, since the last save.
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
    /** every key with a tally: current, unwritten or being written (a key with none is removed) */
    private final Map<K, KeyTallies<K>> tallies = new LinkedHashMap<>();
    /** keys of {@link #tallies} that are not overflow keys (bounded by 2·maxKeys) */
    private int ownKeys;
    /** of those, the ones with a tally in the current window (bounded by maxKeys) */
    private int ownInWindow;
    /** the order tallies were created in: the newest of a key's is the one a new tally joins */
    private long born;
    /** every request counted since start (a metric's source) */
    private long counted;
    /** changes to what {@link #unwritten} returns (counts, ends, settlements, restores): a save is needed when it moved */
    private long changes;

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

    /**
     * What {@link #admit} decided: a record of its own ({@code countedAs} null), or counted into the
     * tally whose summary record will have the audit id {@code countedAs} (the answer names it).
     */
    public record Decision(String countedAs) {
        /** The request gets a record of its own. */
        public static final Decision OWN_RECORD = new Decision(null);

        public boolean ownRecord() {
            return countedAs == null;
        }
    }

    /**
     * Whether a request gets a record of its own; if not, it has been counted in its key's tally of
     * the current window, and the decision names that tally's summary record.
     */
    public Decision admit(K key, String action, int status) {
        return admit(key, action, status, AuditVocabulary.outcomeFor(status));
    }

    /**
     * {@link #admit(Object, String, int)} for a request whose outcome does not follow from its status
     * alone (a search the node was too busy for: {@code rate_limited}, 503): its tally counts it under
     * that outcome, which its summary's outcome is decided by ({@link Summary#dominantOutcome}).
     */
    public synchronized Decision admit(K key, String action, int status, String outcome) {
        roll(clock.millis());
        Integer used = admitted.get(key);
        boolean known = used != null;
        if ((known ? used : 0) < perKey && admittedTotal < perNode && (known || admitted.size() < maxKeys)) {
            admitted.put(key, known ? used + 1 : 1);
            admittedTotal++;
            return Decision.OWN_RECORD;
        }
        return new Decision(tally(key, action, status, outcome));
    }

    /**
     * Counts a request that was admitted but whose own record could not be written (the audit
     * trail's share for such requests full): it is in no record otherwise, so it goes into its key's
     * summary under {@code status}, with the outcome that status says (a 503: {@code failed}).
     * Returns that summary's audit id.
     */
    public synchronized String countUnrecorded(K key, String action, int status) {
        roll(clock.millis());
        return tally(key, action, status, AuditVocabulary.outcomeFor(status));
    }

    /** Counts the request in its key's (or its overflow key's) tally of the window; returns the tally's id. */
    private String tally(K key, String action, int status, String outcome) {
        Tally<K> t = currentFor(key);
        t.count(action, status, outcome, clock.instant());
        counted++;
        changes++;
        return t.id;
    }

    /** The current window's tally {@code key}'s requests go into, created if need be. */
    private Tally<K> currentFor(K key) {
        KeyTallies<K> there = tallies.get(key);
        if (there != null && there.current != null) return there.current;
        K overflowKey = overflowOf.apply(key);
        boolean own = !Objects.equals(overflowKey, key);
        // a key with tallies already takes no more memory; a new one only while 2·maxKeys are known
        if (own && ownInWindow < maxKeys && (there != null || ownKeys < 2 * maxKeys)) return newCurrent(key, true);
        KeyTallies<K> overflow = tallies.get(overflowKey);
        if (overflow != null && overflow.current != null) return overflow.current;
        return newCurrent(overflowKey, false);
    }

    private Tally<K> newCurrent(K key, boolean own) {
        KeyTallies<K> kt = tallies.get(key);
        if (kt == null) {
            kt = new KeyTallies<>();
            tallies.put(key, kt);
            if (own) ownKeys++;
        }
        // joins the newest tally not yet written (never one being written: its write may succeed without these counts)
        Tally<K> newest = kt.unwritten.isEmpty() ? null : kt.unwritten.get(kt.unwritten.size() - 1);
        String id = newest != null ? newest.id : UUID.randomUUID().toString();
        long order = newest != null ? newest.born : ++born;
        kt.current = new Tally<>(key, id, order, windowStart(window), windowStart(window + 1));
        if (own) ownInWindow++;
        return kt.current;
    }

    /**
     * Closes the current window if the clock has left it (and, with {@code closeCurrent}, also if not:
     * at shutdown, its tallies then end now), and hands over summaries to write: for each key, its
     * oldest tally not yet written, unless one of the key's is being written already or the current
     * window's tally has taken its id (then it is written when the window closes). The caller writes
     * each and settles it: {@link #written} (also when the write failed after the record reached the
     * trail), or {@link #putBack} when it left no record. A key's second unwritten tally is handed over
     * once its first is settled: call again after a round whose writes all succeeded.
     */
    public synchronized List<Summary<K>> takeSummaries(boolean closeCurrent) {
        long now = clock.millis();
        roll(now);
        if (closeCurrent) {
            Instant end = Instant.ofEpochMilli(now);
            if (closeCurrentTallies(t -> t.end = t.end.isAfter(end) ? end : t.end)) changes++;
        }
        List<Summary<K>> out = new ArrayList<>();
        for (KeyTallies<K> kt : tallies.values()) {
            if (kt.inFlight != null) continue;
            String adopted = kt.current == null ? null : kt.current.id;
            for (Iterator<Tally<K>> it = kt.unwritten.iterator(); it.hasNext(); ) {
                Tally<K> t = it.next();
                if (t.id.equals(adopted)) continue;
                it.remove();
                kt.inFlight = t;
                out.add(t.summary());
                break;
            }
        }
        return out;
    }

    /** A summary handed over by {@link #takeSummaries} is in the trail (written, or in it though its write failed): it is done. */
    public synchronized void written(Summary<K> summary) {
        settle(summary, true);
    }

    /**
     * A summary handed over by {@link #takeSummaries} whose write left no record: it is kept with its
     * id, written again at the next call, and joined by its key's next window's counts if the write
     * still fails then.
     */
    public synchronized void putBack(Summary<K> summary) {
        settle(summary, false);
    }

    private void settle(Summary<K> summary, boolean written) {
        KeyTallies<K> kt = tallies.get(summary.key());
        if (kt == null || kt.inFlight == null || !kt.inFlight.id.equals(summary.auditId())) {
            throw new IllegalArgumentException("summary " + summary.auditId() + " is not being written");
        }
        Tally<K> t = kt.inFlight;
        kt.inFlight = null;
        if (!written) kt.keep(t);
        if (kt.isEmpty()) forget(summary.key());
        changes++;
    }

    private void forget(K key) {
        tallies.remove(key);
        if (!Objects.equals(overflowOf.apply(key), key)) ownKeys--;
    }

    /** Requests counted and not yet handed over as summaries (current window included). */
    public synchronized long pendingRequests() {
        long n = 0;
        for (KeyTallies<K> kt : tallies.values()) {
            if (kt.current != null) n += kt.current.requests;
            for (Tally<K> t : kt.unwritten) n += t.requests;
        }
        return n;
    }

    /** Every request counted since start, written or not (monotonic). */
    public synchronized long countedRequests() {
        return counted;
    }

    /**
     * How many times what {@link #unwritten} returns has changed since start (monotonic): a saver
     * that read this before its last save need not save again while it has not moved.
     */
    public synchronized long changes() {
        return changes;
    }

    /**
     * Every tally whose summary is not yet in the trail — the current window's, those put back or of
     * closed windows, and those being written — one per audit id (a current tally that took an
     * unwritten one's id is merged with it, as the window's close will merge them), oldest first:
     * what a save keeps across a crash. A summary being written is among them until it is settled
     * {@link #written}: whether its write succeeded is not known until then.
     */
    public List<Summary<K>> unwritten() {
        List<Tally<K>> all = new ArrayList<>();
        // copied under the lock, sorted and converted outside it: the copies are this call's own
        synchronized (this) {
            for (KeyTallies<K> kt : tallies.values()) {
                Map<String, Tally<K>> byId = new LinkedHashMap<>();
                List<Tally<K>> ofKey = new ArrayList<>(kt.unwritten);
                if (kt.inFlight != null) ofKey.add(kt.inFlight);
                if (kt.current != null) ofKey.add(kt.current);
                for (Tally<K> t : ofKey) {
                    Tally<K> merged = byId.get(t.id);
                    if (merged == null) byId.put(t.id, t.copy());
                    else merged.add(t);
                }
                all.addAll(byId.values());
            }
        }
        all.sort(java.util.Comparator.comparingLong(t -> t.born));
        return all.stream().map(Tally::summary).toList();
    }

    /**
     * At start, before any request is counted: takes back tallies saved by {@link #unwritten} before
     * a crash, as tallies not yet written (in the order given, which is the order they were created
     * in), so the next {@link #takeSummaries} hands them over to be written with their own ids. The
     * caller has dropped those whose summary the trail already has. A tally of a window that had not
     * closed ends now (as at shutdown): its requests all came before. The id rules hold as before: the
     * key's next tally takes the newest restored id while it is not yet being written, and a saved
     * key has at most two ids (so at most two restored tallies). A node restarted with smaller bounds
     * takes them all back all the same: their ids were told, so they cannot fold into an overflow
     * tally; new keys go to the overflow key until they are written.
     */
    public synchronized void restore(List<Summary<K>> saved) {
        Instant now = clock.instant();
        for (Summary<K> s : saved) {
            KeyTallies<K> kt = tallies.get(s.key());
            if (kt == null) {
                kt = new KeyTallies<>();
                tallies.put(s.key(), kt);
                if (!Objects.equals(overflowOf.apply(s.key()), s.key())) ownKeys++;
            }
            Instant end = s.windowEnd().isAfter(now) && now.isAfter(s.windowStart()) ? now : s.windowEnd();
            kt.keep(Tally.of(s, ++born, end));
            changes++;
        }
    }

    private void roll(long nowMillis) {
        long current = Math.floorDiv(nowMillis, windowMillis);
        if (current == window) return;
        // a clock set back a little (a step across a window's start) keeps the window it is in: the
        // budget is not reset by it. Set back further (it had run ahead), the window it is in would not
        // close until the clock caught up with it, maybe days later, and its counts would wait unwritten
        // (a crash losing them all): it closes now, as when the clock leaves it forwards
        if (window != Long.MIN_VALUE && current < window && window - current <= 1) return;
        closeCurrentTallies(t -> { });
        admitted.clear();
        admittedTotal = 0;
        window = current;
    }

    /** The current window's tallies join the unwritten ones (the tally of their id, if there is one); whether there were any. */
    private boolean closeCurrentTallies(java.util.function.Consumer<Tally<K>> ending) {
        boolean any = false;
        for (KeyTallies<K> kt : tallies.values()) {
            if (kt.current == null) continue;
            ending.accept(kt.current);
            kt.keep(kt.current);
            kt.current = null;
            any = true;
        }
        ownInWindow = 0;
        return any;
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

    /**
     * One key's tallies: the current window's, those of closed windows not yet written (oldest first;
     * at most two, of different ids), and the one being written.
     */
    private static final class KeyTallies<K> {
        Tally<K> current;
        final List<Tally<K>> unwritten = new ArrayList<>(2);
        Tally<K> inFlight;

        /** Keeps {@code t} to be written: merged into the unwritten tally of its id, or beside them in the order they were created. */
        void keep(Tally<K> t) {
            int at = 0;
            for (Tally<K> u : unwritten) {
                if (u.id.equals(t.id)) {
                    u.add(t);
                    return;
                }
                if (u.born < t.born) at++;
            }
            unwritten.add(at, t);
        }

        boolean isEmpty() {
            return current == null && unwritten.isEmpty() && inFlight == null;
        }
    }

    /** One key's counted requests over a window (or several, when a failed write was joined by the next window's), under one audit id. */
    private static final class Tally<K> {
        final K key;
        /** the audit id of its summary record, told to every request it counts */
        final String id;
        /** the order in which the tallies of its id were first created */
        final long born;
        Instant start;
        Instant end;
        /** when the first and the last of its requests were counted */
        Instant first;
        Instant last;
        long requests;
        final SortedMap<Integer, Long> byStatus = new TreeMap<>();
        final SortedMap<String, Long> byAction = new TreeMap<>();
        /** by outcome, and within each by status: a 503 is a busy node's ({@code rate_limited}) or a failure's */
        final SortedMap<String, SortedMap<Integer, Long>> byOutcomeStatus = new TreeMap<>();

        Tally(K key, String id, long born, Instant start, Instant end) {
            this.key = key;
            this.id = id;
            this.born = born;
            this.start = start;
            this.end = end;
        }

        /** A saved summary's tally, taken back at start ({@link RecordBudget#restore}). */
        static <K> Tally<K> of(Summary<K> s, long born, Instant end) {
            Tally<K> t = new Tally<>(s.key(), s.auditId(), born, s.windowStart(), end);
            t.first = s.firstAt();
            t.last = s.lastAt();
            t.requests = s.requests();
            t.byStatus.putAll(s.byStatus());
            t.byAction.putAll(s.byAction());
            addAll(t.byOutcomeStatus, s.byOutcomeStatus());
            return t;
        }

        Tally<K> copy() {
            Tally<K> t = new Tally<>(key, id, born, start, end);
            t.add(this);
            return t;
        }

        void count(String action, int status, String outcome, Instant at) {
            if (first == null) first = at;
            last = at;
            requests++;
            byStatus.merge(status, 1L, Long::sum);
            byAction.merge(action == null ? "unknown" : action, 1L, Long::sum);
            byOutcomeStatus.computeIfAbsent(outcome, o -> new TreeMap<>()).merge(status, 1L, Long::sum);
        }

        void add(Tally<K> o) {
            if (o.start.isBefore(start)) start = o.start;
            if (o.end.isAfter(end)) end = o.end;
            if (first == null || o.first != null && o.first.isBefore(first)) first = o.first;
            if (last == null || o.last != null && o.last.isAfter(last)) last = o.last;
            requests += o.requests;
            o.byStatus.forEach((k, v) -> byStatus.merge(k, v, Long::sum));
            o.byAction.forEach((k, v) -> byAction.merge(k, v, Long::sum));
            addAll(byOutcomeStatus, o.byOutcomeStatus);
        }

        private static void addAll(SortedMap<String, SortedMap<Integer, Long>> into, Map<String, SortedMap<Integer, Long>> counts) {
            counts.forEach((outcome, statuses) -> statuses.forEach((status, n) ->
                    into.computeIfAbsent(outcome, o -> new TreeMap<>()).merge(status, n, Long::sum)));
        }

        Summary<K> summary() {
            SortedMap<String, SortedMap<Integer, Long>> outcomes = new TreeMap<>();
            addAll(outcomes, byOutcomeStatus);
            return new Summary<>(key, id, start, end, requests, new TreeMap<>(byStatus), new TreeMap<>(byAction), first, last, outcomes);
        }
    }

    /**
     * What one summary record says: a key's requests over the budget in a window, by status and
     * action, and when the first and last of them were counted (null when not known), and by outcome,
     * each outcome by status ({@code byOutcomeStatus}: a 503 is {@code rate_limited} when the node was
     * too busy for a search, {@code failed} when a refusal's record could not be written);
     * {@code auditId} is the id the record must be written with, which the answers of its requests named.
     */
    public record Summary<K>(K key, String auditId, Instant windowStart, Instant windowEnd, long requests, SortedMap<Integer, Long> byStatus,
                             SortedMap<String, Long> byAction, Instant firstAt, Instant lastAt,
                             SortedMap<String, SortedMap<Integer, Long>> byOutcomeStatus) {
        /**
         * A summary whose requests had the outcomes their statuses say ({@link AuditVocabulary#outcomeFor}):
         * what a tally counted before outcomes were counted (a tally file saved by an earlier version)
         * said, a 503 then being {@code failed}.
         */
        public Summary(K key, String auditId, Instant windowStart, Instant windowEnd, long requests, SortedMap<Integer, Long> byStatus,
                       SortedMap<String, Long> byAction, Instant firstAt, Instant lastAt) {
            this(key, auditId, windowStart, windowEnd, requests, byStatus, byAction, firstAt, lastAt, outcomesOf(byStatus));
        }

        /** Each status's requests under the outcome it says. */
        public static SortedMap<String, SortedMap<Integer, Long>> outcomesOf(SortedMap<Integer, Long> byStatus) {
            SortedMap<String, SortedMap<Integer, Long>> out = new TreeMap<>();
            byStatus.forEach((status, n) -> out.computeIfAbsent(AuditVocabulary.outcomeFor(status), o -> new TreeMap<>()).put(status, n));
            return out;
        }

        /** How many requests had each outcome (a summary record's {@code query.by_outcome}). */
        public SortedMap<String, Long> byOutcome() {
            SortedMap<String, Long> out = new TreeMap<>();
            byOutcomeStatus.forEach((outcome, statuses) -> out.put(outcome, sum(statuses)));
            return out;
        }

        /**
         * The outcome most of the requests had — the record's outcome, so a minute of a busy node's
         * 503s is {@code rate_limited}, not {@code failed} — a tie going to the outcome whose own
         * most frequent status is the lowest (then to the first by name).
         */
        public String dominantOutcome() {
            String best = null;
            long most = -1;
            int bestStatus = Integer.MAX_VALUE;
            for (Map.Entry<String, SortedMap<Integer, Long>> e : byOutcomeStatus.entrySet()) {
                long n = sum(e.getValue());
                int status = RecordBudget.dominantStatus(e.getValue());
                if (n > most || n == most && status < bestStatus) {
                    best = e.getKey();
                    most = n;
                    bestStatus = status;
                }
            }
            return best != null ? best : AuditVocabulary.outcomeFor(RecordBudget.dominantStatus(byStatus));
        }

        /** The status most of the {@link #dominantOutcome} requests got (the lowest of equals): the record's status. */
        public int dominantStatus() {
            SortedMap<Integer, Long> ofOutcome = byOutcomeStatus.get(dominantOutcome());
            return RecordBudget.dominantStatus(ofOutcome != null ? ofOutcome : byStatus);
        }

        private static long sum(Map<Integer, Long> counts) {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
