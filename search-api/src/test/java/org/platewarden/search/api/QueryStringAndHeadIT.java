package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.api.ApiStack.searchBody;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A query string on a route that takes none is refused (400, audited, before anything is done)
 * rather than ignored: {@code ?dry_run=true} made a real retention run and a real hold release. HEAD
 * works on the public GET routes; the audited GETs refuse it (405). Every error body on the port has
 * one shape, {@code status} included, the 414 and 431 Vert.x answers before any route too.
 */
class QueryStringAndHeadIT extends ApiStackSupport {
    private static final String OPS = "demo-dpd-ops";
    private static final String SUPERVISOR = "demo-dpd-supervisor";

    private static JsonObject holdBody(String caseNumber) {
        return new JsonObject().put("purpose", "homicide").put("case_number", caseNumber).put("plate", "ABC1234")
                .put("reason", "suspect vehicle").put("until", Instant.now().plusSeconds(86_400).toString());
    }

    private static String createHold(String caseNumber) {
        HttpResponse<Buffer> created = api.sendJson(api.client.post("/v1/holds"), SUPERVISOR, holdBody(caseNumber));
        assertEquals(201, created.statusCode(), created.bodyAsString());
        return created.bodyAsJsonObject().getString("hold_id");
    }

    /** The 400's record: invalid, of {@code action}, keeping the query string as sent. */
    private static JsonObject assertRefusedQueryString(HttpResponse<Buffer> r, String action, String queryString, String... named) {
        assertEquals(400, r.statusCode(), r.bodyAsString());
        JsonObject body = r.bodyAsJsonObject();
        assertEquals(400, body.getInteger("status"), r.bodyAsString());
        String error = body.getString("error");
        assertTrue(error.contains("takes no query parameters"), error);
        for (String name : named) assertTrue(error.contains(name), name + " in " + error);
        JsonObject record = api.recordOf(r);
        assertEquals(action, record.getString("action"));
        assertEquals("invalid", record.getString("outcome"));
        assertEquals(error, record.getString("reason"));
        assertEquals(queryString, record.getJsonObject("query").getString("query_string"), record.encode());
        return record;
    }

    @Test
    void aDryRunInTheQueryStringRunsNothing() {
        int retention = api.retentionRuns.get();
        int compaction = api.compactionRuns.get();
        HttpResponse<Buffer> r = api.send(api.client.post("/v1/ops/retention/run?dry_run=true"), OPS);
        JsonObject record = assertRefusedQueryString(r, "retention_run", "dry_run=true", "dry_run", "there is no dry run");
        assertEquals("dpd.ops", record.getString("user"));
        assertRefusedQueryString(api.send(api.client.post("/v1/ops/compaction/run?dry_run=true"), OPS), "compaction_run", "dry_run=true", "dry_run");
        assertEquals(retention, api.retentionRuns.get(), "no retention run was made");
        assertEquals(compaction, api.compactionRuns.get(), "no compaction pass was made");
        // without the query string they run, as before
        assertEquals(200, api.send(api.client.post("/v1/ops/retention/run"), OPS).statusCode());
        assertEquals(retention + 1, api.retentionRuns.get());
    }

    @Test
    void aDryRunInTheQueryStringReleasesNoHold() {
        String holdId = createHold("QS-REL-1");
        HttpResponse<Buffer> r = api.send(api.client.delete("/v1/holds/" + holdId + "?dry_run=true"), SUPERVISOR);
        JsonObject record = assertRefusedQueryString(r, "hold_release", "dry_run=true", "dry_run", "JSON body");
        assertEquals(holdId, record.getJsonObject("query").getString("hold_id"));
        assertEquals("QS-REL-1", record.getString("case_number"), "the hold's case number, as on every record of a release");
        assertNull(api.holds.get(holdId).getValue("released"), "the hold is not released");
        // nor with a body beside the query string: the record keeps both
        HttpResponse<Buffer> withBody = api.sendJson(api.client.delete("/v1/holds/" + holdId + "?dry_run=1"), SUPERVISOR,
                new JsonObject().put("reason", "case closed"));
        JsonObject both = assertRefusedQueryString(withBody, "hold_release", "dry_run=1", "dry_run");
        assertEquals("case closed", both.getJsonObject("query").getString("reason"));
        assertNull(api.holds.get(holdId).getValue("released"));
        HttpResponse<Buffer> extend = api.sendJson(api.client.post("/v1/holds/" + holdId + "/extend?until=2099-01-01T00:00:00Z"), SUPERVISOR,
                new JsonObject().put("purpose", "homicide").put("reason", "still needed").put("until", Instant.now().plusSeconds(200_000).toString()));
        assertRefusedQueryString(extend, "hold_extend", "until=2099-01-01T00:00:00Z", "until");
        assertEquals(200, api.send(api.client.delete("/v1/holds/" + holdId), SUPERVISOR).statusCode());
        assertEquals(Boolean.TRUE, api.holds.get(holdId).getValue("released"));
    }

    @Test
    void aHoldCreationWithAQueryStringCreatesNothing() {
        HttpResponse<Buffer> r = api.sendJson(api.client.post("/v1/holds?dry_run=true"), SUPERVISOR, holdBody("QS-CREATE-1"));
        JsonObject record = assertRefusedQueryString(r, "hold_create", "dry_run=true", "dry_run");
        assertEquals("QS-CREATE-1", record.getString("case_number"));
        assertEquals("ABC1234", record.getJsonObject("query").getString("plate"), "the body is kept beside the query string");
        assertFalse(api.holds.values().stream().anyMatch(h -> "QS-CREATE-1".equals(h.getString("case_number"))));
    }

    @Test
    void aSearchFilterInTheQueryStringIsRefusedNotIgnored() {
        int searches = api.searchCallers.size();
        HttpResponse<Buffer> r = api.sendJson(api.client.post("/v1/search?camera_ids=cam-001"), "demo-dpd-investigator",
                searchBody("stolen_vehicle", "QS-SEARCH-1"));
        JsonObject record = assertRefusedQueryString(r, "search", "camera_ids=cam-001", "camera_ids", "JSON body");
        assertEquals("QS-SEARCH-1", record.getString("case_number"));
        assertEquals("stolen_vehicle", record.getString("purpose"));
        assertEquals(searches, api.searchCallers.size(), "the search service was not called");
    }

    @Test
    void getsThatTakeNoParametersRefuseThem() {
        assertRefusedQueryString(api.send(api.client.get("/v1/holds?case_number=X"), SUPERVISOR), "hold_list", "case_number=X", "case_number");
        assertRefusedQueryString(api.send(api.client.get("/v1/ops/indices?b=1&a=2&a=3"), OPS), "ops_indices", "b=1&a=2&a=3",
                "query parameters a, b");
        assertRefusedQueryString(api.send(api.client.get("/v1/audit/verify?full=true"), "demo-dpd-auditor"), "audit_verify", "full=true", "full");
        // GET /v1/audit takes parameters and keeps its own check, naming what it accepts
        HttpResponse<Buffer> audit = api.send(api.client.get("/v1/audit?dry_run=true"), "demo-dpd-auditor");
        assertEquals(400, audit.statusCode());
        assertTrue(audit.bodyAsJsonObject().getString("error").startsWith("unknown parameter dry_run; accepted:"), audit.bodyAsString());
        // the public routes ignore a query string (a probe's, a browser's cache-buster): they take nothing and change nothing
        assertEquals(200, api.send(api.client.get("/health/live?probe=1"), null).statusCode());
        assertEquals(200, api.send(api.client.get("/v1/transparency?_=1700000000"), null).statusCode());
    }

    @Test
    void authenticationAndRoleComeFirst() {
        int retention = api.retentionRuns.get();
        HttpResponse<Buffer> none = api.send(api.client.post("/v1/ops/retention/run?dry_run=true"), null);
        assertEquals(401, none.statusCode());
        assertEquals("dry_run=true", api.recordOf(none).getJsonObject("query").getString("query_string"));
        assertEquals(403, api.send(api.client.post("/v1/ops/retention/run?dry_run=true"), "demo-dpd-auditor").statusCode());
        assertEquals(retention, api.retentionRuns.get());
    }

    @Test
    void aBareQuestionMarkIsNoParameter() throws IOException {
        int retention = api.retentionRuns.get();
        String answer = raw("POST /v1/ops/retention/run? HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + OPS
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        assertEquals(retention + 1, api.retentionRuns.get());
    }

    // --- HEAD

    @Test
    void headOnThePublicRoutesAnswersAsGetWithoutABody() {
        for (String path : List.of("/health/live", "/health/ready", "/metrics", "/v1/transparency")) {
            HttpResponse<Buffer> get = api.send(api.client.get(path), null);
            HttpResponse<Buffer> head = api.send(api.client.head(path), null);
            assertEquals(200, get.statusCode(), path + ": " + get.bodyAsString());
            assertEquals(get.statusCode(), head.statusCode(), path);
            assertTrue(head.body() == null || head.body().length() == 0, path);
            assertEquals(get.getHeader("Content-Type"), head.getHeader("Content-Type"), path);
            assertTrue(head.getHeader("Content-Length") != null, path);
            if (!path.equals("/metrics")) assertEquals(get.getHeader("Content-Length"), head.getHeader("Content-Length"), path);
        }
        HttpResponse<Buffer> post = api.send(api.client.post("/health/live"), null);
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.getHeader("Allow"));
    }

    @Test
    void headOnAnAuditedRouteIs405AndLeavesNoRecord() {
        int lists = api.auditRecords(ApiStack.term("action", "hold_list")).size();
        HttpResponse<Buffer> holds = api.send(api.client.head("/v1/holds"), SUPERVISOR);
        assertEquals(405, holds.statusCode());
        assertEquals("GET, POST", holds.getHeader("Allow"));
        HttpResponse<Buffer> audit = api.send(api.client.head("/v1/audit"), "demo-dpd-auditor");
        assertEquals(405, audit.statusCode());
        assertEquals("GET", audit.getHeader("Allow"));
        assertEquals(lists, api.auditRecords(ApiStack.term("action", "hold_list")).size());
    }

    // --- one error shape

    @Test
    void everyErrorBodyCarriesItsStatus() {
        HttpResponse<Buffer> refusedBySearch = api.search("demo-dpd-investigator", searchBody("personal", "QS-SHAPE-1"));
        assertEquals(403, refusedBySearch.statusCode());
        List<HttpResponse<Buffer>> errors = List.of(
                refusedBySearch, // written by the search service, not by the failure handler
                api.search(null, searchBody("stolen_vehicle", "QS-SHAPE-2")),
                api.search("demo-dpd-auditor", searchBody("stolen_vehicle", "QS-SHAPE-3")),
                api.sendJson(api.client.post("/v1/search"), "demo-dpd-investigator", "{\"purpose\":"),
                api.send(api.client.delete("/v1/holds/no-such-hold"), SUPERVISOR),
                api.send(api.client.get("/v1/nothing"), null),
                api.send(api.client.get("/v1/search"), null));
        for (HttpResponse<Buffer> r : errors) {
            JsonObject body = r.bodyAsJsonObject();
            assertEquals(r.statusCode(), body.getInteger("status"), r.bodyAsString());
            assertTrue(body.getString("error") != null, r.bodyAsString());
        }
        assertTrue(refusedBySearch.bodyAsJsonObject().containsKey("audit_id"));
    }

    @Test
    void overlongUrlsAndHeadersAreAnsweredInTheErrorShape() throws IOException {
        String uri = raw("GET /v1/holds?" + "x".repeat(5000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        // HTTP/1.0: the request line that would name the version was not read
        assertTrue(uri.matches("(?s)HTTP/1\\.[01] 414 .*"), uri);
        JsonObject tooLong = new JsonObject(uri.substring(uri.indexOf("\r\n\r\n") + 4));
        assertEquals(414, tooLong.getInteger("status"));
        assertTrue(tooLong.getString("error").contains("4096 bytes"), uri);
        String headers = raw("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + "y".repeat(10_000) + "\r\n\r\n");
        assertTrue(headers.matches("(?s)HTTP/1\\.[01] 431 .*"), headers);
        assertTrue(headers.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/json"), headers);
        assertEquals(431, new JsonObject(headers.substring(headers.indexOf("\r\n\r\n") + 4)).getInteger("status"));
    }

    /** One request as raw bytes; the answer read until the server closes the connection. */
    private static String raw(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", api.port), 5_000);
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(out);
            } catch (java.net.SocketException reset) {
                // closed by the server after its answer
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
