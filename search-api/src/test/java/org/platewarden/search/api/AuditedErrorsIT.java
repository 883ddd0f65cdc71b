package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.api.ApiStack.searchBody;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Every error answer whose request was audited names its record ({@code audit_id}), as the
 * contract promises for a 403; and {@code GET /v1/audit} refuses, audited, what it does not
 * understand instead of answering another question.
 */
class AuditedErrorsIT extends ApiStackSupport {
    @Test
    void aRoleRefusalCarriesTheAuditIdOfItsRecord() {
        HttpResponse<Buffer> auditor = api.search("demo-dpd-auditor", searchBody("stolen_vehicle", "ROLE-403"));
        assertEquals(403, auditor.statusCode());
        JsonObject record = api.recordOf(auditor);
        assertEquals("refused", record.getString("outcome"));
        assertEquals("dpd.auditor", record.getString("user"));
        assertEquals("ROLE-403", record.getString("case_number"));
        HttpResponse<Buffer> ops = api.search("demo-dpd-ops", searchBody("stolen_vehicle", "ROLE-403-OPS"));
        assertEquals(403, ops.statusCode());
        assertEquals("dpd.ops", api.recordOf(ops).getString("user"));
    }

    @Test
    void a401CarriesTheAuditIdOfItsRecord() {
        HttpResponse<Buffer> none = api.search(null, searchBody("stolen_vehicle", "NO-TOKEN-401"));
        assertEquals(401, none.statusCode());
        JsonObject record = api.recordOf(none);
        assertEquals("unauthorized", record.getString("outcome"));
        assertEquals("NO-TOKEN-401", record.getString("case_number"));
        HttpResponse<Buffer> bad = api.send(api.client.get("/v1/audit"), "not-a-token");
        assertEquals(401, bad.statusCode());
        assertEquals("audit_read", api.recordOf(bad).getString("action"));
    }

    @Test
    void a413AndA400CarryTheAuditIdOfTheirRecords() {
        String big = searchBody("stolen_vehicle", "BIG-413").put("padding", "x".repeat(5000)).encode();
        HttpResponse<Buffer> tooLarge = api.sendJson(api.client.post("/v1/search"), "demo-dpd-investigator", big);
        assertEquals(413, tooLarge.statusCode());
        assertEquals("invalid", api.recordOf(tooLarge).getString("outcome"));
        HttpResponse<Buffer> unparseable = api.sendJson(api.client.post("/v1/holds"), "demo-dpd-supervisor", "{\"purpose\":");
        assertEquals(400, unparseable.statusCode());
        assertEquals("hold_create", api.recordOf(unparseable).getString("action"));
    }

    @Test
    void anUnauditedErrorCarriesNoAuditId() {
        HttpResponse<Buffer> notFound = api.send(api.client.get("/v1/nothing-here"), null);
        assertEquals(404, notFound.statusCode());
        assertFalse(notFound.bodyAsJsonObject().containsKey("audit_id"));
        // a method the path does not take matches no route either, even with a good token: no action, no record
        HttpResponse<Buffer> wrongMethod = api.send(api.client.get("/v1/search"), "demo-dpd-investigator");
        assertEquals(405, wrongMethod.statusCode());
        assertFalse(wrongMethod.bodyAsJsonObject().containsKey("audit_id"));
        assertEquals("POST", wrongMethod.getHeader("Allow"), "a 405 names the methods the path takes (RFC 9110)");
        HttpResponse<Buffer> putHold = api.send(api.client.put("/v1/holds/H-1"), "demo-dpd-supervisor");
        assertEquals(405, putHold.statusCode());
        assertEquals("DELETE", putHold.getHeader("Allow"), "a path with a parameter too: " + putHold.bodyAsString());
        String metrics = api.send(api.client.get("/metrics"), null).bodyAsString();
        assertTrue(metrics.contains("platewarden_search_api_requests_total{route=\"unmatched\",status=\"405\"}"), metrics);
    }

    @Test
    void theAuditReportRefusesWhatItDoesNotUnderstandAndAuditsTheRefusal() {
        for (String query : new String[] {"outcome=bogus", "action=bogus", "format=xml", "after=abc", "next=abc", "search_after=abc",
                "outcome=allowed&outcome=refused", "Outcome=allowed"}) {
            HttpResponse<Buffer> r = api.send(api.client.get("/v1/audit?" + query), "demo-dpd-auditor");
            assertEquals(400, r.statusCode(), query + " → " + r.bodyAsString());
            JsonObject record = api.recordOf(r);
            assertEquals("audit_read", record.getString("action"));
            assertEquals("invalid", record.getString("outcome"));
            assertEquals(query, record.getJsonObject("query").getString("query_string"));
        }
        String unknown = api.send(api.client.get("/v1/audit?after=abc"), "demo-dpd-auditor").bodyAsJsonObject().getString("error");
        assertTrue(unknown.contains("unknown parameter after") && unknown.contains("cursor"), unknown);
        String outcome = api.send(api.client.get("/v1/audit?outcome=bogus"), "demo-dpd-auditor").bodyAsJsonObject().getString("error");
        assertTrue(outcome.contains("allowed") && outcome.contains("unauthorized"), outcome);
        // what it understands still works
        assertEquals(200, api.send(api.client.get("/v1/audit?outcome=refused&action=search&format=csv&limit=5"), "demo-dpd-auditor").statusCode());
    }
}
