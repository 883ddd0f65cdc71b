package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.platewarden.search.audit.RefusedRecordBudget.Caller;
import org.platewarden.testkit.SettableClock;

/** The accounting of the budget for authenticated callers' refused requests, on a clock the test moves. */
class RefusedRecordBudgetTest {
    private static final Instant MINUTE = Instant.parse("2026-11-22T14:03:00Z");
    private final SettableClock clock = new SettableClock(MINUTE.plusSeconds(10));

    private RefusedRecordBudget budget(int perUser, int maxUsers) {
        return new RefusedRecordBudget(perUser, maxUsers, Duration.ofMinutes(1), clock);
    }

    /** A record of {@code user} of {@code agency} (a static token) with that status and its outcome. */
    private static AuditEntry entry(String agency, String user, String action, int status) {
        return new AuditEntry(action, user, agency, Set.of("investigator"), "personal", "C-1", null, "10.0.0.1",
                AuditVocabulary.outcomeFor(status), "refused (test)", status, 0, List.of()).withAuthMethod("static_token");
    }

    private static AuditEntry dpd(String action, int status) {
        return entry("DPD", "dpd.investigator", action, status);
    }

    private static Map<String, RecordBudget.Summary<Caller>> byUser(List<RecordBudget.Summary<Caller>> summaries) {
        return summaries.stream().collect(Collectors.toMap(s -> s.key().agency() + "/" + s.key().user(), Function.identity()));
    }

    @Test
    void aUserGetsItsBudgetOfRefusedRecordsPerWindowAndTheRestIsCountedIntoOneSummaryWhenTheWindowCloses() {
        RefusedRecordBudget b = budget(3, 10);
        assertTrue(b.admit(dpd("search", 403)).ownRecord());
        assertTrue(b.admit(dpd("search", 429)).ownRecord());
        assertTrue(b.admit(dpd("audit_read", 400)).ownRecord());
        clock.advance(Duration.ofSeconds(5));
        assertFalse(b.admit(dpd("search", 403)).ownRecord(), "the fourth refusal of the window");
        clock.advance(Duration.ofSeconds(20));
        assertFalse(b.admit(dpd("search", 429)).ownRecord());
        assertFalse(b.admit(dpd("hold_release", 404)).ownRecord());
        assertFalse(b.admit(dpd("search", 413)).ownRecord());
        assertTrue(b.admit(entry("DPD", "dpd.supervisor", "search", 403)).ownRecord(), "another user has its own budget");
        assertTrue(b.admit(entry("ACSO", "dpd.investigator", "search", 403)).ownRecord(), "the same name in another agency is another user");
        assertEquals(List.of(), b.takeSummaries(false), "the window is still open");
        assertEquals(4, b.pendingRequests());
        assertEquals(4, b.countedRequests());

        clock.advance(Duration.ofSeconds(25));
        List<RecordBudget.Summary<Caller>> summaries = b.takeSummaries(false);
        assertEquals(1, summaries.size());
        RecordBudget.Summary<Caller> s = summaries.get(0);
        assertEquals(new Caller("DPD", "dpd.investigator", "static_token"), s.key());
        assertEquals(4, s.requests());
        assertEquals(MINUTE, s.windowStart());
        assertEquals(MINUTE.plusSeconds(60), s.windowEnd());
        assertEquals(MINUTE.plusSeconds(15), s.firstAt());
        assertEquals(MINUTE.plusSeconds(35), s.lastAt());
        assertEquals(new TreeMap<>(Map.of(403, 1L, 404, 1L, 413, 1L, 429, 1L)), s.byStatus());
        assertEquals(new TreeMap<>(Map.of("search", 3L, "hold_release", 1L)), s.byAction());
        assertEquals(0, b.pendingRequests());
        assertEquals(4, b.countedRequests(), "the metric's count stays");
        assertEquals(List.of(), b.takeSummaries(false), "handed over once");
        // the new window has a fresh budget
        for (int i = 0; i < 3; i++) assertTrue(b.admit(dpd("search", 403)).ownRecord());
        assertFalse(b.admit(dpd("search", 403)).ownRecord());
    }

    /** Allowed requests, failures and requests without an authenticated caller never touch this budget. */
    @Test
    void onlyAuthenticatedCallersRefusedInvalidAndRateLimitedRequestsAreBudgeted() {
        RefusedRecordBudget b = budget(1, 10);
        assertTrue(b.admit(dpd("search", 403)).ownRecord());
        for (int i = 0; i < 100; i++) {
            assertTrue(b.admit(dpd("search", 200)).ownRecord(), "an allowed search always has its own record");
            assertTrue(b.admit(dpd("search", 503)).ownRecord(), "a failure is not a refusal");
            assertTrue(b.admit(dpd("search", 500)).ownRecord());
            assertTrue(b.admit(new AuditEntry("search", AuditEntry.ANONYMOUS, null, Set.of(), null, null, null, "10.0.0.1",
                    "unauthorized", "no token", 401, 0, List.of())).ownRecord(), "the anonymous budget's, not this one's");
            assertTrue(b.admit(new AuditEntry("audit_recovery", "platewarden:recovery", null, Set.of(), null, null, null, null,
                    "refused", "Platewarden's own", 403, 0, List.of())).ownRecord(), "no agency: not a caller's");
        }
        assertFalse(b.admit(dpd("search", 403)).ownRecord(), "the one refusal's budget is spent all the same");
        for (int status : new int[] {400, 404, 413, 429}) assertFalse(b.admit(dpd("search", status)).ownRecord(), "status " + status);
        assertEquals(5, b.countedRequests());
    }

    @Test
    void usersPastTheBoundOfAWindowAreCountedUnderTheirAgencysOverflowTally() {
        RefusedRecordBudget b = budget(1, 2);
        for (String user : List.of("u1", "u2", "u3", "u4")) {
            b.admit(entry("DPD", user, "search", 403));
            b.admit(entry("DPD", user, "search", 403));
        }
        b.admit(entry("ACSO", "a1", "search", 429));
        clock.advance(Duration.ofMinutes(1));
        Map<String, RecordBudget.Summary<Caller>> s = byUser(b.takeSummaries(false));
        assertEquals(Set.of("DPD/u1", "DPD/u2", "DPD/*", "ACSO/*"), s.keySet());
        assertEquals(1, s.get("DPD/u1").requests());
        assertEquals(1, s.get("DPD/u2").requests());
        // u3 and u4 were new once two users had records: every refusal of theirs is counted, under DPD's "*"
        assertEquals(4, s.get("DPD/*").requests());
        assertNull(s.get("DPD/*").key().authMethod());
        assertEquals(1, s.get("ACSO/*").requests(), "each agency's overflow apart");
    }

    /** JWT subjects are the issuer's to choose: a million of them keep a bounded number of tallies, and every refusal is counted. */
    @Test
    void memoryIsBoundedWhateverTheUsersAndNoCountIsLost() {
        RefusedRecordBudget b = budget(1, 100);
        long counted = 0;
        for (int i = 0; i < 1_000_000; i++) {
            if (!b.admit(entry(i % 2 == 0 ? "DPD" : "ACSO", "sub-" + i, "search", 403)).ownRecord()) counted++;
        }
        clock.advance(Duration.ofMinutes(1));
        List<RecordBudget.Summary<Caller>> summaries = b.takeSummaries(false);
        assertTrue(summaries.size() <= 102, "at most the bound plus one overflow per agency: " + summaries.size());
        assertEquals(counted, summaries.stream().mapToLong(RecordBudget.Summary::requests).sum());
        assertEquals(1_000_000 - 100, counted);
    }

    @Test
    void aSummaryPutBackKeepsItsIdAndIsJoinedByItsCallersNextCounts() {
        RefusedRecordBudget b = budget(1, 10);
        b.admit(dpd("search", 403));
        String id = b.admit(dpd("search", 403)).countedAs();
        assertEquals(id, b.admit(dpd("search", 429)).countedAs(), "one summary counts the caller's window");
        clock.advance(Duration.ofMinutes(1));
        List<RecordBudget.Summary<Caller>> first = b.takeSummaries(false);
        assertEquals(1, first.size());
        assertEquals(id, first.get(0).auditId(), "the summary's id is the one its requests' answers named");
        b.putBack(first.get(0)); // its write left no record
        assertEquals(2, b.pendingRequests(), "kept");
        List<RecordBudget.Summary<Caller>> retried = b.takeSummaries(false);
        assertEquals(first, retried, "tried again at the next tick, with its id");
        b.putBack(retried.get(0)); // and failed again: the caller's next counts join it, under its id
        b.admit(dpd("audit_read", 403));
        assertEquals(id, b.admit(dpd("audit_read", 403)).countedAs(), "told the id of the summary put back");
        clock.advance(Duration.ofSeconds(30));
        b.admit(dpd("audit_read", 400));
        clock.advance(Duration.ofSeconds(30));
        List<RecordBudget.Summary<Caller>> again = b.takeSummaries(false);
        assertEquals(1, again.size(), "one summary for the caller, spanning both windows");
        RecordBudget.Summary<Caller> merged = again.get(0);
        assertEquals(id, merged.auditId());
        assertEquals(4, merged.requests());
        assertEquals(MINUTE, merged.windowStart());
        assertEquals(MINUTE.plusSeconds(120), merged.windowEnd());
        assertEquals(MINUTE.plusSeconds(10), merged.firstAt());
        assertEquals(MINUTE.plusSeconds(100), merged.lastAt());
        assertEquals(new TreeMap<>(Map.of(400, 1L, 403, 2L, 429, 1L)), merged.byStatus());
        assertEquals(new TreeMap<>(Map.of("search", 2L, "audit_read", 2L)), merged.byAction());
        assertEquals(0, b.pendingRequests());
        b.written(merged);
        assertEquals(List.of(), b.takeSummaries(true));
    }

    @Test
    void atShutdownTheCurrentWindowIsClosedNow() {
        RefusedRecordBudget b = budget(1, 10);
        b.admit(dpd("search", 403));
        b.admit(dpd("search", 403));
        clock.advance(Duration.ofSeconds(5));
        List<RecordBudget.Summary<Caller>> s = b.takeSummaries(true);
        assertEquals(1, s.size());
        assertEquals(MINUTE.plusSeconds(15), s.get(0).windowEnd());
    }

    @Test
    void theSummaryRecordSaysWhoseRefusalsItCountsAndHow() {
        RefusedRecordBudget b = budget(120, 10);
        RecordBudget.Summary<Caller> s = new RecordBudget.Summary<>(new Caller("DPD", "dpd.investigator", "jwt"), "summary-1", MINUTE,
                MINUTE.plusSeconds(60), 500, new TreeMap<>(Map.of(429, 450L, 403, 50L)), new TreeMap<>(Map.of("search", 500L)),
                MINUTE.plusSeconds(2), MINUTE.plusSeconds(59));
        AuditEntry e = b.entryOf(s);
        assertEquals("refused_summary", e.action());
        assertEquals("summary-1", e.auditId(), "written with the id its requests' answers named");
        assertTrue(AuditVocabulary.ACTIONS.contains(e.action()), "auditors can filter on it");
        assertEquals("dpd.investigator", e.user());
        assertEquals("DPD", e.agency());
        assertEquals("jwt", e.authMethod());
        assertFalse(e.anonymous());
        assertNull(e.clientAddress());
        assertEquals(429, e.status());
        assertEquals("rate_limited", e.outcome());
        assertEquals(500L, e.requestCount());
        assertEquals("{\"by_action\":{\"search\":500},\"by_outcome\":{\"rate_limited\":450,\"refused\":50},"
                + "\"by_status\":{\"403\":50,\"429\":450},\"first_at\":\"2026-11-22T14:03:02Z\","
                + "\"last_at\":\"2026-11-22T14:03:59Z\",\"requests\":500,\"window_end\":\"2026-11-22T14:04:00Z\","
                + "\"window_start\":\"2026-11-22T14:03:00Z\"}", CanonicalJson.write(e.query()));
        assertTrue(e.reason().startsWith("500 refused, invalid or rate-limited request(s) of this user between 2026-11-22T14:03:00Z"
                + " and 2026-11-22T14:04:00Z were over the budget for individual audit records (120 per user every minute)"), e.reason());
        assertTrue(e.reason().endsWith("; their answers named this record's audit_id"), e.reason());
        assertFalse(RefusedRecordBudget.budgeted(e), "a summary is never itself counted");
        AuditEntry overflow = b.entryOf(new RecordBudget.Summary<>(new Caller("ACSO", "*", null), "summary-2", MINUTE, MINUTE.plusSeconds(60), 3,
                new TreeMap<>(Map.of(403, 3L)), new TreeMap<>(Map.of("search", 3L)), null, null));
        assertEquals("ACSO", overflow.agency());
        assertEquals("*", overflow.user());
        assertNull(overflow.authMethod());
        assertEquals("refused", overflow.outcome());
        assertFalse(overflow.query().has("first_at"), "left out when not known");
        assertTrue(overflow.reason().contains("of users of ACSO past the first 10 users of their window"), overflow.reason());
        // sealed, it verifies like any record and keeps its count
        var doc = AuditDocument.seal(e, "id", 1, MINUTE, "n", AuditDocument.GENESIS_HASH);
        assertEquals(500, doc.get(AuditDocument.REQUEST_COUNT).asLong());
        AuditEntry read = AuditDocument.toRecord(doc).entry();
        assertEquals(500L, read.requestCount());
        assertEquals("jwt", read.authMethod());
        assertEquals(CanonicalJson.write(e.query()), CanonicalJson.write(read.query()));
    }

    /**
     * A clock that ran ahead (a bad time source) and is put right: the window it was counting in now
     * lies in the future, and its counts must still be handed over to be written once the clock has
     * left it. Else no refused_summary is written (and a crash loses every count) until the clock has
     * caught up with it again, which may be days away.
     */
    @Test
    void aClockPutBackFromFarAheadStillHandsOverTheCountsItWasHolding() {
        RefusedRecordBudget b = budget(1, 10);
        clock.advance(Duration.ofDays(2)); // two days ahead
        assertTrue(b.admit(dpd("search", 403)).ownRecord());
        assertFalse(b.admit(dpd("search", 403)).ownRecord());
        assertFalse(b.admit(dpd("search", 429)).ownRecord());
        clock.advance(Duration.ofDays(-2)); // put right
        clock.advance(Duration.ofSeconds(1));
        assertEquals(2, b.takeSummaries(false).stream().mapToLong(RecordBudget.Summary::requests).sum(),
                "the counts of the window the clock left are handed over");
        assertEquals(0, b.pendingRequests());
    }

    @Test
    void aClockSetBackALittleKeepsItsWindowAndTheBudgetIsNotReset() {
        RefusedRecordBudget b = budget(1, 10);
        assertTrue(b.admit(dpd("search", 403)).ownRecord());
        clock.advance(Duration.ofSeconds(-30)); // back into the minute before
        assertFalse(b.admit(dpd("search", 403)).ownRecord(), "still the same window's budget");
        assertEquals(List.of(), b.takeSummaries(false));
    }

    @Test
    void aRefusalWhoseRecordCouldNotBeWrittenIsCountedUnder503AndAnAllowedOneIsNot() {
        RefusedRecordBudget b = budget(3, 10);
        AuditEntry refused = dpd("search", 403);
        assertTrue(b.admit(refused).ownRecord());
        b.countUnrecorded(refused); // its record failed: the trail saturated, answered 503
        b.countUnrecorded(dpd("search", 200)); // an allowed search is never budgeted: its 503 is the search's failure, not a refusal
        assertEquals(1, b.countedRequests());
        clock.advance(Duration.ofMinutes(1));
        RecordBudget.Summary<Caller> s = b.takeSummaries(false).get(0);
        assertEquals(1, s.requests());
        assertEquals(Map.of(503, 1L), s.byStatus());
        assertEquals(Map.of("search", 1L), s.byAction());
        assertEquals(Map.of("failed", 1L), s.byOutcome(), "what the caller got: a 503 that is no busy node's");
        assertEquals("failed", b.entryOf(s).outcome());
    }

    /** A search the node was too busy for (503, rate_limited), as SearchService records it. */
    private static AuditEntry busy() {
        return new AuditEntry("search", "dpd.investigator", "DPD", Set.of("investigator"), "stolen_vehicle", "C-1", null, "10.0.0.1",
                "rate_limited", "too many searches are running; retry shortly", 503, 0, List.of()).withAuthMethod("static_token");
    }

    /**
     * A summary takes the outcome most of its requests had, not the one its most frequent status
     * says: a busy node's 503s are rate_limited (status 503), while 503s whose record could not be
     * written stay failed, and the outcomes are counted next to the statuses.
     */
    @Test
    void aSummaryOfMostlyBusyNode503sIsRateLimitedAndOneOfMostlyUnwritten503sIsFailed() {
        RefusedRecordBudget b = budget(1, 10);
        assertTrue(b.admit(busy()).ownRecord());
        for (int i = 0; i < 5; i++) assertFalse(b.admit(busy()).ownRecord());
        for (int i = 0; i < 3; i++) assertFalse(b.admit(dpd("search", 429)).ownRecord());
        for (int i = 0; i < 4; i++) b.countUnrecorded(dpd("search", 403)); // answered 503: the trail refused their records
        clock.advance(Duration.ofMinutes(1));
        RecordBudget.Summary<Caller> s = b.takeSummaries(false).get(0);
        assertEquals(Map.of(503, 9L, 429, 3L), s.byStatus());
        assertEquals(Map.of("rate_limited", 8L, "failed", 4L), s.byOutcome());
        AuditEntry e = b.entryOf(s);
        assertEquals("rate_limited", e.outcome(), "5 busy 503s and 3 429s against 4 failures");
        assertEquals(503, e.status(), "the rate-limited requests' most frequent status");
        assertEquals("{\"failed\":4,\"rate_limited\":8}", CanonicalJson.write(e.query().get("by_outcome")));
        assertEquals("{\"429\":3,\"503\":9}", CanonicalJson.write(e.query().get("by_status")));

        b.written(s);
        for (int i = 0; i < 3; i++) b.admit(busy()); // a new window: one of its own, two counted
        for (int i = 0; i < 3; i++) b.countUnrecorded(dpd("search", 400));
        clock.advance(Duration.ofMinutes(1));
        AuditEntry failures = b.entryOf(b.takeSummaries(false).get(0));
        assertEquals("failed", failures.outcome(), "mostly 503s whose record could not be written");
        assertEquals(503, failures.status());
    }

    /** A tie goes to the outcome whose most frequent status is the lowest, as a tie of statuses went to the lowest. */
    @Test
    void aTieOfOutcomesGoesToTheLowerStatus() {
        RefusedRecordBudget b = budget(1, 10);
        b.admit(dpd("search", 403));
        for (int i = 0; i < 2; i++) b.admit(dpd("search", 429));
        for (int i = 0; i < 2; i++) b.admit(dpd("search", 403));
        clock.advance(Duration.ofMinutes(1));
        AuditEntry e = b.entryOf(b.takeSummaries(false).get(0));
        assertEquals("refused", e.outcome());
        assertEquals(403, e.status());
    }
}
