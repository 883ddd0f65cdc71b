package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.api.ApiStack.searchBody;
import static org.platewarden.search.api.SearchApiVerticleIT.ACSO;
import static org.platewarden.search.api.SearchApiVerticleIT.INVESTIGATOR;
import static org.platewarden.search.api.SearchApiVerticleIT.SUPERVISOR;
import static org.platewarden.search.audit.AuditEsSupport.await;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.audit.CanonicalJson;
import org.platewarden.search.audit.RefusedRecordBudget;
import org.platewarden.search.query.SearchService;
import org.platewarden.testkit.SettableClock;

/**
 * The searches a node runs at once, through HTTP on the real search service, audit log and
 * Elasticsearch: the probe's burst (60 searches at once from three users) is served, not a third of it
 * answered 503; a search the node is too busy for is a 503 with {@code Retry-After: 1} whose record
 * says {@code rate_limited}, and the public transparency report counts no failed search for it.
 */
class SearchBusyIT {
    @TempDir
    Path dataDir;

    private static ApiStack stack(Path dataDir, JsonObject searchOverrides) {
        return new ApiStack(dataDir, RefusedRecordBudget.of(120), searchOverrides);
    }

    /** A client that sends every request at once (the default pool would queue them five at a time). */
    private static WebClient parallelClient(ApiStack stack) {
        return WebClient.create(stack.vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(stack.port),
                new PoolOptions().setHttp1MaxSize(100));
    }

    private static List<HttpResponse<Buffer>> allAtOnce(WebClient client, List<String> tokens, String casePrefix) {
        List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            sent.add(client.post("/v1/search").bearerTokenAuthentication(tokens.get(i))
                    .sendJsonObject(searchBody("stolen_vehicle", casePrefix + i)));
        }
        await(Future.join(new ArrayList<>(sent)));
        return sent.stream().map(Future::result).toList();
    }

    private static TreeMap<Integer, Integer> byStatus(List<HttpResponse<Buffer>> answers) {
        TreeMap<Integer, Integer> counts = new TreeMap<>();
        answers.forEach(a -> counts.merge(a.statusCode(), 1, Integer::sum));
        return counts;
    }

    @Test
    void sixtySearchesAtOnceFromThreeUsersAreAllServed() {
        // the default searches at once (16) and queue (64); the burst took 0.8-1.5 s here on a loaded
        // two-core machine, within the default 2 s wait, which a slower CI machine need not be: a long
        // wait keeps this test about the queue, not about the machine's speed
        try (ApiStack stack = stack(dataDir, new JsonObject().put("max_queue_wait_ms", 10_000))) {
            WebClient client = parallelClient(stack);
            // a node that has served a search (JIT, connections, Elasticsearch's caches), as a running one has
            assertEquals(200, stack.search(INVESTIGATOR, searchBody("robbery", "WARM-1")).statusCode());
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < 20; i++) tokens.addAll(List.of(INVESTIGATOR, SUPERVISOR, ACSO));
            List<HttpResponse<Buffer>> answers = allAtOnce(client, tokens, "BURST-");
            assertEquals(new TreeMap<>(java.util.Map.of(200, 60)), byStatus(answers),
                    "16 run and the other 44 wait their turn (at most 64 wait): "
                            + answers.stream().filter(a -> a.statusCode() != 200).map(HttpResponse::bodyAsString).limit(3).toList());
            client.close();
        }
    }

    @Test
    void aSearchTheNodeIsTooBusyForIsA503RateLimitedAndTheTransparencyReportCountsNoFailure() {
        // one search at a time and no queue: of twenty sent at once, most find the node busy; twenty a
        // minute, so every one of them is within the rate limit and a twenty-first only if the 503s gave theirs back
        try (ApiStack stack = stack(dataDir, new JsonObject().put("max_concurrent_searches", 1).put("max_queued_searches", 0)
                .put("rate_limit_per_minute", 20))) {
            WebClient client = parallelClient(stack);
            List<HttpResponse<Buffer>> answers = allAtOnce(client, java.util.Collections.nCopies(20, INVESTIGATOR), "BUSY-");
            TreeMap<Integer, Integer> statuses = byStatus(answers);
            assertEquals(Set.of(200, 503), java.util.Set.copyOf(statuses.keySet()), "served or busy, nothing else: " + statuses);
            int busy = statuses.get(503);
            for (HttpResponse<Buffer> a : answers) {
                if (a.statusCode() != 503) continue;
                assertEquals("1", a.getHeader("Retry-After"));
                assertEquals(SearchService.BUSY, a.bodyAsJsonObject().getString("error"));
                JsonObject record = stack.recordOf(a); // the answer names its record, whose status is the answer's
                assertEquals("rate_limited", record.getString("outcome"), record.encode());
                assertEquals(SearchService.BUSY, record.getString("reason"));
                assertEquals("dpd.investigator", record.getString("user"));
            }
            // a search answered 503 gave its place in the rate limit back: without that this would be a 429
            HttpResponse<Buffer> more = stack.search(INVESTIGATOR, searchBody("stolen_vehicle", "BUSY-AFTER"));
            assertEquals(200, more.statusCode(), more.bodyAsString());

            JsonObject searches = stack.send(stack.client.get("/v1/transparency"), null).bodyAsJsonObject().getJsonObject("searches");
            JsonObject byOutcome = searches.getJsonObject("by_outcome");
            assertNull(byOutcome.getValue("failed"), "no search failed: " + byOutcome.encode());
            assertEquals((long) busy, byOutcome.getLong("rate_limited"), byOutcome.encode());
            assertEquals(21L - busy, byOutcome.getLong("allowed"), byOutcome.encode());
            assertEquals(0L, searches.getLong("refused"));
            String metrics = stack.send(stack.client.get("/metrics"), null).bodyAsString();
            assertTrue(metrics.contains("platewarden_search_busy_total " + busy + ".0"), metrics.lines()
                    .filter(l -> l.startsWith("platewarden_search_busy")).toList().toString());
            client.close();
        }
    }

    /**
     * A caller retrying against a busy node past its budget of refused records: the busy 503s it is
     * counted into one refused_summary, which says what they were, rate_limited (status 503) — not
     * failed, as a summary of mostly 503s said when it took its outcome from the status — and the
     * transparency report counts them so.
     */
    @Test
    void aSummaryOfABusyNodes503sIsRateLimitedInTheTrailAndTheReport() {
        Instant window = Instant.parse("2026-11-22T14:03:00Z");
        SettableClock budgetClock = new SettableClock(window.plusSeconds(10));
        RefusedRecordBudget budget = new RefusedRecordBudget(1, 100, Duration.ofMinutes(1), budgetClock);
        try (ApiStack stack = new ApiStack(dataDir, budget, new JsonObject().put("max_concurrent_searches", 1).put("max_queued_searches", 0)
                .put("rate_limit_per_minute", 1000))) {
            WebClient client = parallelClient(stack);
            List<HttpResponse<Buffer>> answers = allAtOnce(client, java.util.Collections.nCopies(20, INVESTIGATOR), "FLOOD-");
            List<HttpResponse<Buffer>> busy = answers.stream().filter(a -> a.statusCode() == 503).toList();
            assertTrue(busy.size() >= 2, "of twenty at once on a node running one, at least two find it busy: " + byStatus(answers));
            List<String> countedAs = busy.stream().filter(a -> "counted".equals(a.bodyAsJsonObject().getString("audit")))
                    .map(a -> a.bodyAsJsonObject().getString("audit_id")).distinct().toList();
            assertEquals(1, countedAs.size(), "the first has its own record, the rest one summary: " + countedAs);

            budgetClock.advance(Duration.ofMinutes(1));
            JsonObject summary = stack.recordsAfterTheTick(RefusedRecordBudget.SUMMARY_ACTION, 1).getJsonObject(0);
            assertEquals(countedAs.get(0), summary.getString("audit_id"));
            long counted = busy.size() - 1;
            assertEquals(counted, summary.getLong("request_count"));
            assertEquals("rate_limited", summary.getString("outcome"), summary.encode());
            assertEquals(503, summary.getInteger("status"), "a busy node's 503s, not the caller's 429s");
            JsonObject query = summary.getJsonObject("query");
            assertEquals(new JsonObject().put("503", counted), query.getJsonObject("by_status"));
            assertEquals(new JsonObject().put("rate_limited", counted), query.getJsonObject("by_outcome"));

            JsonObject searches = stack.send(stack.client.get("/v1/transparency"), null).bodyAsJsonObject().getJsonObject("searches");
            assertEquals(counted, searches.getLong("refused_requests_summarized"), searches.encode());
            assertEquals(new JsonObject().put("rate_limited", counted), searches.getJsonObject("refused_requests_summarized_by_outcome"));
            client.close();
        }
    }

    /**
     * Before they were {@code rate_limited}, such searches were recorded {@code failed} (503, the same
     * reason): the records are kept as written, and the report counts them as what they were.
     */
    @Test
    void aBusySearchRecordedAsFailedBeforeIsCountedAsRateLimitedAndARealFailureStaysFailed() {
        try (ApiStack stack = stack(dataDir, new JsonObject())) {
            record(stack, "failed", 503, SearchService.BUSY);
            record(stack, "failed", 503, SearchService.BUSY);
            record(stack, "failed", 503, "the search backend is unavailable; retry later");
            record(stack, "rate_limited", 429, "more than 60 searches per minute; retry in 3 s");
            record(stack, "allowed", 200, null);

            JsonObject searches = stack.send(stack.client.get("/v1/transparency"), null).bodyAsJsonObject().getJsonObject("searches");
            assertEquals(5L, searches.getLong("total"));
            assertEquals(new JsonObject().put("allowed", 1L).put("failed", 1L).put("rate_limited", 3L), searches.getJsonObject("by_outcome"));
        }
    }

    private static void record(ApiStack stack, String outcome, int status, String reason) {
        AuditEntry entry = new AuditEntry("search", "dpd.investigator", "DPD", Set.of("investigator"), "stolen_vehicle", "LEGACY-1",
                CanonicalJson.parse(searchBody("stolen_vehicle", "LEGACY-1").encode()), "127.0.0.1", outcome, reason, status, 0, List.of());
        await(stack.auditLog.record(entry));
    }
}
