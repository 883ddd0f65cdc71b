package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.api.ApiStack.searchBody;
import static org.platewarden.search.api.ApiStack.term;
import static org.platewarden.search.api.SearchApiVerticleIT.ACSO;
import static org.platewarden.search.api.SearchApiVerticleIT.AUDITOR;
import static org.platewarden.search.api.SearchApiVerticleIT.INVESTIGATOR;
import static org.platewarden.search.api.SearchApiVerticleIT.SUPERVISOR;

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
import org.platewarden.search.audit.RefusedRecordBudget;
import org.platewarden.testkit.SettableClock;

/**
 * The per-user budget for individual audit records of authenticated callers' refused requests,
 * through HTTP on the real search service, audit log and Elasticsearch: past it a refusal (403, 429,
 * 400 …) gets the same answer with {@code "audit":"counted"} and no record of its own, its
 * {@code audit_id} (and {@code X-Audit-Id}) naming the caller's {@code refused_summary} record, which
 * counts the rest once the window closes and has exactly that id; allowed searches keep their records
 * (the budget's clock is the test's; the verticle's one-second tick writes the summaries).
 */
class RefusedAuditBudgetIT {
    /** A minute's start, so a window's bounds are known; 10 s into it. */
    private static final Instant WINDOW = Instant.parse("2026-11-22T14:03:00Z");
    private static final String SUMMARY = RefusedRecordBudget.SUMMARY_ACTION;
    @TempDir
    Path dataDir;
    private final SettableClock clock = new SettableClock(WINDOW.plusSeconds(10));

    private ApiStack stack(int perUser, int rateLimitPerMinute) {
        return new ApiStack(dataDir, new RefusedRecordBudget(perUser, 100, Duration.ofMinutes(1), clock),
                new JsonObject().put("rate_limit_per_minute", rateLimitPerMinute));
    }

    /** The answer a counted refusal must get, but for its audit_id: the recorded one's, with "audit":"counted". */
    private static JsonObject countedFormOf(HttpResponse<Buffer> recorded) {
        JsonObject expected = recorded.bodyAsJsonObject().copy();
        assertNotNull(expected.remove("audit_id"), recorded.bodyAsString());
        return expected.put("audit", "counted");
    }

    /**
     * A counted answer: that status and body, and an audit_id, in the body and in X-Audit-Id, that
     * names the summary record to come; returns it.
     */
    static String assertCounted(int status, JsonObject expected, HttpResponse<Buffer> answer) {
        assertEquals(status, answer.statusCode(), answer.bodyAsString());
        JsonObject body = answer.bodyAsJsonObject().copy();
        String auditId = (String) body.remove("audit_id");
        assertNotNull(auditId, "a counted answer names the summary record that counts it: " + answer.bodyAsString());
        assertEquals(expected, body);
        assertEquals(auditId, answer.getHeader(Responses.AUDIT_ID_HEADER), "X-Audit-Id names it as every answer's does");
        return auditId;
    }

    /** The one record with that audit id. */
    private static JsonObject recordWithId(ApiStack stack, String auditId) {
        JsonArray records = stack.auditRecords(term("audit_id", auditId));
        assertEquals(1, records.size(), "one record with id " + auditId + ": " + records.encode());
        return records.getJsonObject(0);
    }

    private static Map<String, JsonObject> byAgency(JsonArray summaries) {
        Map<String, JsonObject> out = new HashMap<>();
        summaries.forEach(o -> out.put(((JsonObject) o).getString("agency"), (JsonObject) o));
        return out;
    }

    @Test
    void pastItsBudgetAUsersRefusalsAreAnsweredTheSameButCountedAndOneSummaryPerUserCountsThemWhenTheWindowCloses() throws Exception {
        try (ApiStack stack = stack(3, 5)) {
            // a prohibited purpose, refused by the search service: the first three each have their record
            HttpResponse<Buffer> refused = null;
            for (int i = 0; i < 3; i++) {
                refused = stack.search(INVESTIGATOR, searchBody("personal", "WITHIN-" + i));
                assertEquals(403, refused.statusCode(), refused.bodyAsString());
                JsonObject record = stack.recordOf(refused);
                assertEquals("dpd.investigator", record.getString("user"));
                assertEquals("refused", record.getString("outcome"));
                assertEquals("WITHIN-" + i, record.getString("case_number"));
            }
            // the fourth: the same status and error, counted instead of recorded; its audit_id names the summary to come
            String summaryId = assertCounted(403, countedFormOf(refused), stack.search(INVESTIGATOR, searchBody("personal", "OVER-1")));
            assertTrue(stack.auditRecords(term("audit_id", summaryId)).isEmpty(), "written when the window closes");

            // allowed searches past the budget each keep their own record (the rate limit is 5 a minute)
            for (int i = 0; i < 5; i++) {
                HttpResponse<Buffer> allowed = stack.search(INVESTIGATOR, searchBody("stolen_vehicle", "ALLOWED-" + i));
                assertEquals(200, allowed.statusCode(), allowed.bodyAsString());
                assertEquals(allowed.bodyAsJsonObject().getString("audit_id"), allowed.getHeader(Responses.AUDIT_ID_HEADER));
                assertEquals("allowed", stack.recordOf(allowed).getString("outcome"));
            }
            // past the rate limit: 429s, counted, with their Retry-After
            for (int i = 0; i < 2; i++) {
                HttpResponse<Buffer> limited = stack.search(INVESTIGATOR, searchBody("stolen_vehicle", "LIMITED-" + i));
                assertEquals(429, limited.statusCode(), limited.bodyAsString());
                assertEquals("counted", limited.bodyAsJsonObject().getString("audit"), limited.bodyAsString());
                assertEquals(summaryId, limited.bodyAsJsonObject().getString("audit_id"), "the same caller and window: the same summary");
                assertEquals(summaryId, limited.getHeader(Responses.AUDIT_ID_HEADER));
                assertNotNull(limited.getHeader("Retry-After"));
                assertTrue(limited.bodyAsJsonObject().getString("error").contains("searches per minute"), limited.bodyAsString());
            }
            // refusals before any handler share the same budget: a role the route does not take, an unparseable body
            assertEquals(summaryId, assertCounted(403,
                    new JsonObject().put("error", "this needs one of the roles auditor").put("status", 403).put("audit", "counted"),
                    stack.send(stack.client.get("/v1/audit"), INVESTIGATOR)));
            assertEquals(summaryId, assertCounted(400,
                    new JsonObject().put("error", "request body is not valid JSON").put("status", 400).put("audit", "counted"),
                    stack.sendJson(stack.client.post("/v1/search"), INVESTIGATOR, "{not json")));

            // every user has a budget of its own
            HttpResponse<Buffer> supervisor = stack.search(SUPERVISOR, searchBody("personal", "SUPERVISOR-1"));
            assertEquals("dpd.supervisor", stack.recordOf(supervisor).getString("user"));
            HttpResponse<Buffer> acso = null;
            for (int i = 0; i < 4; i++) acso = stack.search(ACSO, searchBody("personal", "ACSO-" + i));
            String acsoSummaryId = acso.bodyAsJsonObject().getString("audit_id");
            assertEquals("counted", acso.bodyAsJsonObject().getString("audit"));
            assertNotEquals(summaryId, acsoSummaryId, "another caller's summary");

            // no record for any counted request: 3 refusals and 5 searches of the investigator's own
            assertTrue(stack.auditRecords(term("case_number", "OVER-1")).isEmpty());
            assertTrue(stack.auditRecords(term("case_number", "LIMITED-0")).isEmpty());
            assertEquals(8, stack.auditRecords(term("user", "dpd.investigator")).size());
            assertTrue(stack.auditRecords(term("action", SUMMARY)).isEmpty(), "the window is open");

            clock.advance(Duration.ofMinutes(1));
            stack.recordsAfterTheTick(SUMMARY, 2);
            Thread.sleep(1_500); // another tick or two: nothing more is written
            Map<String, JsonObject> summaries = byAgency(stack.auditRecords(term("action", SUMMARY)));
            assertEquals(2, summaries.size(), summaries.toString());
            JsonObject summary = summaries.get("DPD");
            assertEquals(summaryId, summary.getString("audit_id"), "the record every counted answer named");
            assertEquals(summary, recordWithId(stack, summaryId));
            assertEquals(acsoSummaryId, summaries.get("ACSO").getString("audit_id"));
            assertEquals("dpd.investigator", summary.getString("user"));
            assertEquals("static_token", summary.getString("auth_method"));
            assertEquals(5L, summary.getLong("request_count"));
            assertEquals(403, summary.getInteger("status"), "403 and 429 twice each: the lower");
            assertEquals("refused", summary.getString("outcome"));
            JsonObject query = summary.getJsonObject("query");
            assertEquals(WINDOW.toString(), query.getString("window_start"));
            assertEquals(WINDOW.plusSeconds(60).toString(), query.getString("window_end"));
            assertEquals(WINDOW.plusSeconds(10).toString(), query.getString("first_at"));
            assertEquals(WINDOW.plusSeconds(10).toString(), query.getString("last_at"));
            assertEquals(5L, query.getLong("requests"));
            assertEquals(new JsonObject().put("400", 1L).put("403", 2L).put("429", 2L), query.getJsonObject("by_status"));
            assertEquals(new JsonObject().put("audit_read", 1L).put("search", 4L), query.getJsonObject("by_action"));
            assertTrue(summary.getString("reason").contains("(3 per user every minute)"), summary.getString("reason"));
            assertTrue(summary.getString("reason").endsWith("their answers named this record's audit_id"), summary.getString("reason"));
            assertEquals("acso.investigator", summaries.get("ACSO").getString("user"));
            assertEquals(1L, summaries.get("ACSO").getLong("request_count"));

            // the chain verifies, summaries and ordinary records alike
            HttpResponse<Buffer> verify = stack.send(stack.client.get("/v1/audit/verify"), AUDITOR);
            assertEquals(200, verify.statusCode(), verify.bodyAsString());
            assertEquals(true, verify.bodyAsJsonObject().getBoolean("ok"), verify.bodyAsString());

            // auditors filter on the action; the oversight agency's auditor sees both, another agency's its own only
            JsonObject all = stack.send(stack.client.get("/v1/audit?action=" + SUMMARY), AUDITOR).bodyAsJsonObject();
            assertEquals(2, all.getInteger("count"), all.encode());
            JsonObject dpdOnly = stack.send(stack.client.get("/v1/audit?action=" + SUMMARY + "&agency=DPD"), AUDITOR).bodyAsJsonObject();
            assertEquals(List.of(5L), dpdOnly.getJsonArray("records").stream().map(r -> ((JsonObject) r).getLong("request_count")).toList());
            String acsoAuditor = stack.jwt("acso.auditor", "ACSO", "auditor");
            JsonObject acsoPage = stack.send(stack.client.get("/v1/audit?action=" + SUMMARY), acsoAuditor).bodyAsJsonObject();
            assertEquals(List.of("acso.investigator"), acsoPage.getJsonArray("records").stream()
                    .map(r -> ((JsonObject) r).getString("user")).toList(), acsoPage.encode());
            assertEquals(403, stack.send(stack.client.get("/v1/audit?action=" + SUMMARY + "&agency=DPD"), acsoAuditor).statusCode());
            String csv = stack.send(stack.client.get("/v1/audit?action=" + SUMMARY + "&agency=DPD&format=csv"), AUDITOR).bodyAsString();
            String[] lines = csv.split("\r\n");
            assertEquals(2, lines.length, csv);
            assertTrue(lines[0].endsWith(",request_count,auth_method,proxy_address,window_from,window_to,page_limit"), lines[0]);
            assertTrue(lines[1].endsWith(",5,static_token,,,,"), lines[1]);

            // the public figures: the refusals with records of their own are searches as before; the counted ones (any route) apart
            JsonObject searches = stack.send(stack.client.get("/v1/transparency"), null).bodyAsJsonObject().getJsonObject("searches");
            assertEquals(6L, searches.getLong("refused_requests_summarized"), "DPD's 5 and ACSO's 1: " + searches.encode());
            assertEquals(3L + 1 + 3, searches.getLong("refused"), "the recorded 403s of searches: the investigator's 3, the supervisor's 1, ACSO's 3: "
                    + searches.encode());

            String metrics = stack.send(stack.client.get("/metrics"), null).bodyAsString();
            assertTrue(metrics.contains("platewarden_audit_refused_summarized_total 6.0"), metrics);
            assertTrue(metrics.contains("platewarden_audit_refused_summaries_total{result=\"written\"} 2.0"), metrics);
        }
    }

    /** A JWT caller's summary names its auth method; at shutdown the current window is written before the audit log closes. */
    @Test
    void atShutdownTheCurrentWindowsSummaryIsWrittenAndAJwtCallersSaysSo() {
        try (ApiStack stack = stack(1, 60)) {
            String token = stack.jwt("jwt.investigator", "DPD", "investigator");
            java.util.Set<String> countedAs = new java.util.HashSet<>();
            for (int i = 0; i < 3; i++) {
                HttpResponse<Buffer> answer = stack.search(token, searchBody("reproductive_health", "SHUT-" + i));
                assertEquals(403, answer.statusCode());
                if (i > 0) countedAs.add(answer.bodyAsJsonObject().getString("audit_id"));
            }
            clock.advance(Duration.ofSeconds(5));
            assertTrue(stack.auditRecords(term("action", SUMMARY)).isEmpty(), "the window is open");
            stack.stopServer();
            JsonArray summaries = stack.auditRecords(term("action", SUMMARY));
            assertEquals(1, summaries.size(), "written by the verticle's stop, before it returned");
            JsonObject summary = summaries.getJsonObject(0);
            assertEquals("jwt.investigator", summary.getString("user"));
            assertEquals("jwt", summary.getString("auth_method"));
            assertEquals(2L, summary.getLong("request_count"));
            assertEquals(java.util.Set.of(summary.getString("audit_id")), countedAs, "both counted answers named it");
            assertEquals(WINDOW.plusSeconds(15).toString(), summary.getJsonObject("query").getString("window_end"));
        }
    }

    /**
     * With the budget the application builds from {@code search.refused_records_per_minute_per_user}
     * (2 here, on the system clock), more refusals than that through both refusing paths (the search
     * service's 403 for a prohibited purpose, the server's for a role the route does not take): every
     * answer names a record, and after the shutdown flush each id a counted answer named is the id of
     * exactly one refused_summary record, which counts exactly the answers that named it. (A minute's
     * boundary during the test only splits them into two windows, each with its own budget and id.)
     */
    @Test
    void everyCountedAnswerNamesTheSummaryRecordThatIsThenWrittenWithThatIdAndCountsExactlyThem() {
        JsonObject search = new JsonObject().put("refused_records_per_minute_per_user", 2).put("rate_limit_per_minute", 1000);
        try (ApiStack stack = ApiStack.withConfiguredRefusedBudget(dataDir, search)) {
            Map<String, Integer> countedAs = new HashMap<>();
            List<String> ownRecords = new java.util.ArrayList<>();
            for (int i = 0; i < 12; i++) {
                HttpResponse<Buffer> answer = i % 3 == 2
                        ? stack.send(stack.client.get("/v1/audit"), INVESTIGATOR)
                        : stack.search(INVESTIGATOR, searchBody("personal", "CONFIGURED-" + i));
                assertEquals(403, answer.statusCode(), answer.bodyAsString());
                String auditId = answer.bodyAsJsonObject().getString("audit_id");
                assertNotNull(auditId, "every answer names a record: " + answer.bodyAsString());
                assertEquals(auditId, answer.getHeader(Responses.AUDIT_ID_HEADER));
                if ("counted".equals(answer.bodyAsJsonObject().getString("audit"))) {
                    countedAs.merge(auditId, 1, Integer::sum);
                } else {
                    assertNull(answer.bodyAsJsonObject().getValue("audit"), answer.bodyAsString());
                    ownRecords.add(auditId);
                    assertEquals("refused", stack.recordOf(answer).getString("outcome"));
                }
            }
            assertTrue(ownRecords.size() >= 2 && ownRecords.size() <= 4, "2 a minute (a minute's boundary crossed: up to 4): " + ownRecords);
            assertEquals(12 - ownRecords.size(), countedAs.values().stream().mapToInt(Integer::intValue).sum());
            assertTrue(countedAs.keySet().stream().allMatch(id -> stack.auditRecords(term("audit_id", id)).isEmpty()),
                    "not written while the window is open");

            stack.stopServer(); // the shutdown flush closes the window and writes its summary
            for (Map.Entry<String, Integer> named : countedAs.entrySet()) {
                JsonObject summary = recordWithId(stack, named.getKey());
                assertEquals(SUMMARY, summary.getString("action"));
                assertEquals("dpd.investigator", summary.getString("user"));
                assertEquals("DPD", summary.getString("agency"));
                assertEquals("refused", summary.getString("outcome"));
                assertEquals(403, summary.getInteger("status"));
                assertEquals(named.getValue().longValue(), summary.getLong("request_count"), "counts exactly the answers that named it");
                assertTrue(summary.getString("reason").contains("(2 per user every minute)"), summary.getString("reason"));
            }
            assertEquals(countedAs.size(), stack.auditRecords(term("action", SUMMARY)).size(), "no other summary");
        }
    }
}
