package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.query.TestReads.Read;
import org.platewarden.testkit.ElasticsearchFixture;
import org.platewarden.testkit.HangingProxy;

/**
 * A search's overall deadline ({@code search.max_search_ms}) on the real search service and
 * Elasticsearch, slowed by a proxy that holds each request back without ever stopping (a cluster in
 * a long collection): every one of the search's requests answers well within the per-request
 * timeout, but a search of many sequential requests (pages of one candidate) adds up past the
 * deadline. With a deadline that holds them all it is served; with one that does not it fails closed
 * at the deadline — 503, audited {@code failed} with why — instead of running on request after request.
 */
class SearchDeadlineIT {
    private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    private static final int READS = 6;
    /** How long the proxy holds back each request: far under the per-request timeout. */
    private static final int DELAY_MS = 700;
    private static final int REQUEST_TIMEOUT_MS = 3_000;
    /** Under the time the search's sequential requests take together (more than READS x DELAY_MS). */
    private static final int DEADLINE_MS = 3_000;

    private static SearchHarness harness;
    private static PlatewardenConfig config;
    private static HangingProxy proxy;
    private static ElasticsearchConnection throughProxy;

    @BeforeAll
    static void load() throws Exception {
        harness = new SearchHarness("deadline", NOW);
        config = harness.config("{\"rate_limit_per_minute\":0}");
        List<Read> reads = new ArrayList<>();
        for (int i = 1; i <= READS; i++) {
            reads.add(Read.of("dl-" + i, "cam-001", "DPD", Instant.parse("2026-03-10T0" + i + ":00:00Z"), "DLN 10" + i));
        }
        TestReads.bulkLoad(harness.es.rest(), harness.prefix, reads, 100);
        TestReads.refresh(harness.es.rest(), harness.prefix);
        proxy = new HangingProxy(ElasticsearchFixture.url());
        throughProxy = new ElasticsearchConnection(proxy.url());
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (throughProxy != null) throughProxy.close();
        if (proxy != null) proxy.close();
        if (harness != null) harness.close();
    }

    /** Candidates one per page: a search of the pattern takes READS + 1 scan requests one after the other, then the fetch. */
    private static SearchService service(RecordingAuditLog log, int maxSearchMillis) {
        return new SearchService(harness.vertx, config, throughProxy.rest(), log, Clock.fixed(NOW, ZoneOffset.UTC), OcrFolding.defaults(),
                new SearchLimits(1, 50, 4, 0, 0, REQUEST_TIMEOUT_MS, maxSearchMillis));
    }

    private static JsonObject wildcard(String caseNumber) {
        return SearchHarness.body("DLN10*", "2026-03-10T00:00:00Z", "2026-03-10T12:00:00Z").put("case_number", caseNumber);
    }

    @Test
    void aSearchWhoseRequestsEachAnswerInTimeButTogetherPassItsDeadlineFailsClosedAtTheDeadline() {
        // unhindered, the search finds every read, in READS + 1 scan pages, the holds scan and the fetch
        RecordingAuditLog log = new RecordingAuditLog();
        int before = proxy.forwardedRequests();
        SearchOutcome fast = harness.search(service(log, DEADLINE_MS), SearchHarness.DPD, wildcard("DPD-2026-000701"));
        int requestsOfAWholeSearch = proxy.forwardedRequests() - before;
        assertEquals(200, fast.status(), fast.body().encode());
        assertEquals(READS, fast.body().getJsonArray("hits").size(), fast.body().encode());
        assertTrue(requestsOfAWholeSearch >= READS + 2, "requests of one search: " + requestsOfAWholeSearch);

        proxy.delay(DELAY_MS);
        try {
            // each request answers in time: with a deadline that holds them all, the slow search is served
            SearchOutcome slow = harness.search(service(log, 60_000), SearchHarness.DPD, wildcard("DPD-2026-000702"));
            assertEquals(200, slow.status(), slow.body().encode());
            assertEquals(READS, slow.body().getJsonArray("hits").size(), slow.body().encode());

            // the same search with a deadline shorter than its requests together: 503 at the deadline
            before = proxy.forwardedRequests();
            SearchOutcome cut = harness.search(service(log, DEADLINE_MS), SearchHarness.DPD, wildcard("DPD-2026-000703"));
            int requestsSent = proxy.forwardedRequests() - before;
            assertEquals(503, cut.status(), cut.body().encode());
            assertFalse(cut.body().containsKey("hits"), cut.body().encode());
            assertEquals("the search did not finish within search.max_search_ms (" + DEADLINE_MS + " ms); retry later",
                    cut.body().getString("error"));
            // it stopped there: the pages past the deadline were never asked for
            assertTrue(requestsSent < requestsOfAWholeSearch, requestsSent + " of " + requestsOfAWholeSearch + " requests sent");

            // its one record, written before the answer, says it failed and why
            AuditEntry record = log.last();
            assertEquals("search", record.action());
            assertEquals("DPD-2026-000703", record.caseNumber());
            assertEquals(cut.auditId(), record.auditId());
            assertEquals("failed", record.outcome());
            assertEquals(503, record.status());
            assertEquals(cut.body().getString("error"), record.reason());
            assertEquals(List.of(), record.readIds());
            assertEquals(1, log.entries.stream().filter(e -> "DPD-2026-000703".equals(e.caseNumber())).count(), log.entries.toString());
        } finally {
            proxy.delay(0);
        }
    }
}
