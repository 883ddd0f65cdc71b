package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequestInterceptor;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.query.TestReads.Read;
import org.platewarden.testkit.ElasticsearchFixture;

/**
 * The audit record of a ranked page is written while the page's documents are fetched, so it lists
 * the reads the page was built from. Against real Elasticsearch, with the service's own client
 * intercepting its {@code _mget}: when a read is deleted just before the fetch, or the fetch fails,
 * a second record ({@code search_correction}) names the search and says what was in fact returned,
 * and it is written before the answer; a fetch that finds everything leaves one record.
 */
class PageFetchCorrectionIT {
    static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    static final Read GONE_NEWER = Read.of("fc-gone-newer", "cam-002", "DPD", Instant.parse("2026-03-10T09:00:00Z"), "KLM4567");
    static final Read GONE_OLDER = Read.of("fc-gone-older", "cam-001", "DPD", Instant.parse("2026-03-10T08:00:00Z"), "KLM4567");
    static final Read FAIL_A = Read.of("fc-fail-a", "cam-001", "DPD", Instant.parse("2026-03-10T07:00:00Z"), "QRS7788");
    static final Read WHOLE_A = Read.of("fc-whole-a", "cam-001", "DPD", Instant.parse("2026-03-10T06:00:00Z"), "TUV3344");
    static final Read WHOLE_B = Read.of("fc-whole-b", "cam-002", "DPD", Instant.parse("2026-03-10T05:00:00Z"), "TUV3344");

    /** What the next {@code _mget} sent by the service meets first; taken once. */
    static final AtomicReference<HttpRequestInterceptor> BEFORE_FETCH = new AtomicReference<>();

    static SearchHarness harness;
    static RestClient serviceClient;
    static RecordingAuditLog audit = new RecordingAuditLog();
    static SearchService service;

    @BeforeAll
    static void setUp() {
        harness = new SearchHarness("fetchfix", NOW);
        PlatewardenConfig config = harness.config("{\"rate_limit_per_minute\":0}");
        URI es = URI.create(ElasticsearchFixture.url());
        serviceClient = RestClient.builder(new HttpHost(es.getHost(), es.getPort(), es.getScheme()))
                .setHttpClientConfigCallback(hc -> hc.addInterceptorFirst((HttpRequestInterceptor) (request, context) -> {
                    if (!request.getRequestLine().getUri().startsWith("/_mget")) return;
                    HttpRequestInterceptor once = BEFORE_FETCH.getAndSet(null);
                    if (once != null) once.process(request, context);
                }))
                .build();
        service = new SearchService(harness.vertx, config, serviceClient, audit, Clock.fixed(NOW, ZoneOffset.UTC),
                OcrFolding.defaults(), SearchLimits.defaults());
        TestReads.bulkLoad(harness.es.rest(), harness.prefix, List.of(GONE_NEWER, GONE_OLDER, FAIL_A, WHOLE_A, WHOLE_B), 100);
        TestReads.refresh(harness.es.rest(), harness.prefix);
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (serviceClient != null) serviceClient.close();
        if (harness != null) harness.close();
    }

    static JsonObject body(String plate) {
        return new JsonObject().put("plate", plate).put("ocr", false)
                .put("from", "2026-03-10T00:00:00Z").put("to", "2026-03-10T12:00:00Z")
                .put("purpose", "stolen_vehicle").put("case_number", "DPD-2026-000777");
    }

    static List<String> ids(SearchOutcome o) {
        return SearchServiceIT.ids(o);
    }

    @Test
    void aReadDeletedBetweenRankingAndFetchIsLeftOutAndTheTrailCorrected() {
        BEFORE_FETCH.set((request, context) -> TestReads.perform(harness.es.rest(),
                new Request("DELETE", "/" + DailyIndex.name(harness.prefix, GONE_NEWER.capturedAt()) + "/_doc/" + GONE_NEWER.readId())));
        int before = audit.entries.size();

        SearchOutcome o = harness.search(service, SearchHarness.DPD, body("KLM45?7"));

        assertEquals(200, o.status(), o.body().encode());
        assertEquals(List.of("cam-001:fc-gone-older"), ids(o), "the deleted read is not shown half-empty");
        assertEquals(before + 2, audit.entries.size(), "the search's record and its correction");
        AuditEntry search = audit.entries.get(before);
        assertEquals("search", search.action());
        assertEquals(o.auditId(), search.auditId());
        assertEquals(List.of("cam-002:fc-gone-newer", "cam-001:fc-gone-older"), search.readIds(), "the record lists the page as ranked");
        AuditEntry correction = audit.entries.get(before + 1);
        assertEquals(SearchService.CORRECTION, correction.action());
        assertEquals(o.auditId(), correction.query().get("corrects").asText());
        assertEquals(List.of("cam-001:fc-gone-older"), correction.readIds(), "the correction lists what was returned");
        assertEquals("allowed", correction.outcome());
        assertEquals(200, correction.status());
        assertEquals(SearchHarness.DPD.user(), correction.user());
        assertEquals("DPD-2026-000777", correction.caseNumber());
        assertTrue(correction.reason().contains("1 of the 2 reads"), correction.reason());
    }

    @Test
    void aFailedFetchAnswersWithTheSearchsAuditIdAndTheTrailSaysNothingWasReturned() {
        BEFORE_FETCH.set((request, context) -> {
            throw new IOException("connection reset (test)");
        });
        int before = audit.entries.size();

        SearchOutcome o = harness.search(service, SearchHarness.DPD, body("QRS77?8"));

        assertEquals(503, o.status(), o.body().encode());
        assertNull(o.body().getJsonArray("hits"), "no hits leave a failed fetch");
        assertEquals(before + 2, audit.entries.size());
        AuditEntry search = audit.entries.get(before);
        assertEquals(o.auditId(), search.auditId());
        assertEquals(o.auditId(), o.body().getString("audit_id"));
        assertEquals(List.of("cam-001:fc-fail-a"), search.readIds());
        AuditEntry correction = audit.entries.get(before + 1);
        assertEquals(SearchService.CORRECTION, correction.action());
        assertEquals(o.auditId(), correction.query().get("corrects").asText());
        assertEquals("failed", correction.outcome());
        assertEquals(503, correction.status());
        assertEquals(List.of(), correction.readIds());
    }

    @Test
    void aCompleteFetchLeavesOneRecordListingExactlyTheHitsReturned() {
        int before = audit.entries.size();

        SearchOutcome o = harness.search(service, SearchHarness.DPD, body("TUV33?4"));

        assertEquals(200, o.status(), o.body().encode());
        assertEquals(List.of("cam-001:fc-whole-a", "cam-002:fc-whole-b"), ids(o));
        assertEquals(before + 1, audit.entries.size());
        assertEquals(ids(o), audit.last().readIds());
        assertEquals("search", audit.last().action());
    }

    @Test
    void whenTheRecordCannotBeWrittenTheFetchedPageIsNotAnswered() {
        RecordingAuditLog failing = new RecordingAuditLog();
        failing.failing = true;
        SearchService s = new SearchService(harness.vertx, harness.config("{\"rate_limit_per_minute\":0}"), serviceClient,
                failing, Clock.fixed(NOW, ZoneOffset.UTC), OcrFolding.defaults(), SearchLimits.defaults());

        SearchOutcome o = harness.search(s, SearchHarness.DPD, body("TUV33?4"));

        assertEquals(503, o.status());
        assertNull(o.body().getJsonArray("hits"));
        assertNull(o.body().getValue("audit_id"));
    }

    @Test
    void aSearchHoldsItsInFlightSlotUntilItsPageIsFetchedAndThenFreesIt() {
        SearchService one = new SearchService(harness.vertx, harness.config("{\"rate_limit_per_minute\":0}"), serviceClient,
                new RecordingAuditLog(), Clock.fixed(NOW, ZoneOffset.UTC), OcrFolding.defaults(), new SearchLimits(10_000, 50_000, 1));
        java.util.concurrent.CompletableFuture<Void> fetching = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        BEFORE_FETCH.set((request, context) -> {
            // the first search is between ranking and fetch: a second one must find the only slot taken
            fetching.complete(null);
            try {
                release.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        java.util.concurrent.CompletableFuture<SearchOutcome> first = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> harness.search(one, SearchHarness.DPD, body("TUV33?4")));
        fetching.join();
        SearchOutcome second = harness.search(one, SearchHarness.DPD, body("TUV33?4"));
        release.countDown();
        assertEquals(503, second.status(), second.body().encode());
        assertTrue(second.body().getString("error").contains("too many searches"), second.body().encode());
        assertEquals(200, first.join().status());

        BEFORE_FETCH.set((request, context) -> {
            throw new IOException("connection reset (test)");
        });
        assertEquals(503, harness.search(one, SearchHarness.DPD, body("TUV33?4")).status(), "a failed fetch");
        assertEquals(400, harness.search(one, SearchHarness.DPD, body("T?")).status(), "a refusal");
        assertEquals(200, harness.search(one, SearchHarness.DPD, body("TUV33?4")).status(), "every slot was freed");
    }
}
