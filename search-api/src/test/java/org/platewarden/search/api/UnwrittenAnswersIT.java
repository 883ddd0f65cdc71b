package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An answer that throws while it is written, after its work was done and recorded: the client gets
 * the failure handler's 500 ({@code "internal error"}, an {@code error_id}, the {@code audit_id} of
 * the request's record), never no answer — thrown from a future's callback, the throw reached only
 * the context's exception handler and the request waited for the client's timeout. In the trail: a
 * search's or a read's "allowed" record is corrected (failed, 500, no reads) before the 500, as a 503's
 * is; a change's record stands (the change was made) and nothing says it failed. The values that
 * cannot be written come from the stand-in backends ({@link ApiStack#UNENCODABLE}); the routes,
 * failure handler and audit trail are the real ones, on Elasticsearch.
 */
class UnwrittenAnswersIT extends ApiStackSupport {
    /** far longer than any of these answers takes: a request left unanswered fails here instead of hanging the test */
    private static final int CLIENT_TIMEOUT_MILLIS = 10_000;

    private static HttpRequest<Buffer> timed(HttpRequest<Buffer> request) {
        return request.timeout(CLIENT_TIMEOUT_MILLIS);
    }

    /** The failure handler's 500: its one error shape, an error id, and the audit id of {@code recorded}. */
    private static void assertInternalError(HttpResponse<Buffer> answer, String recorded) {
        assertEquals(500, answer.statusCode(), answer.bodyAsString());
        JsonObject body = answer.bodyAsJsonObject();
        assertEquals("internal error", body.getString("error"), body.encode());
        assertEquals(500, body.getInteger("status"), body.encode());
        assertNotNull(body.getString("error_id"), body.encode());
        assertEquals(recorded, body.getString("audit_id"), body.encode());
        assertEquals(recorded, answer.getHeader(Responses.AUDIT_ID_HEADER), body.encode());
        assertFalse(body.containsKey("unencodable"), body.encode());
    }

    private static JsonObject onlyCorrectionOf(String action, String correctedId) {
        List<JsonObject> corrections = api.auditRecords(ApiStack.term("action", action)).stream().map(o -> (JsonObject) o)
                .filter(r -> correctedId.equals(r.getJsonObject("query").getString("corrects"))).toList();
        assertEquals(1, corrections.size(), corrections.toString());
        return corrections.get(0);
    }

    private static JsonObject record(String auditId) {
        JsonArray records = api.auditRecords(ApiStack.term("audit_id", auditId));
        assertEquals(1, records.size(), records.encode());
        return records.getJsonObject(0);
    }

    @Test
    void aSearchWhoseAnswerCannotBeWrittenIs500AndItsRecordIsCorrected() {
        HttpResponse<Buffer> answer = api.sendJson(timed(api.client.post("/v1/search")), "demo-dpd-investigator",
                ApiStack.searchBody("stolen_vehicle", ApiStack.UNENCODABLE_CASE));
        String searchId = answer.bodyAsJsonObject().getString("audit_id");
        assertNotNull(searchId, answer.bodyAsString());
        assertInternalError(answer, searchId);

        // the search's record says allowed with its page's read …
        JsonObject searched = record(searchId);
        assertEquals("allowed", searched.getString("outcome"));
        assertEquals(List.of("cam-001:1:ABC1234"), searched.getJsonArray("read_ids").getList());
        // … and its correction says none was shown: the caller got the 500
        JsonObject correction = onlyCorrectionOf("search_correction", searchId);
        assertEquals("failed", correction.getString("outcome"));
        assertEquals(500, correction.getInteger("status"));
        assertTrue(correction.getJsonArray("read_ids", new JsonArray()).isEmpty(), correction.encode());
        assertEquals(searched.getInteger("hit_count"), correction.getInteger("hit_count"));
        assertEquals("dpd.investigator", correction.getString("user"));
        assertEquals(ApiStack.UNENCODABLE_CASE, correction.getString("case_number"));
        assertEquals("stolen_vehicle", correction.getString("purpose"));
        assertTrue(correction.getString("reason").contains(answer.bodyAsJsonObject().getString("error_id")), correction.encode());
        assertTrue(correction.getString("reason").endsWith("no reads were returned"), correction.encode());

        // the route still answers: the next search is a 200
        assertEquals(200, api.search("demo-dpd-investigator", ApiStack.searchBody("stolen_vehicle", "UNENCODABLE-2")).statusCode());
    }

    @Test
    void aReadWhoseAnswerCannotBeWrittenIs500AndItsRecordIsCorrected() {
        api.holds.put("hold-unencodable", new JsonObject().put("hold_id", "hold-unencodable").put("agency", "DPD")
                .put("case_number", "UNENCODABLE-HOLD").put("unencodable", ApiStack.UNENCODABLE));
        try {
            HttpResponse<Buffer> answer = api.send(timed(api.client.get("/v1/holds")), "demo-dpd-supervisor");
            String listId = answer.bodyAsJsonObject().getString("audit_id");
            assertNotNull(listId, answer.bodyAsString());
            assertInternalError(answer, listId);
            JsonObject listed = record(listId);
            assertEquals("hold_list", listed.getString("action"));
            assertEquals("allowed", listed.getString("outcome"));

            JsonObject correction = onlyCorrectionOf("request_correction", listId);
            assertEquals("failed", correction.getString("outcome"));
            assertEquals(500, correction.getInteger("status"));
            assertEquals("hold_list", correction.getJsonObject("query").getString("corrects_action"));
            assertEquals(listed.getInteger("hit_count"), correction.getInteger("hit_count"));
            assertTrue(correction.getString("reason").contains(answer.bodyAsJsonObject().getString("error_id")), correction.encode());
            assertTrue(correction.getString("reason").endsWith("nothing was returned"), correction.encode());
        } finally {
            api.holds.remove("hold-unencodable");
        }
        assertEquals(200, api.send(api.client.get("/v1/holds"), "demo-dpd-supervisor").statusCode());
    }

    @Test
    void aChangeWhoseAnswerCannotBeWrittenIs500NamingItsRecordWhichStands() {
        api.retentionAnswer = done -> done.put("unencodable", ApiStack.UNENCODABLE);
        int runsBefore = api.retentionRuns.get();
        try {
            HttpResponse<Buffer> answer = api.send(timed(api.client.post("/v1/ops/retention/run")), "demo-dpd-ops");
            String intentId = answer.bodyAsJsonObject().getString("audit_id");
            assertNotNull(intentId, answer.bodyAsString());
            assertInternalError(answer, intentId);
            // the run was made, as its record says: no record follows saying it failed, and none corrects it
            assertEquals(runsBefore + 1, api.retentionRuns.get());
            JsonObject intent = record(intentId);
            assertEquals("retention_run", intent.getString("action"));
            assertEquals("allowed", intent.getString("outcome"));
            JsonArray runs = api.auditRecords(ApiStack.term("action", "retention_run"));
            assertEquals(1, runs.size(), runs.encode());
            assertTrue(api.auditRecords(ApiStack.term("action", "request_correction")).stream()
                    .noneMatch(r -> intentId.equals(((JsonObject) r).getJsonObject("query").getString("corrects"))));
        } finally {
            api.retentionAnswer = java.util.function.UnaryOperator.identity();
        }
    }

    /** The chain stays whole with the corrections in it. */
    @Test
    void theTrailVerifiesAfterTheCorrections() {
        HttpResponse<Buffer> answer = api.sendJson(timed(api.client.post("/v1/search")), "demo-dpd-investigator",
                ApiStack.searchBody("stolen_vehicle", ApiStack.UNENCODABLE_CASE));
        assertEquals(500, answer.statusCode(), answer.bodyAsString());
        HttpResponse<Buffer> verify = api.send(api.client.get("/v1/audit/verify"), "demo-dpd-auditor");
        assertEquals(200, verify.statusCode(), verify.bodyAsString());
        assertEquals(Boolean.TRUE, verify.bodyAsJsonObject().getBoolean("ok"), verify.bodyAsString());
        assertNull(verify.bodyAsJsonObject().getString("error"));
    }
}
