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

    /**
     * A refused search (here: a caller without the role) whose body nests 900 arrays deep (4 096 characters hold 2 000): its record keeps
     * the body as text, as a long one's, and the JSON report answers. A record that deep overflowed the
     * event loop's stack as the report's page was copied, and the page was never answered; a record
     * that deep already in the trail (written before) is answered too.
     */
    @Test
    void aDeeplyNestedQueryDoesNotStopTheReportFromAnswering() {
        String nested = "[".repeat(900) + "]".repeat(900);
        HttpResponse<Buffer> refused = api.sendJson(api.client.post("/v1/search"), "demo-dpd-auditor",
                "{\"plate\":\"ABC12*\",\"purpose\":\"stolen_vehicle\",\"case_number\":\"DEEP-1\",\"x\":" + nested + "}");
        assertEquals(403, refused.statusCode(), refused.bodyAsString());
        JsonObject query = api.recordOf(refused).getJsonObject("query");
        assertEquals(Boolean.TRUE, query.getBoolean("truncated"), query.encode());
        assertTrue(query.getString("body_prefix").contains("\"x\":[[[["), query.encode());
        // as a record written before the bound would be: an allowed entry's query is kept whole
        com.fasterxml.jackson.databind.JsonNode deep = org.platewarden.search.audit.CanonicalJson.parse("{\"x\":" + nested + "}");
        org.platewarden.search.audit.AuditEsSupport.await(api.auditLog.record(new org.platewarden.search.audit.AuditEntry("search", "dpd.investigator", "DPD",
                java.util.Set.of("investigator"), "stolen_vehicle", "DEEP-2", deep, "127.0.0.1", "allowed", null, 200, 0,
                java.util.List.of())));
        for (String caseNumber : new String[] {"DEEP-1", "DEEP-2"}) {
            HttpResponse<Buffer> page = org.platewarden.search.audit.AuditEsSupport.await(api.client.get("/v1/audit?case_number=" + caseNumber).timeout(15_000)
                    .bearerTokenAuthentication("demo-dpd-auditor").send());
            assertEquals(200, page.statusCode(), page.bodyAsString());
            assertEquals(1, page.bodyAsJsonObject().getJsonArray("records").size(), page.bodyAsString());
        }
    }

    /**
     * A cursor is a position [at, node, seq] the server made; one edited to hold a number that is not
     * a whole one (1e400 reached Elasticsearch as Infinity: a 500) is refused as any cursor it did
     * not make, 400 and audited as invalid, while the cursors it makes still page on.
     */
    @Test
    void aForgedCursorIsA400NotA500() {
        for (String forged : new String[] {"[1e400,\"node-1\",1,\"asc\"]", "[1,\"node-1\",1e400,\"asc\"]",
                "[1.5,\"node-1\",1,\"asc\"]", "[1,\"node-1\",99999999999999999999,\"asc\"]"}) {
            String cursor = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(forged.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            HttpResponse<Buffer> r = api.send(api.client.get("/v1/audit?limit=1&cursor=" + cursor), "demo-dpd-auditor");
            assertEquals(400, r.statusCode(), forged + " → " + r.bodyAsString());
            assertEquals("invalid cursor", r.bodyAsJsonObject().getString("error"));
            assertEquals("invalid", api.recordOf(r).getString("outcome"));
        }
        HttpResponse<Buffer> first = api.send(api.client.get("/v1/audit?limit=1"), "demo-dpd-auditor");
        String next = first.bodyAsJsonObject().getString("next");
        assertEquals(200, api.send(api.client.get("/v1/audit?limit=1&cursor=" + next), "demo-dpd-auditor").statusCode());
    }

    /**
     * {@code from} and {@code to} take a search's and a hold's date-time grammar: a form only
     * java.time took (a decimal point without digits, a leap second, an offset with seconds) is a 400
     * naming the parameter and the form, audited as invalid; the grammar's other forms are read.
     */
    @Test
    void theAuditReportReadsFromAndToAsASearchDoes() {
        for (String[] refused : new String[][] {
                {"from=2026-11-20T00:00:00.Z", "from '2026-11-20T00:00:00.Z' is not an ISO-8601 date-time"},
                {"to=2026-12-31T23:59:60Z", "to '2026-12-31T23:59:60Z' is not an ISO-8601 date-time"},
                {"from=2026-11-20T00:00:00%2B00:00:00", "from '2026-11-20T00:00:00+00:00:00' is not an ISO-8601 date-time"}}) {
            HttpResponse<Buffer> r = api.send(api.client.get("/v1/audit?" + refused[0]), "demo-dpd-auditor");
            assertEquals(400, r.statusCode(), refused[0] + " → " + r.bodyAsString());
            String error = r.bodyAsJsonObject().getString("error");
            assertTrue(error.startsWith(refused[1]) && error.contains("e.g. 2026-11-20T00:00:00Z"), error);
            JsonObject record = api.recordOf(r);
            assertEquals("audit_read", record.getString("action"));
            assertEquals("invalid", record.getString("outcome"));
        }
        for (String accepted : new String[] {"from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00.123Z", "from=2026-11-20T01:00:00%2B01:00",
                "from=2026-11-20T00:00Z", "to=2026-11-20T00:00:00,5%2B0100"}) {
            HttpResponse<Buffer> r = api.send(api.client.get("/v1/audit?" + accepted), "demo-dpd-auditor");
            assertEquals(200, r.statusCode(), accepted + " → " + r.bodyAsString());
        }
    }
}
