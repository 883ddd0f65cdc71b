package org.platewarden.indexer.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.AgencyScope;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.indexer.EsTestSupport;
import org.platewarden.indexer.TestReads;
import org.platewarden.indexer.holds.Hold;
import org.platewarden.indexer.holds.HoldRequest;
import org.platewarden.indexer.holds.HoldService;
import org.platewarden.indexer.ops.IndexView;
import org.platewarden.indexer.ops.IndexViews;
import org.platewarden.templates.RetentionMechanism;

/** The sweeper (clock injected) against real indices: exactly the expired daily indices go. */
class RetentionSweeperIT {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final int RETENTION = 21;

    private EsTestSupport es;
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @BeforeEach
    void setUp() {
        es = new EsTestSupport("sweeper");
    }

    @AfterEach
    void tearDown() {
        es.close();
    }

    private String read(LocalDate day, String id, String plate) {
        Instant at = day.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(3600);
        String index = DailyIndex.name(es.prefix, day);
        es.put(index, id, TestReads.json(id, "cam-001", "DPD", at, plate));
        return index;
    }

    @Test
    void deletesExactlyTheExpiredDailyIndicesAndNeverAuditOrHolds() throws Exception {
        String old = read(LocalDate.of(2026, 1, 20), "cam-001:old", "OLD1");
        String lastExpired = read(LocalDate.of(2026, 2, 8), "cam-001:b", "EXP1"); // expires 2026-03-01T00:00Z, before NOW
        String firstKept = read(LocalDate.of(2026, 2, 9), "cam-001:c", "KEEP1"); // expires 2026-03-02T00:00Z
        String today = read(LocalDate.of(2026, 3, 1), "cam-001:d", "KEEP2");
        String notADay = es.prefix + "-reads-archive";
        es.es.call("PUT", "/" + notADay, null);
        es.put(es.prefix + "-audit", "a1", "{\"audit_id\":\"a1\",\"seq\":1,\"at\":\"2026-01-01T00:00:00Z\",\"outcome\":\"allowed\"}");

        // a hold on the oldest day's read, taken while that day was inside retention
        Clock whileLive = Clock.fixed(Instant.parse("2026-01-25T12:00:00Z"), ZoneOffset.UTC);
        try (HoldService holds = new HoldService(es.conn.rest(), es.prefix, new AgencyScope(PlatewardenConfig.demoConfig()), RETENTION, 365, whileLive)) {
            Hold hold = holds.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-1", "homicide investigation", "OLD1", null,
                    null, null, NOW.plus(Duration.ofDays(90)))).get();
            assertEquals(1, hold.readCount());
        }
        // now: a day past retention whose index the sweeper has not deleted yet is not copied
        // (the hold would otherwise keep reads whose retention already ended); a live day's is
        try (HoldService holds = new HoldService(es.conn.rest(), es.prefix, new AgencyScope(PlatewardenConfig.demoConfig()), RETENTION, 365, clock)) {
            Hold late = holds.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-2", "burglary", "EXP1", null,
                    null, null, NOW.plus(Duration.ofDays(90)))).get();
            assertEquals(0, late.readCount());
            Hold live = holds.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-3", "burglary", "KEEP1", null,
                    null, null, NOW.plus(Duration.ofDays(90)))).get();
            assertEquals(1, live.readCount());
        }

        try (IndexViews views = new IndexViews(es.conn.rest(), es.prefix, RETENTION, RetentionMechanism.SWEEPER)) {
            Map<String, IndexView> byName = views.list().stream().collect(Collectors.toMap(IndexView::index, v -> v));
            IndexView oldView = byName.get(old);
            assertEquals(LocalDate.of(2026, 1, 20), oldView.day());
            assertEquals(Instant.parse("2026-02-10T00:00:00Z"), oldView.expiresAt());
            assertEquals("sweeper", oldView.deletedBy());
            assertEquals(1, oldView.docs());
            assertTrue(oldView.bytes() > 0);
            IndexView audit = byName.get(es.prefix + "-audit");
            assertEquals("never", audit.deletedBy());
            assertNull(audit.expiresAt());
            assertEquals("never", byName.get(es.prefix + "-holds").deletedBy());
            assertEquals("never", byName.get(es.prefix + "-holds-meta").deletedBy());
            assertFalse(byName.containsKey(notADay), "only daily read indices, audit and holds are listed");
            assertEquals(List.of(today, firstKept, lastExpired, old),
                    views.list().stream().filter(v -> v.kind().equals("reads")).map(IndexView::index).toList());
        }
        try (IndexViews ilmViews = new IndexViews(es.conn.rest(), es.prefix, RETENTION, RetentionMechanism.ILM)) {
            assertEquals("ilm", ilmViews.listAsync().get().get(0).deletedBy());
        }

        try (RetentionSweeper sweeper = new RetentionSweeper(es.conn.rest(), es.prefix, RETENTION, RetentionMechanism.SWEEPER, clock)) {
            RetentionReport report = sweeper.runOnceAsync().get();
            assertEquals(List.of(old, lastExpired), report.deleted());
            assertEquals(List.of(firstKept, today), report.kept());
            assertTrue(report.failed().isEmpty());
            assertEquals("sweeper", report.mechanism());
        }
        assertFalse(es.exists(old));
        assertFalse(es.exists(lastExpired));
        assertTrue(es.exists(firstKept));
        assertTrue(es.exists(today));
        assertTrue(es.exists(notADay));
        assertEquals(1, es.count(es.prefix + "-audit"));
        // the held copy outlives its source index
        assertEquals(2, es.count(es.prefix + "-holds"));
        assertEquals(List.of("cam-001:c", "cam-001:old"), heldReadIds());
    }

    private List<String> heldReadIds() {
        List<String> ids = new java.util.ArrayList<>();
        es.es.call("GET", "/" + es.prefix + "-holds/_search", null).path("hits").path("hits")
                .forEach(h -> ids.add(h.path("_source").path("read_id").asText()));
        return ids.stream().sorted().toList();
    }

    @Test
    void theScheduleRunsOnlyWhereThereIsNoIlmButOnDemandAlwaysWorks() throws Exception {
        String old = read(LocalDate.of(2026, 1, 1), "cam-001:x", "X1");
        try (RetentionSweeper ilm = new RetentionSweeper(es.conn.rest(), es.prefix, RETENTION, RetentionMechanism.ILM, clock)) {
            assertFalse(ilm.startSchedule(Duration.ofMillis(50)));
            assertFalse(ilm.scheduled());
            Thread.sleep(200);
            assertTrue(es.exists(old), "with ILM the sweeper does not run on its own");
            assertEquals(List.of(old), ilm.runOnce().deleted(), "on demand it is a safety net");
        }
        String old2 = read(LocalDate.of(2026, 1, 2), "cam-001:y", "Y1");
        try (RetentionSweeper sweeper = new RetentionSweeper(es.conn.rest(), es.prefix, RETENTION, RetentionMechanism.SWEEPER, clock)) {
            assertTrue(sweeper.startSchedule(Duration.ofHours(1)));
            EsTestSupport.await("the scheduled sweep to delete " + old2, 30_000, () -> !es.exists(old2));
        }
    }
}
