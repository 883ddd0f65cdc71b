package org.platewarden.search.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.platewarden.testkit.SettableClock;

/** The accounting of the anonymous budget, on a clock the test moves: windows, both budgets, the bound on addresses. */
class AnonymousBudgetTest {
    private static final Instant MINUTE = Instant.parse("2026-11-22T14:03:00Z");
    private final SettableClock clock = new SettableClock(MINUTE.plusSeconds(10));

    private AnonymousBudget budget(int perAddress, int perNode, int maxAddresses) {
        return new AnonymousBudget(perAddress, perNode, maxAddresses, Duration.ofMinutes(1), clock);
    }

    private static Map<String, AnonymousBudget.Summary> byAddress(List<AnonymousBudget.Summary> summaries) {
        return summaries.stream().collect(Collectors.toMap(s -> String.valueOf(s.clientAddress()), Function.identity()));
    }

    @Test
    void anAddressGetsItsBudgetOfRecordsPerWindowAndTheRestIsCountedIntoOneSummaryWhenTheWindowCloses() {
        AnonymousBudget b = budget(3, 100, 10);
        for (int i = 0; i < 3; i++) assertTrue(b.admit("10.0.0.1", "search", 401).ownRecord());
        assertFalse(b.admit("10.0.0.1", "search", 401).ownRecord());
        assertFalse(b.admit("10.0.0.1", "audit_read", 401).ownRecord());
        assertFalse(b.admit("10.0.0.1", "search", 413).ownRecord());
        assertTrue(b.admit("10.0.0.2", "search", 401).ownRecord(), "another address has its own budget");
        assertEquals(List.of(), b.takeSummaries(false), "the window is still open");
        assertEquals(3, b.pendingRequests());

        clock.advance(Duration.ofSeconds(50));
        List<AnonymousBudget.Summary> summaries = b.takeSummaries(false);
        assertEquals(1, summaries.size());
        AnonymousBudget.Summary s = summaries.get(0);
        assertEquals("10.0.0.1", s.clientAddress());
        assertEquals(3, s.requests());
        assertEquals(MINUTE, s.windowStart());
        assertEquals(MINUTE.plusSeconds(60), s.windowEnd());
        assertEquals(new TreeMap<>(Map.of(401, 2L, 413, 1L)), s.byStatus());
        assertEquals(new TreeMap<>(Map.of("search", 2L, "audit_read", 1L)), s.byAction());
        assertEquals(0, b.pendingRequests());
        assertEquals(List.of(), b.takeSummaries(false), "handed over once");
        // the new window has a fresh budget
        for (int i = 0; i < 3; i++) assertTrue(b.admit("10.0.0.1", "search", 401).ownRecord());
        assertFalse(b.admit("10.0.0.1", "search", 401).ownRecord());
    }

    /** Admitted, but the trail's share for such requests was full (503): counted into the summary, under 503. */
    @Test
    void aRequestWhoseRecordTheTrailRefusedIsCountedInItsSummary() {
        AnonymousBudget b = budget(3, 100, 10);
        assertTrue(b.admit("10.0.0.9", "search", 401).ownRecord());
        b.countUnrecorded("10.0.0.9", "search", 503);
        clock.advance(Duration.ofSeconds(60));
        AnonymousBudget.Summary s = b.takeSummaries(false).get(0);
        assertEquals("10.0.0.9", s.clientAddress());
        assertEquals(1, s.requests());
        assertEquals(new TreeMap<>(Map.of(503, 1L)), s.byStatus());
    }

    @Test
    void theNodesBudgetCountsEveryAddressTogether() {
        AnonymousBudget b = budget(2, 3, 10);
        assertTrue(b.admit("10.0.0.1", "search", 401).ownRecord());
        assertTrue(b.admit("10.0.0.1", "search", 401).ownRecord());
        assertTrue(b.admit("10.0.0.2", "search", 401).ownRecord());
        assertFalse(b.admit("10.0.0.2", "search", 401).ownRecord(), "the node's budget is spent, not the address's");
        assertFalse(b.admit("10.0.0.3", "search", 401).ownRecord());
        clock.advance(Duration.ofMinutes(1));
        Map<String, AnonymousBudget.Summary> s = byAddress(b.takeSummaries(false));
        assertEquals(Map.of("10.0.0.2", 1L, "10.0.0.3", 1L), Map.of("10.0.0.2", s.get("10.0.0.2").requests(), "10.0.0.3", s.get("10.0.0.3").requests()));
        assertEquals(2, s.size());
    }

    @Test
    void addressesPastTheBoundOfAWindowAreCountedUnderTheOverflowAddress() {
        AnonymousBudget b = budget(1, 1000, 2);
        for (String a : List.of("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4")) {
            b.admit(a, "search", 401);
            b.admit(a, "search", 401);
        }
        clock.advance(Duration.ofMinutes(1));
        Map<String, AnonymousBudget.Summary> s = byAddress(b.takeSummaries(false));
        assertEquals(3, s.size(), s.toString());
        assertEquals(1, s.get("10.0.0.1").requests());
        assertEquals(1, s.get("10.0.0.2").requests());
        // 10.0.0.3 and .4 were new once two addresses had records: every request of theirs is counted, under "*"
        assertEquals(4, s.get(AnonymousBudget.OVERFLOW_ADDRESS).requests());
    }

    /** A flood from a million addresses keeps a bounded number of tallies, and every request is counted. */
    @Test
    void memoryIsBoundedWhateverTheAddressesAndNoCountIsLost() {
        AnonymousBudget b = budget(1, 10, 100);
        long sent = 0;
        for (int i = 0; i < 1_000_000; i++) {
            if (!b.admit("a" + i, "search", 401).ownRecord()) sent++;
        }
        clock.advance(Duration.ofMinutes(1));
        List<AnonymousBudget.Summary> summaries = b.takeSummaries(false);
        assertTrue(summaries.size() <= 101, "at most the bound plus the overflow: " + summaries.size());
        assertEquals(sent, summaries.stream().mapToLong(AnonymousBudget.Summary::requests).sum());
        assertEquals(1_000_000 - 10, sent);
    }

    @Test
    void aSummaryPutBackKeepsItsIdAndIsJoinedByItsAddresssNextCounts() {
        AnonymousBudget b = budget(1, 100, 2);
        b.admit("10.0.0.1", "search", 401);
        String id = b.admit("10.0.0.1", "search", 401).countedAs();
        clock.advance(Duration.ofMinutes(1));
        List<AnonymousBudget.Summary> first = b.takeSummaries(false);
        assertEquals(id, first.get(0).auditId());
        b.putBack(first.get(0)); // its write left no record
        assertEquals(1, b.pendingRequests(), "kept");
        b.admit("10.0.0.1", "audit_read", 401);
        assertEquals(id, b.admit("10.0.0.1", "audit_read", 400).countedAs(), "told the id of the summary put back");
        b.admit("10.0.0.2", "search", 401);
        b.admit("10.0.0.2", "search", 401);
        String overflow = b.admit("10.0.0.3", "search", 401).countedAs();
        clock.advance(Duration.ofMinutes(1));
        Map<String, AnonymousBudget.Summary> s = byAddress(b.takeSummaries(false));
        AnonymousBudget.Summary merged = s.get("10.0.0.1");
        assertEquals(id, merged.auditId());
        assertEquals(2, merged.requests());
        assertEquals(MINUTE, merged.windowStart(), "spans both windows");
        assertEquals(MINUTE.plusSeconds(120), merged.windowEnd());
        assertEquals(new TreeMap<>(Map.of("search", 1L, "audit_read", 1L)), merged.byAction());
        assertEquals(1, s.get("10.0.0.2").requests());
        AnonymousBudget.Summary star = s.get(AnonymousBudget.OVERFLOW_ADDRESS);
        assertEquals(1, star.requests(), "10.0.0.3 was past the bound of two addresses");
        assertEquals(overflow, star.auditId());
        // put back, each is handed over again with its id; written, it is gone
        s.values().forEach(b::putBack);
        Map<String, AnonymousBudget.Summary> again = byAddress(b.takeSummaries(false));
        assertEquals(s, again);
        again.values().forEach(b::written);
        assertEquals(List.of(), b.takeSummaries(true));
        assertEquals(0, b.pendingRequests());
    }

    @Test
    void atShutdownTheCurrentWindowIsClosedNow() {
        AnonymousBudget b = budget(1, 100, 10);
        b.admit(null, "search", 401);
        b.admit(null, "search", 401);
        clock.advance(Duration.ofSeconds(5));
        List<AnonymousBudget.Summary> s = b.takeSummaries(true);
        assertEquals(1, s.size());
        assertNull(s.get(0).clientAddress());
        assertEquals(MINUTE.plusSeconds(15), s.get(0).windowEnd());
    }

    @Test
    void theSummaryRecordSaysWhatItCounts() {
        AnonymousBudget b = budget(2, 3000, 10);
        AnonymousBudget.Summary s = new AnonymousBudget.Summary("10.0.0.7", "summary-1", MINUTE, MINUTE.plusSeconds(60), 12,
                new TreeMap<>(Map.of(401, 10L, 413, 2L)), new TreeMap<>(Map.of("search", 7L, "audit_read", 5L)));
        AuditEntry e = b.entryOf(s);
        assertEquals("anonymous_summary", e.action());
        assertEquals("summary-1", e.auditId(), "written with the id its requests' answers named");
        assertTrue(AuditVocabulary.ACTIONS.contains(e.action()));
        assertEquals("anonymous", e.user());
        assertTrue(e.anonymous());
        assertEquals("10.0.0.7", e.clientAddress());
        assertEquals(401, e.status());
        assertEquals("unauthorized", e.outcome());
        assertEquals(12L, e.requestCount());
        assertEquals("{\"by_action\":{\"audit_read\":5,\"search\":7},\"by_status\":{\"401\":10,\"413\":2},\"requests\":12,"
                + "\"window_end\":\"2026-11-22T14:04:00Z\",\"window_start\":\"2026-11-22T14:03:00Z\"}", CanonicalJson.write(e.query()));
        assertTrue(e.reason().startsWith("12 request(s) without valid credentials from 10.0.0.7 between 2026-11-22T14:03:00Z and 2026-11-22T14:04:00Z"), e.reason());
        assertTrue(e.reason().contains("2 per address and 3000 per node every minute"), e.reason());
        assertTrue(e.reason().endsWith("; their answers named this record's audit_id"), e.reason());
        // the dominant status decides the record's status and outcome
        AuditEntry invalid = b.entryOf(new AnonymousBudget.Summary("10.0.0.7", "summary-2", MINUTE, MINUTE.plusSeconds(60), 3,
                new TreeMap<>(Map.of(400, 2L, 401, 1L)), new TreeMap<>(Map.of("search", 3L))));
        assertEquals(400, invalid.status());
        assertEquals("invalid", invalid.outcome());
        // sealed, the field is there and hashed; a record without it has none
        var doc = AuditDocument.seal(e, "id", 1, MINUTE, "n", AuditDocument.GENESIS_HASH);
        assertEquals(12, doc.get(AuditDocument.REQUEST_COUNT).asLong());
        assertEquals(12L, AuditDocument.toRecord(doc).entry().requestCount());
        var plain = AuditDocument.seal(AuditEsSupport.entry(1), "id2", 2, MINUTE, "n", doc.get("hash").asText());
        assertFalse(plain.has(AuditDocument.REQUEST_COUNT));
        assertNull(AuditDocument.toRecord(plain).entry().requestCount());
    }
}
