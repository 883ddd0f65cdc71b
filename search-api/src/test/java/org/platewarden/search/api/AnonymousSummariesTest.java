package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.platewarden.search.audit.AnonymousBudget;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.audit.AuditLog;
import org.platewarden.search.audit.AuditRecord;
import org.platewarden.search.audit.AuditUnavailableException;
import org.platewarden.testkit.SettableClock;

/**
 * Writing the summaries ({@link BudgetSummaries}): each with the audit id its requests' answers named;
 * a write that left no record keeps its counts and id for the next tick or close, one that reached the
 * trail all the same is never written again, and the metrics say what happened.
 */
class AnonymousSummariesTest {
    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-22T14:03:10Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<AuditEntry> written = new CopyOnWriteArrayList<>();
    /** every write asked for, failed or not */
    private final List<AuditEntry> attempts = new CopyOnWriteArrayList<>();
    private volatile boolean failing;
    /** set: writes fail after the record reached the trail (its seq spent), as the audit log then says */
    private volatile boolean failingInTheTrail;
    /** set: the next write is under way until the test completes this */
    private volatile Promise<AuditRecord> hold;
    private final AuditLog log = entry -> {
        attempts.add(entry);
        Promise<AuditRecord> held = hold;
        if (held != null) {
            hold = null;
            return held.future();
        }
        if (failing) return Future.failedFuture(new AuditUnavailableException("audit index unavailable (test)", false, null));
        written.add(entry);
        if (failingInTheTrail) {
            return Future.failedFuture(new AuditUnavailableException("audit journal write failed (test)", false, null, entry.auditId()));
        }
        return Future.succeededFuture(new AuditRecord(entry.auditId(), written.size(), Instant.now(), "n", entry, "p", "h"));
    };

    private double count(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    @Test
    void aFailedSummaryIsWrittenAtTheNextCloseWithTheCountsSinceUnderTheIdItsAnswersNamedAndNoCountIsLost() {
        AnonymousSummaries summaries = new AnonymousSummaries(new AnonymousBudget(1, 100, 10, Duration.ofMinutes(1), clock), log, registry);
        assertTrue(summaries.admit("10.0.0.1", "search", 401).ownRecord());
        String first = summaries.admit("10.0.0.1", "search", 401).countedAs();
        for (int i = 0; i < 3; i++) assertEquals(first, summaries.admit("10.0.0.1", "search", 401).countedAs());
        assertTrue(summaries.admit("10.0.0.2", "search", 401).ownRecord());
        String second = summaries.admit("10.0.0.2", "search", 401).countedAs();
        assertEquals(5.0, count("platewarden_audit_anonymous_summarized"));

        clock.advance(Duration.ofMinutes(1));
        failing = true;
        assertTrue(summaries.flush(false).succeeded(), "a flush never fails");
        assertEquals(List.of(), written);
        assertEquals(5, summaries.pendingRequests(), "kept");
        assertEquals(2.0, count("platewarden_audit_anonymous_summaries", "result", "failed"));

        assertTrue(summaries.admit("10.0.0.1", "audit_read", 401).ownRecord(), "a new window, a new budget");
        assertEquals(first, summaries.admit("10.0.0.1", "audit_read", 401).countedAs(),
                "counted in the next window, into the summary not yet written: its answer names it");
        summaries.flush(false); // retried at every tick while it fails
        assertEquals(3.0, count("platewarden_audit_anonymous_summaries", "result", "failed"),
                "10.0.0.2's again; 10.0.0.1's waits for the close of the window that counts into it");
        assertEquals(6, summaries.pendingRequests());
        failing = false;
        clock.advance(Duration.ofMinutes(1));
        summaries.flush(false);
        assertEquals(2, written.size(), written.toString());
        AuditEntry one = written.stream().filter(e -> "10.0.0.1".equals(e.clientAddress())).findFirst().orElseThrow();
        assertEquals(first, one.auditId(), "the record has the id its requests' answers named");
        assertEquals(5L, one.requestCount(), "4 from the failed window and 1 since");
        assertEquals("2026-11-22T14:03:00Z", one.query().path("window_start").asText());
        assertEquals("2026-11-22T14:05:00Z", one.query().path("window_end").asText());
        AuditEntry two = written.stream().filter(e -> "10.0.0.2".equals(e.clientAddress())).findFirst().orElseThrow();
        assertEquals(second, two.auditId());
        assertEquals(1L, two.requestCount());
        List<String> tries = attempts.stream().filter(e -> "10.0.0.2".equals(e.clientAddress())).map(AuditEntry::auditId).toList();
        assertEquals(List.of(second, second), tries, "after a failed write, the next tick's, then the close's: always with its id");
        assertEquals(0, summaries.pendingRequests());
        assertEquals(2.0, count("platewarden_audit_anonymous_summaries", "result", "written"));
    }

    /**
     * A write that failed after its record reached the trail (the audit log names it: its seq is
     * spent, both copies will have it) is written: put back and written again, its requests would be
     * counted twice, and a second record would have the same audit id.
     */
    @Test
    void aSummaryWhoseFailedWriteReachedTheTrailIsNotWrittenAgain() {
        AnonymousSummaries summaries = new AnonymousSummaries(new AnonymousBudget(1, 100, 10, Duration.ofMinutes(1), clock), log, registry);
        summaries.admit("10.0.0.1", "search", 401);
        String id = summaries.admit("10.0.0.1", "search", 401).countedAs();
        clock.advance(Duration.ofMinutes(1));
        failingInTheTrail = true;
        summaries.flush(false);
        assertEquals(1, attempts.size());
        assertEquals(id, attempts.get(0).auditId());
        assertEquals(0, summaries.pendingRequests(), "in the trail: nothing kept");
        assertEquals(1.0, count("platewarden_audit_anonymous_summaries", "result", "written"));
        assertEquals(0.0, count("platewarden_audit_anonymous_summaries", "result", "failed"));
        failingInTheTrail = false;
        summaries.admit("10.0.0.1", "search", 401);
        String next = summaries.admit("10.0.0.1", "search", 401).countedAs();
        assertNotEquals(id, next, "that summary is in the trail: new counts are another's");
        clock.advance(Duration.ofMinutes(1));
        summaries.flush(true);
        assertEquals(List.of(id, next), attempts.stream().map(AuditEntry::auditId).toList(), "the first never written again");
        assertEquals(1L, attempts.get(1).requestCount(), "and the second counts only its own");
    }

    @Test
    void atShutdownTheCurrentWindowIsWritten() {
        AnonymousSummaries summaries = new AnonymousSummaries(new AnonymousBudget(1, 100, 10, Duration.ofMinutes(1), clock), log, registry);
        summaries.admit("10.0.0.1", "search", 401);
        String id = summaries.admit("10.0.0.1", "search", 401).countedAs();
        summaries.flush(false);
        assertEquals(List.of(), written, "the window is open");
        summaries.flush(true);
        assertEquals(1, written.size());
        assertEquals(1L, written.get(0).requestCount());
        assertEquals(id, written.get(0).auditId());
    }

    /**
     * An address with two summaries unwritten (one put back while the next window counted under a new
     * id, its write under way then) has both written at shutdown, one after the other, each with its id.
     */
    @Test
    void atShutdownBothOfAnAddresssUnwrittenSummariesAreWrittenEachWithItsId() {
        AnonymousSummaries summaries = new AnonymousSummaries(new AnonymousBudget(1, 100, 10, Duration.ofMinutes(1), clock), log, registry);
        summaries.admit("10.0.0.1", "search", 401);
        String first = summaries.admit("10.0.0.1", "search", 401).countedAs();
        clock.advance(Duration.ofMinutes(1));
        Promise<AuditRecord> slow = Promise.promise();
        hold = slow;
        summaries.flush(false); // the first summary's write is under way
        summaries.admit("10.0.0.1", "search", 401);
        String second = summaries.admit("10.0.0.1", "search", 401).countedAs();
        assertNotEquals(first, second, "the first is being written: these counts cannot be in it");
        slow.fail(new AuditUnavailableException("audit index unavailable (test)", false, null)); // it left no record
        assertEquals(2, summaries.pendingRequests(), "both kept");
        summaries.flush(true);
        assertEquals(List.of(first, second), written.stream().map(AuditEntry::auditId).toList());
        assertEquals(List.of(1L, 1L), written.stream().map(AuditEntry::requestCount).toList());
        assertEquals(0, summaries.pendingRequests());
    }
}
