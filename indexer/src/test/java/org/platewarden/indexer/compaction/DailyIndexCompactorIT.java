package org.platewarden.indexer.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.CompactionConfig;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.indexer.EsTestSupport;
import org.platewarden.indexer.TestReads;

/** The compactor (clock injected) against real indices: exactly the finished days above the threshold are merged. */
class DailyIndexCompactorIT {
    /** Six minutes before 2026-02-28 has been over for the default six hours. */
    private static final Instant NOW = Instant.parse("2026-03-01T05:54:00Z");
    private static final int RETENTION = 21;

    private EsTestSupport es;
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void setUp() {
        es = new EsTestSupport("compactor");
    }

    @AfterEach
    void tearDown() {
        es.close();
    }

    /** Writes {@code segments} reads of {@code day}, one refresh each: one segment per read. */
    private String day(LocalDate day, int segments) {
        String index = DailyIndex.name(es.prefix, day);
        for (int i = 0; i < segments; i++) {
            String id = "cam-001:" + day + ":" + i;
            es.put(index, id, TestReads.json(id, "cam-001", "DPD", day.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(60L * i), "AB" + i));
        }
        assertEquals(segments, es.primarySegments(index), "fixture: one segment per refreshed read in " + index);
        return index;
    }

    @Test
    void mergesExactlyTheFinishedDaysAboveTheThresholdAndNothingElse() {
        String expired = day(LocalDate.of(2026, 2, 1), 6);       // expired 2026-02-22: retention's, not ours
        String fewSegments = day(LocalDate.of(2026, 2, 26), 3);  // finished, at or below 4 segments
        String finished = day(LocalDate.of(2026, 2, 27), 6);     // finished for 29 h 54 min
        String yesterday = day(LocalDate.of(2026, 2, 28), 6);    // over for 5 h 54 min: not yet
        String today = day(LocalDate.of(2026, 3, 1), 6);
        String audit = es.prefix + "-audit";
        for (int i = 0; i < 6; i++) {
            es.put(audit, "a" + i, "{\"audit_id\":\"a" + i + "\",\"seq\":" + (i + 1) + ",\"at\":\"2026-01-01T00:00:00Z\",\"outcome\":\"allowed\"}");
        }

        try (DailyIndexCompactor compactor = new DailyIndexCompactor(es.conn.rest(), es.prefix, RETENTION, CompactionConfig.defaults(), clock, registry)) {
            CompactionReport report = compactor.runOnce();
            assertEquals(List.of(finished), report.compacted().stream().map(CompactionReport.Compacted::index).toList());
            CompactionReport.Compacted merged = report.compacted().get(0);
            assertEquals(6, merged.segmentsBefore());
            assertEquals(1, merged.segmentsAfter());
            assertEquals(List.of(fewSegments), report.alreadyCompact());
            assertEquals(1.0, registry.get("platewarden_compaction_merges").tag("outcome", "merged").counter().count());
            assertEquals(0.0, registry.get("platewarden_compaction_merges").tag("outcome", "failed").counter().count());
            assertEquals(1, registry.get("platewarden_compaction_merge").timer().count());
            assertEquals(List.of(expired, yesterday, today), report.notDue());
            assertTrue(report.failed().isEmpty());
            assertEquals(6, report.afterHours());
            assertEquals(4, report.aboveSegments());

            assertEquals(1, es.primarySegments(finished));
            assertEquals(6, es.count(finished), "merging keeps every read");
            assertEquals(6, es.primarySegments(expired));
            assertEquals(3, es.primarySegments(fewSegments));
            assertEquals(6, es.primarySegments(yesterday));
            assertEquals(6, es.primarySegments(today));
            assertEquals(6, es.primarySegments(audit), "the audit index is never a candidate");

            // a late upload to the merged day adds a small segment; it is not merged again for that alone
            es.put(finished, "late", TestReads.json("late", "cam-001", "DPD", Instant.parse("2026-02-27T23:59:00Z"), "LATE1"));
            assertEquals(2, es.primarySegments(finished));
            CompactionReport second = compactor.runOnceAsync().join();
            assertTrue(second.compacted().isEmpty());
            assertEquals(List.of(fewSegments, finished), second.alreadyCompact());
            assertEquals(7, es.count(finished));
        }

        // six minutes later yesterday is due as well
        Clock later = Clock.fixed(NOW.plus(Duration.ofMinutes(6)), ZoneOffset.UTC);
        try (DailyIndexCompactor compactor = new DailyIndexCompactor(es.conn.rest(), es.prefix, RETENTION, CompactionConfig.defaults(), later, registry)) {
            assertEquals(List.of(yesterday), compactor.runOnce().compacted().stream().map(CompactionReport.Compacted::index).toList());
            assertEquals(1, es.primarySegments(yesterday));
        }
    }

    /**
     * A day whose primary is not available (red, as while Elasticsearch recovers it) is in the failed
     * list with why; it was in none, so ops running compaction-run never saw it. Made as
     * IndexViewsHealthIT makes one: allocation required on a node that does not exist, for this
     * index only, deleted at once.
     */
    @Test
    void aDayWhosePrimaryIsNotAvailableIsListedFailedWithWhy() {
        String finished = day(LocalDate.of(2026, 2, 25), 6);
        String unavailable = DailyIndex.name(es.prefix, LocalDate.of(2026, 2, 26));
        es.es.call("PUT", "/" + unavailable + "?wait_for_active_shards=0",
                "{\"settings\":{\"index.routing.allocation.require._name\":\"no-such-node\"}}");
        CompactionReport report;
        try (DailyIndexCompactor compactor = new DailyIndexCompactor(es.conn.rest(), es.prefix, RETENTION, CompactionConfig.defaults(), clock, registry)) {
            report = compactor.runOnce();
        } finally {
            es.es.call("DELETE", "/" + unavailable, null);
        }

        assertEquals(java.util.Map.of(unavailable, DailyIndexCompactor.UNAVAILABLE), report.failed());
        assertTrue(report.failed().get(unavailable).contains("not available"), report.failed().toString());
        assertEquals(List.of(finished), report.compacted().stream().map(CompactionReport.Compacted::index).toList());
        assertTrue(report.alreadyCompact().isEmpty() && report.notDue().isEmpty(), "each index in exactly one list: " + report);
        assertEquals(0.0, registry.get("platewarden_compaction_merges").tag("outcome", "failed").counter().count(),
                "no merge was asked for");
    }

    @Test
    void theThresholdIsConfigurableAndDisablingStopsOnlyTheSchedule() throws Exception {
        String finished = day(LocalDate.of(2026, 2, 20), 3);
        CompactionConfig disabled = new CompactionConfig(false, 0, 2);
        try (DailyIndexCompactor compactor = new DailyIndexCompactor(es.conn.rest(), es.prefix, RETENTION, disabled, clock, registry)) {
            assertFalse(compactor.startSchedule(Duration.ofMillis(50)));
            assertFalse(compactor.scheduled());
            Thread.sleep(300);
            assertEquals(3, es.primarySegments(finished), "disabled: no scheduled pass");
            assertEquals(List.of(finished), compactor.runOnce().compacted().stream().map(CompactionReport.Compacted::index).toList(),
                    "on demand it still runs, with the configured threshold (more than 2)");
            assertEquals(1, es.primarySegments(finished));
        }
        String other = day(LocalDate.of(2026, 2, 21), 5);
        try (DailyIndexCompactor compactor = new DailyIndexCompactor(es.conn.rest(), es.prefix, RETENTION, CompactionConfig.defaults(), clock, registry)) {
            assertTrue(compactor.startSchedule(Duration.ofHours(1)));
            EsTestSupport.await("the scheduled pass to merge " + other, 30_000, () -> es.primarySegments(other) == 1);
        }
    }

    @Test
    void aDayIsDueOnceItHasBeenOverForAfterHoursAndUntilItExpires() {
        LocalDate day = LocalDate.of(2026, 2, 27);
        assertFalse(DailyIndexCompactor.isDue(day, 6, RETENTION, Instant.parse("2026-02-27T23:59:59Z")));
        assertFalse(DailyIndexCompactor.isDue(day, 6, RETENTION, Instant.parse("2026-02-28T05:59:59Z")));
        assertTrue(DailyIndexCompactor.isDue(day, 6, RETENTION, Instant.parse("2026-02-28T06:00:00Z")));
        assertTrue(DailyIndexCompactor.isDue(day, 0, RETENTION, Instant.parse("2026-02-28T00:00:00Z")));
        assertTrue(DailyIndexCompactor.isDue(day, 6, RETENTION, Instant.parse("2026-03-19T23:59:59Z")));
        assertFalse(DailyIndexCompactor.isDue(day, 6, RETENTION, Instant.parse("2026-03-20T00:00:00Z")), "expired: retention deletes it");
    }
}
