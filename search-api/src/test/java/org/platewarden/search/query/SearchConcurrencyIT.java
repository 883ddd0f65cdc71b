package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.search.access.Refusal;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.audit.AuditLog;
import org.platewarden.search.query.TestReads.Read;

/**
 * The searches one node runs at once ({@code search.max_concurrent_searches}) and their short queue
 * ({@code search.max_queued_searches}, {@code max_queue_wait_ms}), against real Elasticsearch. A search
 * keeps its slot until its audit record is written, so the test holds one there — its record's write a
 * future the test completes, no thread blocked — while it looks. A search beyond the running ones waits
 * and is served; one that finds the queue full, or whose wait ends, is answered 503 with
 * {@code Retry-After: 1}, its record says {@code rate_limited} (not {@code failed}), and it costs its
 * caller no place in the rate limit.
 */
class SearchConcurrencyIT {
    static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    static final Read READ_A = Read.of("cc-a", "cam-001", "DPD", Instant.parse("2026-03-10T06:00:00Z"), "TUV3344");
    static final Read READ_B = Read.of("cc-b", "cam-002", "DPD", Instant.parse("2026-03-10T05:00:00Z"), "TUV3344");

    static SearchHarness harness;

    final RecordingAuditLog recording = new RecordingAuditLog();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** The case number whose search's record waits for {@link #release}. */
    volatile String heldCase;
    final CompletableFuture<Context> holding = new CompletableFuture<>();
    final Promise<Void> released = Promise.promise();
    /** The service's audit log: the held search's record is written once the test releases it. */
    final AuditLog audit = entry -> {
        if (!entry.action().equals("search") || !java.util.Objects.equals(entry.caseNumber(), heldCase)) return recording.record(entry);
        holding.complete(Vertx.currentContext());
        return released.future().compose(v -> recording.record(entry));
    };

    @BeforeAll
    static void setUp() {
        harness = new SearchHarness("busy", NOW);
        TestReads.bulkLoad(harness.es.rest(), harness.prefix, List.of(READ_A, READ_B), 100);
        TestReads.refresh(harness.es.rest(), harness.prefix);
    }

    @AfterAll
    static void tearDown() {
        if (harness != null) harness.close();
    }

    @AfterEach
    void letGo() {
        release();
    }

    /** Lets the held search's record be written, on the search's own context. */
    void release() {
        Context context = holding.getNow(null);
        if (context != null) context.runOnContext(v -> released.tryComplete());
    }

    /** A wildcard search of DPD's two reads. */
    static JsonObject body(String caseNumber) {
        return new JsonObject().put("plate", "TUV33?4").put("ocr", false)
                .put("from", "2026-03-10T00:00:00Z").put("to", "2026-03-10T12:00:00Z")
                .put("purpose", "stolen_vehicle").put("case_number", caseNumber);
    }

    private SearchService service(int rateLimitPerMinute, SearchLimits limits) {
        return new SearchService(harness.vertx, harness.config("{\"rate_limit_per_minute\":" + rateLimitPerMinute + "}"),
                harness.es.rest(), audit, Clock.fixed(NOW, ZoneOffset.UTC), OcrFolding.defaults(), limits, registry);
    }

    /** Starts a search that takes a slot and keeps it, its record not yet written, until {@link #release}. */
    private CompletableFuture<SearchOutcome> heldSearch(SearchService service, String caseNumber) throws Exception {
        heldCase = caseNumber;
        CompletableFuture<SearchOutcome> held = CompletableFuture.supplyAsync(() -> harness.search(service, SearchHarness.DPD, body(caseNumber)));
        holding.get(60, TimeUnit.SECONDS);
        return held;
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    private void awaitQueued(int n) throws InterruptedException {
        for (int i = 0; i < 500 && gauge("platewarden.search.queued") < n; i++) Thread.sleep(10);
        assertEquals(n, (int) gauge("platewarden.search.queued"), "searches waiting");
    }

    private AuditEntry recordOf(SearchOutcome o) {
        return recording.entries.stream().filter(e -> o.auditId().equals(e.auditId()) && e.action().equals("search")).findFirst()
                .orElseThrow(() -> new AssertionError("no record of " + o.auditId()));
    }

    @Test
    void aSearchBeyondTheRunningOnesWaitsForASlotAndIsServed() throws Exception {
        SearchService service = service(0, new SearchLimits(10_000, 50_000, 1, 1, 20_000));
        CompletableFuture<SearchOutcome> first = heldSearch(service, "CC-WAIT-1");
        assertEquals(1.0, gauge("platewarden.search.running"));
        CompletableFuture<SearchOutcome> second = CompletableFuture.supplyAsync(() -> harness.search(service, SearchHarness.DPD, body("CC-WAIT-2")));
        awaitQueued(1);
        assertFalse(second.isDone(), "it waits for the running search, it is not refused");

        release();
        SearchOutcome a = first.get(60, TimeUnit.SECONDS);
        SearchOutcome b = second.get(60, TimeUnit.SECONDS);
        assertEquals(200, a.status(), a.body().encode());
        assertEquals(200, b.status(), b.body().encode());
        assertEquals(List.of("cam-001:cc-a", "cam-002:cc-b"), SearchServiceIT.ids(b));
        assertEquals("allowed", recordOf(b).outcome());
        assertEquals(0.0, gauge("platewarden.search.running"), "every slot given back");
        assertEquals(0.0, gauge("platewarden.search.queued"));
        assertEquals(0.0, registry.get("platewarden.search.busy").counter().count());
    }

    @Test
    void aSearchThatFindsTheQueueFullIsA503RateLimitedAndCostsNoPlaceInTheRateLimit() throws Exception {
        // three searches a minute: the held one, the queued one, the refused one (given back), and one more
        SearchService service = service(3, new SearchLimits(10_000, 50_000, 1, 1, 20_000));
        CompletableFuture<SearchOutcome> first = heldSearch(service, "CC-FULL-1");
        CompletableFuture<SearchOutcome> second = CompletableFuture.supplyAsync(() -> harness.search(service, SearchHarness.DPD, body("CC-FULL-2")));
        awaitQueued(1);

        long started = System.nanoTime();
        SearchOutcome busy = harness.search(service, SearchHarness.DPD, body("CC-FULL-3"));
        assertTrue(System.nanoTime() - started < 1_500_000_000L, "a full queue answers at once");
        assertEquals(503, busy.status(), busy.body().encode());
        assertEquals(1, busy.retryAfterSeconds(), "Retry-After: 1");
        assertEquals(SearchService.BUSY, busy.body().getString("error"));
        assertNotNull(busy.auditId(), "the refusal has its record");
        assertEquals(busy.auditId(), busy.body().getString("audit_id"));
        AuditEntry record = recordOf(busy);
        assertEquals(Refusal.RATE_LIMITED, record.outcome(), "the node was busy; nothing failed");
        assertEquals(503, record.status());
        assertEquals(SearchService.BUSY, record.reason());
        assertEquals(List.of(), record.readIds());
        assertEquals("CC-FULL-3", record.caseNumber());
        assertEquals(1.0, registry.get("platewarden.search.busy").counter().count());

        release();
        assertEquals(200, first.get(60, TimeUnit.SECONDS).status());
        assertEquals(200, second.get(60, TimeUnit.SECONDS).status());
        // the 503 gave its place back: a third search this minute is served, a fourth is rate-limited
        SearchOutcome third = harness.search(service, SearchHarness.DPD, body("CC-FULL-4"));
        assertEquals(200, third.status(), "the busy search did not spend a place in the rate limit: " + third.body().encode());
        SearchOutcome fourth = harness.search(service, SearchHarness.DPD, body("CC-FULL-5"));
        assertEquals(429, fourth.status(), fourth.body().encode());
        assertEquals(Refusal.RATE_LIMITED, recordOf(fourth).outcome());
        assertEquals(429, recordOf(fourth).status(), "the status tells a rate-limited search from one the node was too busy for");
    }

    @Test
    void aQueuedSearchWhoseWaitEndsWithoutASlotIsA503() throws Exception {
        SearchService service = service(0, new SearchLimits(10_000, 50_000, 1, 4, 400));
        CompletableFuture<SearchOutcome> first = heldSearch(service, "CC-LATE-1");
        long started = System.nanoTime();
        SearchOutcome late = harness.search(service, SearchHarness.ACSO, body("CC-LATE-2"));
        long waitedMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(503, late.status(), late.body().encode());
        assertTrue(waitedMs >= 350, "it waited for a slot first: " + waitedMs + " ms");
        assertEquals(1, late.retryAfterSeconds());
        assertEquals(Refusal.RATE_LIMITED, recordOf(late).outcome());
        assertEquals("acso.investigator", recordOf(late).user());
        assertEquals(0.0, gauge("platewarden.search.queued"), "it left the queue");

        release();
        assertEquals(200, first.get(60, TimeUnit.SECONDS).status());
        assertEquals(200, harness.search(service, SearchHarness.DPD, body("CC-LATE-3")).status(), "the slot was given back");
    }

    @Test
    void theConfiguredBoundsAreTheServicesLimits() {
        SearchLimits limits = SearchLimits.of(harness.config("{\"max_concurrent_searches\":3,\"max_queued_searches\":0,\"max_queue_wait_ms\":500}").search());
        assertEquals(3, limits.maxInFlight());
        assertEquals(0, limits.maxQueued());
        assertEquals(500, limits.maxWaitMillis());
        SearchLimits defaults = SearchLimits.defaults();
        assertEquals(16, defaults.maxInFlight());
        assertEquals(64, defaults.maxQueued());
        assertEquals(2000, defaults.maxWaitMillis());
    }
}
