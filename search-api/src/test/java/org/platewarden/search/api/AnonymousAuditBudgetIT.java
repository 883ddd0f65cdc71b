package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.api.ApiStack.searchBody;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.search.audit.AnonymousBudget;
import org.platewarden.search.audit.AuditEsSupport;
import org.platewarden.search.audit.CanonicalJson;
import org.platewarden.testkit.SettableClock;
import org.platewarden.templates.TemplateResources;

/**
 * The budget for individual audit records of requests without valid credentials, through HTTP on a
 * real audit log and Elasticsearch: past it a request gets the same answer with
 * {@code "audit":"counted"} and no record of its own, its {@code audit_id} naming its address's
 * {@code anonymous_summary} record, which counts it once the window closes and has that id (the
 * budget's clock is the test's: a window closes when the test moves it, and the verticle's one-second
 * tick writes its summaries). Each test has its own stack and budget.
 */
class AnonymousAuditBudgetIT {
    /** A minute's start, so a window's bounds are known; 10 s into it. */
    private static final Instant WINDOW = Instant.parse("2026-11-22T14:03:00Z");
    @TempDir
    Path dataDir;
    private final SettableClock clock = new SettableClock(WINDOW.plusSeconds(10));

    private AnonymousBudget budget(int perAddress, int perNode, int maxAddresses) {
        return new AnonymousBudget(perAddress, perNode, maxAddresses, Duration.ofMinutes(1), clock);
    }

    private static String term(String field, String value) {
        return ApiStack.term(field, value);
    }

    /** The summary records once the window is closed: the test waits for the tick that writes them. */
    private static JsonArray summariesAfterTheTick(ApiStack stack, int expected) {
        return stack.recordsAfterTheTick(AnonymousBudget.SUMMARY_ACTION, expected);
    }

    private static Map<String, JsonObject> byAddress(JsonArray summaries) {
        Map<String, JsonObject> out = new HashMap<>();
        summaries.forEach(o -> out.put(((JsonObject) o).getString("client_address"), (JsonObject) o));
        return out;
    }

    /** The body of the 401 to an unauthenticated search from that loopback address. */
    private static JsonObject anonymousSearch(ApiStack stack, String address) {
        Map.Entry<Integer, JsonObject> answer = ApiStack.anonymousSearchFrom(address, stack.port);
        assertEquals(401, answer.getKey(), answer.getValue().encode());
        return answer.getValue();
    }

    @Test
    void overTheBudgetTheAnswerIsTheSameButCountedAndTheSummaryRecordCountsItWhenTheWindowCloses() {
        try (ApiStack stack = new ApiStack(dataDir, budget(3, 1000, 10), prefix -> { })) {
            // within the budget: each its own record
            HttpResponse<Buffer> recorded = null;
            for (int i = 0; i < 3; i++) {
                recorded = stack.search(null, searchBody("stolen_vehicle", "WITHIN-" + i));
                assertEquals(401, recorded.statusCode());
                assertNotNull(recorded.bodyAsJsonObject().getString("audit_id"), recorded.bodyAsString());
            }
            // over it: the same status, header and error, "audit":"counted", and an audit_id naming the summary to come
            JsonObject expected = recorded.bodyAsJsonObject().copy();
            expected.remove("audit_id");
            expected.put("audit", "counted");
            List<HttpResponse<Buffer>> counted = List.of(
                    stack.search(null, searchBody("stolen_vehicle", "OVER-1")),
                    stack.search(null, searchBody("stolen_vehicle", "OVER-2")),
                    stack.send(stack.client.get("/v1/audit"), null),
                    stack.send(stack.client.get("/v1/audit"), null));
            String summaryId = counted.get(0).bodyAsJsonObject().getString("audit_id");
            assertNotNull(summaryId, counted.get(0).bodyAsString());
            for (HttpResponse<Buffer> r : counted) {
                assertEquals(401, r.statusCode());
                assertEquals(recorded.getHeader("WWW-Authenticate"), r.getHeader("WWW-Authenticate"));
                assertEquals(RefusedAuditBudgetIT.assertCounted(401, expected, r), summaryId, "one address, one window: one summary");
            }
            HttpResponse<Buffer> badToken = stack.search("not-a-token", searchBody("stolen_vehicle", "OVER-3"));
            assertEquals(401, badToken.statusCode());
            assertTrue(badToken.getHeader("WWW-Authenticate").contains("invalid_token"));
            assertEquals(summaryId, RefusedAuditBudgetIT.assertCounted(401, expected.copy().put("error", "invalid bearer token"), badToken));
            String big = searchBody("stolen_vehicle", "OVER-413").put("padding", "x".repeat(5000)).encode();
            HttpResponse<Buffer> tooLarge = stack.sendJson(stack.client.post("/v1/search"), null, big);
            assertEquals(summaryId, RefusedAuditBudgetIT.assertCounted(413,
                    new JsonObject().put("error", "request body too large (at most 4096 bytes)").put("status", 413).put("audit", "counted"), tooLarge));

            // authenticated callers are never budgeted, flood or not
            HttpResponse<Buffer> search = stack.search(SearchApiVerticleIT.INVESTIGATOR, searchBody("stolen_vehicle", "AUTH-1"));
            assertEquals(200, search.statusCode(), search.bodyAsString());
            assertNotNull(search.bodyAsJsonObject().getString("audit_id"));
            HttpResponse<Buffer> wrongRole = stack.search(SearchApiVerticleIT.AUDITOR, searchBody("stolen_vehicle", "AUTH-2"));
            assertEquals(403, wrongRole.statusCode());
            assertEquals("dpd.auditor", stack.recordOf(wrongRole).getString("user"));

            // no record of its own for any of the six
            assertEquals(3, stack.auditRecords(term("user", "anonymous")).size());
            assertTrue(stack.auditRecords(term("case_number", "OVER-1")).isEmpty());

            clock.advance(Duration.ofMinutes(1));
            JsonObject summary = summariesAfterTheTick(stack, 1).getJsonObject(0);
            assertEquals(summaryId, summary.getString("audit_id"), "the record every counted answer named");
            assertEquals(1, stack.auditRecords(term("audit_id", summaryId)).size());
            assertEquals("anonymous", summary.getString("user"));
            assertNull(summary.getString("agency"));
            assertEquals("127.0.0.1", summary.getString("client_address"));
            assertEquals("unauthorized", summary.getString("outcome"));
            assertEquals(401, summary.getInteger("status"));
            assertEquals(6L, summary.getLong("request_count"));
            JsonObject query = summary.getJsonObject("query");
            assertEquals(WINDOW.toString(), query.getString("window_start"));
            assertEquals(WINDOW.plusSeconds(60).toString(), query.getString("window_end"));
            assertEquals(6L, query.getLong("requests"));
            assertEquals(new JsonObject().put("401", 5L).put("413", 1L), query.getJsonObject("by_status"));
            assertEquals(new JsonObject().put("audit_read", 2L).put("search", 4L), query.getJsonObject("by_action"));
            assertTrue(summary.getString("reason").startsWith("6 request(s) without valid credentials from 127.0.0.1 between "
                    + WINDOW + " and " + WINDOW.plusSeconds(60)), summary.getString("reason"));
            assertTrue(summary.getString("reason").contains("3 per address and 1000 per node every minute"), summary.getString("reason"));

            // the chain verifies, summary and ordinary records (which have no request_count) alike
            HttpResponse<Buffer> verify = stack.send(stack.client.get("/v1/audit/verify"), SearchApiVerticleIT.AUDITOR);
            assertEquals(200, verify.statusCode(), verify.bodyAsString());
            assertEquals(true, verify.bodyAsJsonObject().getBoolean("ok"), verify.bodyAsString());

            // the auditor's report and its CSV show the count; auditors can filter on the action
            JsonObject page = stack.send(stack.client.get("/v1/audit?action=anonymous_summary"), SearchApiVerticleIT.AUDITOR).bodyAsJsonObject();
            assertEquals(1, page.getInteger("count"), page.encode());
            assertEquals(6L, page.getJsonArray("records").getJsonObject(0).getLong("request_count"));
            String csv = stack.send(stack.client.get("/v1/audit?action=anonymous_summary&format=csv"), SearchApiVerticleIT.AUDITOR).bodyAsString();
            String[] lines = csv.split("\r\n");
            assertTrue(lines[0].endsWith(",request_count,auth_method,proxy_address,window_from,window_to,page_limit"), lines[0]);
            assertTrue(lines[1].endsWith(",6,,,,,"), lines[1] + ": the count, and no auth method (no caller), proxy nor window");

            // the public figure counts every request without credentials: 3 recorded + 6 summarized
            JsonObject searches = stack.send(stack.client.get("/v1/transparency"), null).bodyAsJsonObject().getJsonObject("searches");
            assertEquals(9L, searches.getLong("unauthenticated_requests"), searches.encode());
            assertEquals(2L, searches.getLong("total"), "the investigator's and the auditor's; the summary is no search");

            String metrics = stack.send(stack.client.get("/metrics"), null).bodyAsString();
            assertTrue(metrics.contains("platewarden_audit_anonymous_summarized_total 6.0"), metrics);
            assertTrue(metrics.contains("platewarden_audit_anonymous_summaries_total{result=\"written\"} 1.0"), metrics);
        }
    }

    /** The node's budget counts all addresses together; another loopback address is another client address. */
    @Test
    void pastTheNodesBudgetEveryAddressIsCounted() {
        try (ApiStack stack = new ApiStack(dataDir, budget(5, 3, 100), prefix -> { })) {
            assertNotNull(anonymousSearch(stack, "127.0.0.2").getString("audit_id"));
            assertNotNull(anonymousSearch(stack, "127.0.0.2").getString("audit_id"));
            assertNotNull(anonymousSearch(stack, "127.0.0.3").getString("audit_id"));
            JsonObject three = anonymousSearch(stack, "127.0.0.3");
            assertEquals("counted", three.getString("audit"), "the node's 3 are spent");
            JsonObject four = anonymousSearch(stack, "127.0.0.4");
            assertEquals("counted", four.getString("audit"), "even an address's first");

            clock.advance(Duration.ofMinutes(1));
            Map<String, JsonObject> summaries = byAddress(summariesAfterTheTick(stack, 2));
            assertEquals(2, summaries.size(), summaries.toString());
            assertEquals(1L, summaries.get("127.0.0.3").getLong("request_count"));
            assertEquals(three.getString("audit_id"), summaries.get("127.0.0.3").getString("audit_id"));
            assertEquals(1L, summaries.get("127.0.0.4").getLong("request_count"));
            assertEquals(four.getString("audit_id"), summaries.get("127.0.0.4").getString("audit_id"));
            assertEquals(List.of("127.0.0.2", "127.0.0.2", "127.0.0.3"), stack.auditRecords(term("action", "search")).stream()
                    .map(o -> ((JsonObject) o).getString("client_address")).toList());
        }
    }

    /** Past the bound on addresses of a window, one overflow summary ("*") counts the rest. */
    @Test
    void addressesPastTheBoundAreCountedUnderTheOverflowAddress() {
        try (ApiStack stack = new ApiStack(dataDir, budget(1, 100, 2), prefix -> { })) {
            java.util.Set<String> overflowIds = new java.util.HashSet<>();
            for (String address : List.of("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5")) {
                JsonObject first = anonymousSearch(stack, address);
                JsonObject second = anonymousSearch(stack, address);
                assertEquals("counted", second.getString("audit"));
                if (address.endsWith(".4") || address.endsWith(".5")) {
                    overflowIds.add(first.getString("audit_id"));
                    overflowIds.add(second.getString("audit_id"));
                }
            }
            clock.advance(Duration.ofMinutes(1));
            Map<String, JsonObject> summaries = byAddress(summariesAfterTheTick(stack, 3));
            assertEquals(3, summaries.size(), summaries.toString());
            assertEquals(1L, summaries.get("127.0.0.2").getLong("request_count"));
            assertEquals(1L, summaries.get("127.0.0.3").getLong("request_count"));
            JsonObject overflow = summaries.get(AnonymousBudget.OVERFLOW_ADDRESS);
            assertEquals(4L, overflow.getLong("request_count"), "127.0.0.4 and .5: new once two addresses were known, all counted");
            assertEquals(java.util.Set.of(overflow.getString("audit_id")), overflowIds, "each of their answers named the overflow's record");
            assertTrue(overflow.getString("reason").contains("from client addresses past the first 2 of their window"), overflow.getString("reason"));
        }
    }

    /** At shutdown the current window is closed and written before the audit log closes. */
    @Test
    void atShutdownTheCurrentWindowsSummaryIsWritten() {
        try (ApiStack stack = new ApiStack(dataDir, budget(1, 100, 10), prefix -> { })) {
            for (int i = 0; i < 3; i++) assertEquals(401, stack.search(null, searchBody("stolen_vehicle", "SHUT-" + i)).statusCode());
            clock.advance(Duration.ofSeconds(5));
            assertTrue(stack.auditRecords(term("action", "anonymous_summary")).isEmpty(), "the window is open");
            stack.stopServer();
            JsonArray summaries = stack.auditRecords(term("action", "anonymous_summary"));
            assertEquals(1, summaries.size(), "written by the verticle's stop, before it returned");
            assertEquals(2L, summaries.getJsonObject(0).getLong("request_count"));
            assertEquals(WINDOW.plusSeconds(15).toString(), summaries.getJsonObject(0).getJsonObject("query").getString("window_end"));
        }
    }

    /**
     * A node upgraded from a version without {@code request_count} keeps its audit index (never
     * deleted), created with the older mapping: start-up adds the field to it, so summaries are
     * indexed and the chain verifies.
     */
    @Test
    void summariesAreIndexedIntoAnAuditIndexCreatedBeforeRequestCountExisted() {
        try (ApiStack stack = new ApiStack(dataDir, budget(1, 100, 10), prefix -> {
            ObjectNode template = (ObjectNode) CanonicalJson.parse(new TemplateResources(prefix, 21).load(TemplateResources.AUDIT_TEMPLATE));
            ObjectNode mappings = (ObjectNode) template.path("template").path("mappings");
            ((ObjectNode) mappings.path("properties")).remove("request_count");
            AuditEsSupport.call(AuditEsSupport.restClient(), "PUT", "/" + prefix + "-audit",
                    "{\"settings\":{\"index.number_of_shards\":1},\"mappings\":" + CanonicalJson.write(mappings) + "}");
        })) {
            String index = stack.config.auditIndex();
            assertEquals("long", AuditEsSupport.call(stack.es.rest(), "GET", "/" + index + "/_mapping", null)
                    .path(index).path("mappings").path("properties").path("request_count").path("type").asText(), "added at start-up");
            assertEquals(401, stack.search(null, searchBody("stolen_vehicle", "OLD-1")).statusCode());
            assertEquals("counted", stack.search(null, searchBody("stolen_vehicle", "OLD-2")).bodyAsJsonObject().getString("audit"));
            clock.advance(Duration.ofMinutes(1));
            assertEquals(1L, summariesAfterTheTick(stack, 1).getJsonObject(0).getLong("request_count"));
            HttpResponse<Buffer> verify = stack.send(stack.client.get("/v1/audit/verify"), SearchApiVerticleIT.AUDITOR);
            assertEquals(true, verify.bodyAsJsonObject().getBoolean("ok"), verify.bodyAsString());
        }
    }
}
