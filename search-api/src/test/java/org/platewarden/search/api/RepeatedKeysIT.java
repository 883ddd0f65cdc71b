package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * A body that repeats a key is refused (400, naming the key) on every route that takes one, and
 * its record keeps the text as sent — both values — not the parsed object, which would keep only
 * the last. Otherwise a caller could state a prohibited purpose and leave a lawful one on the trail.
 */
class RepeatedKeysIT extends ApiStackSupport {
    private static final String INVESTIGATOR = "demo-dpd-investigator";
    private static final String SUPERVISOR = "demo-dpd-supervisor";

    private static HttpResponse<Buffer> post(String path, String token, String body) {
        return api.sendJson(api.client.post(path), token, body);
    }

    /** The answer is a 400 naming the field; its record is an invalid request whose query holds the body's text. */
    private static JsonObject refusedAndRecordedAsSent(HttpResponse<Buffer> r, String field, String action) {
        assertEquals(400, r.statusCode(), r.bodyAsString());
        String error = r.bodyAsJsonObject().getString("error");
        assertTrue(error.contains("'" + field + "'") && error.contains("more than once"), error);
        assertFalse(error.contains("Duplicate field") || error.contains("line:"), "Jackson's wording leaked: " + error);
        JsonObject record = api.recordOf(r);
        assertEquals(action, record.getString("action"));
        assertEquals("invalid", record.getString("outcome"));
        return record;
    }

    private static String bodyAsRecorded(JsonObject record) {
        return record.getJsonObject("query").getString("body_prefix", "");
    }

    @Test
    void aSearchStatingTwoPurposesIsRefusedAndTheTrailKeepsBoth() {
        int searchesBefore = api.searchCallers.size();
        HttpResponse<Buffer> r = post("/v1/search", INVESTIGATOR,
                "{\"plate\":\"ABC12*\",\"purpose\":\"personal\",\"purpose\":\"stolen_vehicle\",\"case_number\":\"DUP-1\"}");
        JsonObject record = refusedAndRecordedAsSent(r, "purpose", "search");
        assertEquals("dpd.investigator", record.getString("user"));
        String sent = bodyAsRecorded(record);
        assertTrue(sent.contains("\"personal\"") && sent.contains("\"stolen_vehicle\""), record.encode());
        assertEquals(searchesBefore, api.searchCallers.size(), "the search service was asked");
    }

    @Test
    void aKeyRepeatedInANestedObjectIsRefused() {
        HttpResponse<Buffer> r = post("/v1/search", INVESTIGATOR,
                "{\"plate\":\"ABC12*\",\"purpose\":\"stolen_vehicle\",\"case_number\":\"DUP-2\",\"geo\":{\"lat\":1,\"lat\":2}}");
        assertTrue(bodyAsRecorded(refusedAndRecordedAsSent(r, "lat", "search")).contains("\"lat\":1,\"lat\":2"));
    }

    @Test
    void aHoldWithTwoCaseNumbersIsRefusedAndTheTrailKeepsBoth() {
        int holdsBefore = api.holds.size();
        HttpResponse<Buffer> r = post("/v1/holds", SUPERVISOR, "{\"purpose\":\"homicide\",\"case_number\":\"DUP-CASE-A\","
                + "\"case_number\":\"DUP-CASE-B\",\"reason\":\"suspect vehicle\",\"plate\":\"ABC1234\",\"until\":\"2999-01-01T00:00:00Z\"}");
        String sent = bodyAsRecorded(refusedAndRecordedAsSent(r, "case_number", "hold_create"));
        assertTrue(sent.contains("DUP-CASE-A") && sent.contains("DUP-CASE-B"), sent);
        assertEquals(holdsBefore, api.holds.size(), "a hold was created");
    }

    @Test
    void anExtensionWithTwoUntilsIsRefused() {
        HttpResponse<Buffer> created = post("/v1/holds", SUPERVISOR, "{\"purpose\":\"homicide\",\"case_number\":\"DUP-EXT-1\","
                + "\"reason\":\"suspect vehicle\",\"plate\":\"ABC1234\",\"until\":\"2999-01-01T00:00:00Z\"}");
        assertEquals(201, created.statusCode(), created.bodyAsString());
        String holdId = created.bodyAsJsonObject().getString("hold_id");
        HttpResponse<Buffer> r = post("/v1/holds/" + holdId + "/extend", SUPERVISOR,
                "{\"purpose\":\"homicide\",\"reason\":\"still open\",\"until\":\"2027-01-01T00:00:00Z\",\"until\":\"2999-01-01T00:00:00Z\"}");
        JsonObject record = refusedAndRecordedAsSent(r, "until", "hold_extend");
        String sent = bodyAsRecorded(record);
        assertTrue(sent.contains("2027-01-01") && sent.contains("2999-01-01"), sent);
        assertEquals("DUP-EXT-1", record.getString("case_number"), "the hold's case: an auditor following it sees the attempt");
        assertEquals(holdId, record.getJsonObject("query").getString("hold_id"));
    }

    @Test
    void anOpsRunWithARepeatedKeyIsRefused() {
        refusedAndRecordedAsSent(post("/v1/ops/retention/run", "demo-dpd-ops", "{\"dry_run\":true,\"dry_run\":false}"), "dry_run", "retention_run");
    }

    /** Refused before the body is looked at (wrong role), the record still keeps both values. */
    @Test
    void aRefusalBeforeTheBodyIsReadStillRecordsItAsSent() {
        HttpResponse<Buffer> r = post("/v1/search", "demo-dpd-auditor",
                "{\"plate\":\"ABC12*\",\"purpose\":\"personal\",\"purpose\":\"stolen_vehicle\",\"case_number\":\"DUP-3\"}");
        assertEquals(403, r.statusCode());
        String sent = bodyAsRecorded(api.recordOf(r));
        assertTrue(sent.contains("\"personal\"") && sent.contains("\"stolen_vehicle\""), sent);
    }

    /**
     * Vert.x's parser takes comments; the scan for repeats did not, gave up at the comment and let
     * the body through: searched, and recorded, with the second purpose only. A body of strict JSON
     * is asked for (as the gateway does), so the comment is a 400 and the trail keeps both purposes.
     */
    @Test
    void aCommentDoesNotHideARepeatedPurpose() {
        int searchesBefore = api.searchCallers.size();
        HttpResponse<Buffer> r = post("/v1/search", INVESTIGATOR,
                "{/**/\"plate\":\"ABC12*\",\"purpose\":\"personal\",\"purpose\":\"stolen_vehicle\",\"case_number\":\"DUP-5\"}");
        assertEquals(400, r.statusCode(), r.bodyAsString());
        assertEquals("request body is not valid JSON", r.bodyAsJsonObject().getString("error"));
        JsonObject record = api.recordOf(r);
        assertEquals("invalid", record.getString("outcome"));
        String sent = bodyAsRecorded(record);
        assertTrue(sent.contains("\"personal\"") && sent.contains("\"stolen_vehicle\""), record.encode());
        assertEquals(searchesBefore, api.searchCallers.size(), "the search service was asked");
    }

    /** A body nested deeper than a JSON parser takes is a 400 with its record, not a 500 whose record failed too (503). */
    @Test
    void aBodyNestedTooDeepIsAnInvalidRequestOnTheRecord() {
        String deep = "[".repeat(1500) + "]".repeat(1500); // 3 000 bytes: within the test stack's body limit
        for (String token : new String[] {INVESTIGATOR, "no-such-token"}) {
            HttpResponse<Buffer> r = post("/v1/search", token, deep);
            int status = token.equals(INVESTIGATOR) ? 400 : 401;
            assertEquals(status, r.statusCode(), r.bodyAsString());
            if (status == 400) assertTrue(r.bodyAsJsonObject().getString("error").startsWith("request body is not valid JSON"), r.bodyAsString());
            JsonObject record = api.recordOf(r);
            assertEquals(status == 400 ? "invalid" : "unauthorized", record.getString("outcome"));
            assertTrue(bodyAsRecorded(record).startsWith("[[[["), record.encode());
        }
        HttpResponse<Buffer> hold = post("/v1/holds", SUPERVISOR, deep);
        assertEquals(400, hold.statusCode(), hold.bodyAsString());
        assertEquals("hold_create", api.recordOf(hold).getString("action"));
    }

    @Test
    void aBodyWithoutRepeatsIsStillSearched() {
        HttpResponse<Buffer> r = post("/v1/search", INVESTIGATOR,
                "{\"plate\":\"ABC12*\",\"purpose\":\"stolen_vehicle\",\"case_number\":\"DUP-4\",\"geo\":{\"lat\":1},\"more\":{\"lat\":2}}");
        assertEquals(200, r.statusCode(), r.bodyAsString());
    }
}
