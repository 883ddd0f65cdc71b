package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
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

/** Writing the summaries: a failed write keeps its counts for the next close, and the metrics say what happened. */
class AnonymousSummariesTest {
    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-22T14:03:10Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<AuditEntry> written = new CopyOnWriteArrayList<>();
    private volatile boolean failing;
    private final AuditLog log = entry -> {
        if (failing) return Future.failedFuture(new AuditUnavailableException("audit index unavailable (test)", false, null));
        written.add(entry);
        return Future.succeededFuture(new AuditRecord("id-" + written.size(), written.size(), Instant.now(), "n", entry, "p", "h"));
    };

    private double count(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    @Test
    void aFailedSummaryIsWrittenAtTheNextCloseWithTheCountsSinceAndNoCountIsLost() {
        AnonymousSummaries summaries = new AnonymousSummaries(new AnonymousBudget(1, 100, 10, Duration.ofMinutes(1), clock), log, registry);
        assertTrue(summaries.admit("10.0.0.1", "search", 401));
        for (int i = 0; i < 4; i++) assertFalse(summaries.admit("10.0.0.1", "search", 401));
        assertTrue(summaries.admit("10.0.0.2", "search", 401));
        assertFalse(summaries.admit("10.0.0.2", "search", 401));
        assertEquals(5.0, count("platewarden_audit_anonymous_summarized"));

        clock.advance(Duration.ofMinutes(1));
        failing = true;
        assertTrue(summaries.flush(false).succeeded(), "a flush never fails");
        assertEquals(List.of(), written);
        assertEquals(5, summaries.pendingRequests(), "kept");
        assertEquals(2.0, count("platewarden_audit_anonymous_summaries", "result", "failed"));

        assertTrue(summaries.admit("10.0.0.1", "audit_read", 401), "a new window, a new budget");
        assertFalse(summaries.admit("10.0.0.1", "audit_read", 401), "counted in the next window");
        summaries.flush(false); // retried at every tick while it fails
        assertEquals(4.0, count("platewarden_audit_anonymous_summaries", "result", "failed"), "the two again");
        assertEquals(6, summaries.pendingRequests());
        failing = false;
        clock.advance(Duration.ofMinutes(1));
        summaries.flush(false);
        assertEquals(2, written.size(), written.toString());
        AuditEntry first = written.stream().filter(e -> "10.0.0.1".equals(e.clientAddress())).findFirst().orElseThrow();
        assertEquals(5L, first.requestCount(), "4 from the failed window and 1 since");
        assertEquals("2026-11-22T14:03:00Z", first.query().path("window_start").asText());
        assertEquals("2026-11-22T14:05:00Z", first.query().path("window_end").asText());
        assertEquals(0, summaries.pendingRequests());
        assertEquals(2.0, count("platewarden_audit_anonymous_summaries", "result", "written"));
    }

    @Test
    void atShutdownTheCurrentWindowIsWritten() {
        AnonymousSummaries summaries = new AnonymousSummaries(new AnonymousBudget(1, 100, 10, Duration.ofMinutes(1), clock), log, registry);
        summaries.admit("10.0.0.1", "search", 401);
        summaries.admit("10.0.0.1", "search", 401);
        summaries.flush(false);
        assertEquals(List.of(), written, "the window is open");
        summaries.flush(true);
        assertEquals(1, written.size());
        assertEquals(1L, written.get(0).requestCount());
    }
}
