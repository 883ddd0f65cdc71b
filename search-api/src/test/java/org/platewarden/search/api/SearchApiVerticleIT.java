package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.api.ApiStack.searchBody;
import static org.platewarden.search.audit.AuditEsSupport.await;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.audit.CanonicalJson;

class SearchApiVerticleIT extends ApiStackSupport {
    static final String INVESTIGATOR = "demo-dpd-investigator";
    static final String SUPERVISOR = "demo-dpd-supervisor";
    static final String AUDITOR = "demo-dpd-auditor";
    static final String OPS = "demo-dpd-ops";
    static final String ACSO = "demo-acso-investigator";

    private static String term(String field, String value) {
        return "{\"term\":{\"" + field + "\":\"" + value + "\"}}";
    }

    @Test
    void missingOrBadTokenIs401AndTheRefusalIsAudited() {
        HttpResponse<Buffer> none = api.search(null, searchBody("stolen_vehicle", "NO-TOKEN-1"));
        assertEquals(401, none.statusCode());
        assertTrue(none.getHeader("WWW-Authenticate").startsWith("Bearer"));
        assertNotNull(none.bodyAsJsonObject().getString("error"));
        HttpResponse<Buffer> bad = api.search("not-a-token", searchBody("stolen_vehicle", "BAD-TOKEN-1"));
        assertEquals(401, bad.statusCode());
        assertTrue(bad.getHeader("WWW-Authenticate").contains("invalid_token"));
        // another scheme is no bearer token at all: the challenge without an error code (RFC 6750 3.1)
        HttpResponse<Buffer> basic = org.platewarden.search.audit.AuditEsSupport.await(api.client.post("/v1/search").putHeader("Authorization", "Basic Y2FtLTAwMTpkZW1vLWNhbS0wMDE=")
                .sendJsonObject(searchBody("stolen_vehicle", "BASIC-1")));
        assertEquals(401, basic.statusCode());
        assertEquals("Bearer realm=\"platewarden\"", basic.getHeader("WWW-Authenticate"));
        assertEquals("authorization scheme must be Bearer", basic.bodyAsJsonObject().getString("error"));

        JsonArray refused = api.auditRecords("{\"bool\":{\"filter\":[" + term("outcome", "unauthorized") + "]}}");
        JsonObject first = find(refused, "case_number", "NO-TOKEN-1");
        assertEquals("anonymous", first.getString("user"));
        assertEquals("search", first.getString("action"));
        assertEquals(401, first.getInteger("status"));
        assertEquals("127.0.0.1", first.getString("client_address"));
        assertEquals("ABC12*", first.getJsonObject("query").getString("plate"));
        assertNotNull(find(refused, "case_number", "BAD-TOKEN-1"));
        assertFalse(api.searchCallers.stream().anyMatch(p -> p == null));
    }

    @Test
    void investigatorSearchReachesTheSearchServiceWithThePrincipal() {
        HttpResponse<Buffer> r = api.search(INVESTIGATOR, searchBody("stolen_vehicle", "DPD-2026-000123"));
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertNotNull(r.bodyAsJsonObject().getString("audit_id"));
        assertTrue(api.searchCallers.stream().anyMatch(p -> p.user().equals("dpd.investigator") && p.agency().equals("DPD")));
        // a refusal by the search service keeps its status and body
        HttpResponse<Buffer> refused = api.search(INVESTIGATOR, searchBody("immigration_enforcement", "DPD-2026-000124"));
        assertEquals(403, refused.statusCode());
        assertNotNull(refused.bodyAsJsonObject().getString("audit_id"));
    }

    @Test
    void wrongRoleIs403AndAudited() {
        HttpResponse<Buffer> search = api.search(AUDITOR, searchBody("stolen_vehicle", "ROLE-1"));
        assertEquals(403, search.statusCode());
        HttpResponse<Buffer> audit = api.send(api.client.get("/v1/audit"), INVESTIGATOR);
        assertEquals(403, audit.statusCode());
        HttpResponse<Buffer> verify = api.send(api.client.get("/v1/audit/verify"), OPS);
        assertEquals(403, verify.statusCode());

        JsonObject roleRefusal = find(api.auditRecords(term("outcome", "refused")), "case_number", "ROLE-1");
        assertEquals("dpd.auditor", roleRefusal.getString("user"));
        assertEquals(403, roleRefusal.getInteger("status"));
        assertEquals("static_token", roleRefusal.getString("auth_method"), "how the caller authenticated is on the record");
        JsonArray auditReads = api.auditRecords("{\"bool\":{\"filter\":[" + term("action", "audit_read") + "," + term("outcome", "refused") + "]}}");
        assertTrue(ApiStack.users(auditReads).contains("dpd.investigator"));
    }

    @Test
    void unparseableJsonIs400AndAudited() {
        HttpResponse<Buffer> r = api.sendJson(api.client.post("/v1/search"), INVESTIGATOR, "{\"plate\": \"UNPARSEABLE-MARK");
        assertEquals(400, r.statusCode());
        assertEquals("request body is not valid JSON", r.bodyAsJsonObject().getString("error"));
        HttpResponse<Buffer> array = api.sendJson(api.client.post("/v1/search"), INVESTIGATOR, "[1,2]");
        assertEquals(400, array.statusCode());

        JsonArray invalid = api.auditRecords(term("outcome", "invalid"));
        JsonObject record = invalid.stream().map(o -> (JsonObject) o)
                .filter(o -> o.getJsonObject("query").getString("body_prefix", "").contains("UNPARSEABLE-MARK")).findFirst().orElseThrow();
        assertEquals("dpd.investigator", record.getString("user"));
        assertEquals(400, record.getInteger("status"));
    }

    @Test
    void oversizeBodyIs413AndAuditedWithTheCaller() {
        String big = searchBody("stolen_vehicle", "BIG-1").put("padding", "x".repeat(5000)).encode();
        HttpResponse<Buffer> r = api.sendJson(api.client.post("/v1/search"), INVESTIGATOR, big);
        assertEquals(413, r.statusCode());
        JsonArray records = api.auditRecords("{\"bool\":{\"filter\":[" + term("status", "413") + "]}}");
        assertEquals(1, records.size());
        assertEquals("dpd.investigator", records.getJsonObject(0).getString("user"));
        assertEquals("invalid", records.getJsonObject(0).getString("outcome"));
        assertTrue(api.searchCallers.stream().noneMatch(p -> p == null));
    }

    @Test
    void auditReportFiltersPagesAndIsItselfAudited() {
        Instant before = Instant.now().minusMillis(1);
        assertEquals(200, api.search(ACSO, searchBody("robbery", "ACSO-7")).statusCode());
        assertEquals(200, api.search(ACSO, searchBody("burglary", "ACSO-8")).statusCode());
        assertEquals(200, api.search(ACSO, searchBody("burglary", "ACSO-9")).statusCode());

        JsonObject page = api.send(api.client.get("/v1/audit").addQueryParam("user", "acso.investigator")
                .addQueryParam("from", before.toString()), AUDITOR).bodyAsJsonObject();
        assertEquals(3, page.getInteger("count"));
        assertEquals(List.of("ACSO-7", "ACSO-8", "ACSO-9"), page.getJsonArray("records").stream()
                .map(o -> ((JsonObject) o).getString("case_number")).toList());
        assertNull(page.getString("next"));

        JsonObject burglary = api.send(api.client.get("/v1/audit").addQueryParam("agency", "ACSO").addQueryParam("purpose", "burglary")
                .addQueryParam("outcome", "allowed"), AUDITOR).bodyAsJsonObject();
        assertEquals(2, burglary.getInteger("count"));
        JsonObject none = api.send(api.client.get("/v1/audit").addQueryParam("user", "acso.investigator")
                .addQueryParam("to", before.toString()), AUDITOR).bodyAsJsonObject();
        assertEquals(0, none.getInteger("count"));

        // bounded pages with a cursor
        JsonObject first = api.send(api.client.get("/v1/audit?user=acso.investigator&limit=2"), AUDITOR).bodyAsJsonObject();
        assertEquals(2, first.getInteger("count"));
        String next = first.getString("next");
        assertNotNull(next);
        JsonObject second = api.send(api.client.get("/v1/audit?user=acso.investigator&limit=2").addQueryParam("cursor", next), AUDITOR).bodyAsJsonObject();
        assertEquals(1, second.getInteger("count"));
        assertEquals("ACSO-9", second.getJsonArray("records").getJsonObject(0).getString("case_number"));
        assertEquals(400, api.send(api.client.get("/v1/audit?limit=100000"), AUDITOR).statusCode());
        assertEquals(400, api.send(api.client.get("/v1/audit?from=yesterday"), AUDITOR).statusCode());

        // reading the audit log left its own records, with who read what, before the data was sent
        JsonArray reads = api.auditRecords("{\"bool\":{\"filter\":[" + term("action", "audit_read") + "," + term("outcome", "allowed") + "]}}");
        assertTrue(reads.size() >= 6, reads.encode());
        JsonObject paged = reads.stream().map(o -> (JsonObject) o).filter(o -> "2".equals(String.valueOf(o.getJsonObject("query").getValue("limit")))
                && o.getJsonObject("query").containsKey("cursor")).findFirst().orElseThrow();
        assertEquals("dpd.auditor", paged.getString("user"));
        assertEquals(1, paged.getInteger("hit_count"));
        JsonObject auditedRead = api.send(api.client.get("/v1/audit?action=audit_read&user=dpd.auditor&limit=1000"), AUDITOR).bodyAsJsonObject();
        assertTrue(auditedRead.getInteger("count") >= reads.size());
        JsonArray invalidReads = api.auditRecords("{\"bool\":{\"filter\":[" + term("action", "audit_read") + "," + term("outcome", "invalid") + "]}}");
        assertEquals(2, invalidReads.size());
    }

    @Test
    void auditCsvHasAHeaderAndQuotesFields() {
        assertEquals(200, api.search(SUPERVISOR, searchBody("homicide", "CSV-1, \"quoted\"")).statusCode());
        assertEquals(200, api.search(SUPERVISOR, searchBody("homicide", "=HYPERLINK(1)")).statusCode());
        HttpResponse<Buffer> r = api.send(api.client.get("/v1/audit?format=csv&user=dpd.supervisor&purpose=homicide"), AUDITOR);
        assertEquals(200, r.statusCode());
        assertTrue(r.getHeader("Content-Type").startsWith("text/csv"));
        String[] lines = r.bodyAsString().split("\r\n");
        assertEquals(3, lines.length, r.bodyAsString());
        assertTrue(lines[0].startsWith("at,audit_id,node_id,seq,action,outcome,status,user,agency,roles,purpose,case_number,"));
        assertTrue(lines[1].contains(",dpd.supervisor,DPD,investigator;supervisor,homicide,\"CSV-1, \"\"quoted\"\"\","), lines[1]);
        assertTrue(lines[2].contains(",homicide,'=HYPERLINK(1),"), lines[2]);
        assertTrue(lines[1].contains("\"{\"\"case_number\"\":\"\"CSV-1, \\\"\"quoted\\\"\"\"\""), lines[1]);
    }

    @Test
    void theAuditorFindsEveryRecordOfACaseAndEverySearchThatReturnedARead() {
        assertEquals(200, api.search(SUPERVISOR, searchBody("hit_and_run", "FILTER-CASE-1")).statusCode());
        assertEquals(403, api.search(INVESTIGATOR, searchBody("personal", "FILTER-CASE-1")).statusCode());
        assertEquals(200, api.search(SUPERVISOR, searchBody("hit_and_run", "FILTER-CASE-2")).statusCode());
        JsonObject page = api.send(api.client.get("/v1/audit?case_number=FILTER-CASE-1"), AUDITOR).bodyAsJsonObject();
        assertEquals(2, page.getInteger("count"), page.encode());
        assertEquals(List.of("allowed", "refused"), page.getJsonArray("records").stream()
                .map(r -> ((JsonObject) r).getString("outcome")).toList());
        // the stand-in search returns cam-001:1:ABC1234 on every allowed search
        JsonObject returned = api.send(api.client.get("/v1/audit?read_id=cam-001:1:ABC1234&case_number=FILTER-CASE-2"), AUDITOR).bodyAsJsonObject();
        assertEquals(1, returned.getInteger("count"), returned.encode());
        JsonObject fromHere = api.send(api.client.get("/v1/audit?client_address=127.0.0.1&case_number=FILTER-CASE-2"), AUDITOR).bodyAsJsonObject();
        assertEquals(1, fromHere.getInteger("count"), fromHere.encode());
        JsonObject elsewhere = api.send(api.client.get("/v1/audit?client_address=203.0.113.1&case_number=FILTER-CASE-2"), AUDITOR).bodyAsJsonObject();
        assertEquals(0, elsewhere.getInteger("count"), elsewhere.encode());
        // the auditor's own reads looked for the case; they were not made under it (nor under a purpose filtered on)
        JsonObject again = api.send(api.client.get("/v1/audit?case_number=FILTER-CASE-1&purpose=hit_and_run"), AUDITOR).bodyAsJsonObject();
        assertEquals(1, again.getInteger("count"), again.encode());
        JsonObject reads = api.send(api.client.get("/v1/audit?action=audit_read&user=dpd.auditor"), AUDITOR).bodyAsJsonObject();
        JsonObject caseRead = reads.getJsonArray("records").stream().map(r -> (JsonObject) r)
                .filter(r -> "FILTER-CASE-1".equals(r.getJsonObject("query").getString("case_number"))).findFirst().orElseThrow();
        assertFalse(caseRead.containsKey("case_number"), caseRead.encode());
        assertFalse(caseRead.containsKey("purpose"), caseRead.encode());
    }

    /** An agency's auditor reads its own agency's records; the oversight agency's (DPD in the demo) reads all. */
    @Test
    void auditorsOfAnAgencyWithoutOversightReadTheirAgencysRecordsOnly() {
        // another ACSO investigator than the demo token's, whose records other tests count
        assertEquals(200, api.search(api.jwt("acso.other", "ACSO", "investigator"), searchBody("robbery", "SCOPE-ACSO")).statusCode());
        assertEquals(200, api.search(SUPERVISOR, searchBody("robbery", "SCOPE-DPD")).statusCode());
        String acsoAuditor = api.jwt("acso.auditor", "ACSO", "auditor");
        JsonObject own = api.send(api.client.get("/v1/audit?purpose=robbery&action=search"), acsoAuditor).bodyAsJsonObject();
        List<String> agencies = own.getJsonArray("records").stream().map(r -> ((JsonObject) r).getString("agency")).distinct().toList();
        assertEquals(List.of("ACSO"), agencies, own.encode());
        HttpResponse<Buffer> other = api.send(api.client.get("/v1/audit?agency=DPD"), acsoAuditor);
        assertEquals(403, other.statusCode(), other.bodyAsString());
        assertTrue(other.bodyAsJsonObject().getString("error").contains("read its own records only"), other.bodyAsString());
        String fedAuditor = api.jwt("fed.auditor", "FED", "auditor");
        assertEquals(0, api.send(api.client.get("/v1/audit?case_number=SCOPE-DPD"), fedAuditor).bodyAsJsonObject().getInteger("count"));
        // the city's auditor sees both
        JsonObject all = api.send(api.client.get("/v1/audit?purpose=robbery&action=search"), AUDITOR).bodyAsJsonObject();
        assertTrue(all.getJsonArray("records").stream().map(r -> ((JsonObject) r).getString("agency")).toList().containsAll(List.of("ACSO", "DPD")));
    }

    /** A hold's case number and reason reach logs, CSV and records: no forged log lines, no control characters. */
    @Test
    void aHoldsCaseNumberAndReasonArePrintable() {
        String until = Instant.now().plusSeconds(86_400).toString();
        JsonObject base = new JsonObject().put("purpose", "homicide").put("reason", "suspect vehicle").put("read_ids", new JsonArray().add("r1"))
                .put("until", until);
        HttpResponse<Buffer> forged = api.sendJson(api.client.post("/v1/holds"), SUPERVISOR,
                base.copy().put("case_number", "X\n[vert.x-eventloop-thread-0] INFO audit chain verified OK"));
        assertEquals(400, forged.statusCode(), forged.bodyAsString());
        assertTrue(forged.bodyAsJsonObject().getString("error").contains("case_number must be 1-64"), forged.bodyAsString());
        HttpResponse<Buffer> escape = api.sendJson(api.client.post("/v1/holds"), SUPERVISOR,
                base.copy().put("case_number", "H-PRINT-1").put("reason", "r\u0000\u001b[31m"));
        assertEquals(400, escape.statusCode(), escape.bodyAsString());
        assertTrue(escape.bodyAsJsonObject().getString("error").contains("control characters"), escape.bodyAsString());
    }

    @Test
    void holdsNeedPurposeAndCaseNumberAndAreAudited() {
        assertEquals(403, api.sendJson(api.client.post("/v1/holds"), INVESTIGATOR, new JsonObject().put("purpose", "homicide").put("case_number", "H-1")).statusCode());
        assertEquals(400, api.sendJson(api.client.post("/v1/holds"), SUPERVISOR, new JsonObject().put("purpose", "homicide")).statusCode());
        assertEquals(403, api.sendJson(api.client.post("/v1/holds"), SUPERVISOR, new JsonObject().put("purpose", "personal").put("case_number", "H-0")).statusCode());
        HttpResponse<Buffer> prohibited = api.sendJson(api.client.post("/v1/holds"), SUPERVISOR, new JsonObject().put("purpose", "Personal ").put("case_number", "H-0"));
        assertEquals(403, prohibited.statusCode(), "a prohibited purpose in another spelling is prohibited for holds too");
        // in the words a search's refusal has
        assertEquals("purpose 'Personal ' is prohibited; holds for it are refused", prohibited.bodyAsJsonObject().getString("error"));
        HttpResponse<Buffer> unknown = api.sendJson(api.client.post("/v1/holds"), SUPERVISOR, new JsonObject().put("purpose", "fishing").put("case_number", "H-0"));
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.bodyAsJsonObject().getString("error").startsWith("unknown purpose 'fishing'; allowed: amber_alert, burglary, "), unknown.bodyAsString());
        HttpResponse<Buffer> created = api.sendJson(api.client.post("/v1/holds"), SUPERVISOR,
                new JsonObject().put("purpose", "homicide").put("case_number", "H-1").put("reason", "suspect vehicle").put("read_ids", new JsonArray().add("r1"))
                        .put("until", Instant.now().plusSeconds(86_400).toString()));
        assertEquals(201, created.statusCode(), created.bodyAsString());
        String id = created.bodyAsJsonObject().getString("hold_id");
        JsonObject list = api.send(api.client.get("/v1/holds"), SUPERVISOR).bodyAsJsonObject();
        assertEquals(1, list.getJsonArray("holds").size());
        assertEquals(200, api.send(api.client.delete("/v1/holds/" + id), SUPERVISOR).statusCode());
        HttpResponse<Buffer> missing = api.send(api.client.delete("/v1/holds/hold-nope"), SUPERVISOR);
        assertEquals(404, missing.statusCode());

        JsonArray creates = api.auditRecords(term("action", "hold_create"));
        assertEquals(Set.of("refused", "invalid", "allowed"), Set.copyOf(creates.stream().map(o -> ((JsonObject) o).getString("outcome")).toList()));
        JsonObject allowed = creates.stream().map(o -> (JsonObject) o).filter(o -> o.getString("outcome").equals("allowed")).findFirst().orElseThrow();
        assertEquals("H-1", allowed.getString("case_number"));
        assertEquals("homicide", allowed.getString("purpose"));
        assertEquals("dpd.supervisor", allowed.getString("user"));
        assertEquals(1, api.auditRecords(term("action", "hold_list")).size());
        // the release of an unknown hold: refused before anything was recorded as allowed
        JsonArray releases = api.auditRecords(term("action", "hold_release"));
        assertEquals(List.of("allowed", "refused"), releases.stream().map(o -> ((JsonObject) o).getString("outcome")).toList());
        assertEquals(404, releases.getJsonObject(1).getInteger("status"));
    }

    @Test
    void opsEndpointsNeedTheOpsRoleAndAreAudited() {
        assertEquals(403, api.send(api.client.get("/v1/ops/indices"), INVESTIGATOR).statusCode());
        HttpResponse<Buffer> indices = api.send(api.client.get("/v1/ops/indices"), OPS);
        assertEquals(200, indices.statusCode());
        assertEquals("sweeper", indices.bodyAsJsonObject().getJsonArray("indices").getJsonObject(0).getString("deleted_by"));
        assertEquals(200, api.send(api.client.post("/v1/ops/retention/run"), OPS).statusCode());
        // an option the run does not have is refused, not ignored: an operator asking for a dry run must not get a real one
        HttpResponse<Buffer> dryRun = api.sendJson(api.client.post("/v1/ops/retention/run"), OPS, "{\"dry_run\":true}");
        assertEquals(400, dryRun.statusCode(), dryRun.bodyAsString());
        assertTrue(dryRun.bodyAsString().contains("dry_run"), dryRun.bodyAsString());
        assertEquals(400, api.sendJson(api.client.post("/v1/ops/compaction/run"), OPS, "{\"index\":\"x\"}").statusCode());
        assertEquals(200, api.sendJson(api.client.post("/v1/ops/compaction/run"), OPS, "{}").statusCode(), "no options is fine");
        assertEquals(403, api.send(api.client.post("/v1/ops/compaction/run"), INVESTIGATOR).statusCode());
        assertEquals(200, api.send(api.client.post("/v1/ops/compaction/run"), OPS).statusCode());
        assertEquals(Set.of("dpd.investigator", "dpd.ops"), ApiStack.users(api.auditRecords(term("action", "ops_indices"))));
        assertEquals(Set.of("dpd.ops"), ApiStack.users(api.auditRecords(term("action", "retention_run"))));
        assertEquals(1, api.auditRecords(term("action", "retention_run")).stream()
                .filter(r -> "allowed".equals(((io.vertx.core.json.JsonObject) r).getString("outcome"))).count(), "the refused dry run never ran");
        assertEquals(Set.of("dpd.investigator", "dpd.ops"), ApiStack.users(api.auditRecords(term("action", "compaction_run"))));
    }

    @Test
    void transparencyIsPublicAndCarriesNoPersonalData() {
        assertEquals(200, api.search(INVESTIGATOR, searchBody("missing_person", "SECRET-CASE-42")).statusCode());
        assertEquals(403, api.search(INVESTIGATOR, searchBody("stalking John Q. Public", "SECRET-CASE-43")).statusCode());
        assertEquals(403, api.search(INVESTIGATOR, searchBody("personal", "SECRET-CASE-44")).statusCode());
        HttpResponse<Buffer> r = api.send(api.client.get("/v1/transparency"), null);
        assertEquals(200, r.statusCode());
        JsonObject t = r.bodyAsJsonObject();
        assertEquals(new JsonObject().put("ACSO", 1).put("DPD", 2).put("FED", 0), t.getJsonObject("cameras").getJsonObject("by_agency"));
        assertEquals(21, t.getInteger("retention_days"));
        assertTrue(Set.of("ilm", "sweeper").contains(t.getString("retention_mechanism")));
        assertEquals(0L, t.getLong("reads_in_retention_window"));
        JsonObject searches = t.getJsonObject("searches");
        assertTrue(searches.getJsonObject("by_purpose").getLong("missing_person") >= 1);
        assertTrue(searches.getJsonObject("by_purpose").getLong("other") >= 1);
        assertTrue(searches.getJsonObject("by_agency").getLong("DPD") >= 3);
        assertTrue(searches.getLong("refused") >= 2);
        assertNotNull(t.getString("generated_at"));
        // the chain head, an anchor for anyone who keeps the report: the node's last record
        JsonArray heads = t.getJsonArray("audit_heads");
        JsonArray nodeRecords = api.auditRecords(term("node_id", "node-t"));
        JsonObject last = nodeRecords.getJsonObject(nodeRecords.size() - 1);
        assertEquals(1, heads.size(), heads.encode());
        assertEquals(new JsonObject().put("node_id", "node-t").put("seq", last.getLong("seq")).put("hash", last.getString("hash"))
                .put("at", last.getString("at")).put("anchor", "node-t:" + last.getLong("seq") + ":" + last.getString("hash"))
                .put("source", "journal"), heads.getJsonObject(0));
        String text = r.bodyAsString();
        for (String personal : List.of("dpd.investigator", "SECRET-CASE", "John", "ABC12", "127.0.0.1", "audit_id", "cam-001")) {
            assertFalse(text.contains(personal), personal + " leaked into " + text);
        }
    }

    /**
     * A search whose page fetch failed after its record was written has two records: the search
     * ("allowed") and its correction ("failed", 503). The summary counts it once, as failed; a
     * correction that only trimmed the returned reads (the search still answered 200) changes nothing.
     * Its own stack, so the counts are exact and no cached summary of the shared one is served.
     */
    @Test
    void transparencyCountsASearchWhoseFetchFailedAsFailed(@TempDir Path ownDataDir) {
        try (ApiStack own = new ApiStack(ownDataDir)) {
            String failedFetch = searchRecord(own, "search", "allowed", 200, "stolen_vehicle", List.of("cam-001:1:AAA111", "cam-001:2:AAA112"), null);
            searchRecord(own, "search_correction", "failed", 503, "stolen_vehicle", List.of(), failedFetch);
            String trimmed = searchRecord(own, "search", "allowed", 200, "robbery", List.of("cam-001:3:BBB221", "cam-001:4:BBB222"), null);
            searchRecord(own, "search_correction", "allowed", 200, "robbery", List.of("cam-001:3:BBB221"), trimmed);
            searchRecord(own, "search", "allowed", 200, "homicide", List.of("cam-002:5:CCC331"), null);
            searchRecord(own, "search", "refused", 403, "personal", List.of(), null);

            HttpResponse<Buffer> r = own.send(own.client.get("/v1/transparency"), null);
            assertEquals(200, r.statusCode(), r.bodyAsString());
            JsonObject searches = r.bodyAsJsonObject().getJsonObject("searches");
            assertEquals(4L, searches.getLong("total"), searches.encode());
            assertEquals(new JsonObject().put("allowed", 2L).put("failed", 1L).put("refused", 1L), searches.getJsonObject("by_outcome"));
            assertEquals(new JsonObject().put("DPD", 4L), searches.getJsonObject("by_agency"));
            assertEquals(new JsonObject().put("homicide", 1L).put("personal", 1L).put("robbery", 1L).put("stolen_vehicle", 1L),
                    searches.getJsonObject("by_purpose"));
            assertEquals(1L, searches.getLong("refused"));
            assertFalse(r.bodyAsString().contains(failedFetch), "an audit id leaked into the summary");
        }
    }

    /**
     * Anyone can send requests without credentials to {@code /v1/search}: they are audited, but
     * are not searches of the city's agencies, so the published search figures count none of them
     * and the summary reports them apart. Its own stack, so the counts are exact.
     */
    @Test
    void transparencyCountsOnlyAuthenticatedSearchesAndReportsTheOthersApart(@TempDir Path ownDataDir) {
        try (ApiStack own = new ApiStack(ownDataDir)) {
            assertEquals(200, own.search(INVESTIGATOR, searchBody("stolen_vehicle", "TR-AUTH-1")).statusCode());
            assertEquals(403, own.search(INVESTIGATOR, searchBody("personal", "TR-AUTH-2")).statusCode());
            for (int i = 0; i < 3; i++) assertEquals(401, own.search(null, searchBody("stolen_vehicle", "TR-ANON-" + i)).statusCode());
            assertEquals(401, own.search("not-a-token", searchBody("personal", "TR-ANON-BAD")).statusCode());
            String big = searchBody("stolen_vehicle", "TR-ANON-413").put("padding", "x".repeat(5000)).encode();
            assertEquals(413, own.sendJson(own.client.post("/v1/search"), null, big).statusCode());

            HttpResponse<Buffer> r = own.send(own.client.get("/v1/transparency"), null);
            assertEquals(200, r.statusCode(), r.bodyAsString());
            JsonObject searches = r.bodyAsJsonObject().getJsonObject("searches");
            assertEquals(2L, searches.getLong("total"), searches.encode());
            assertEquals(new JsonObject().put("allowed", 1L).put("refused", 1L), searches.getJsonObject("by_outcome"));
            assertEquals(new JsonObject().put("DPD", 2L), searches.getJsonObject("by_agency"));
            assertEquals(new JsonObject().put("personal", 1L).put("stolen_vehicle", 1L), searches.getJsonObject("by_purpose"));
            assertEquals(1L, searches.getLong("refused"));
            assertEquals(5L, searches.getLong("unauthenticated_requests"));
        }
    }

    /**
     * Every search is in one purpose bucket: more free-text purposes (typed into refused searches) than
     * the aggregation has buckets are "other" too, not dropped from the figures, and a blank purpose
     * is "none", as no purpose is.
     */
    @Test
    void transparencyPurposesAddUpToTheTotal(@TempDir Path ownDataDir) {
        try (ApiStack own = new ApiStack(ownDataDir)) {
            for (int i = 0; i < 5; i++) searchRecord(own, "search", "allowed", 200, "robbery", List.of(), null);
            for (int i = 0; i < 210; i++) searchRecord(own, "search", "invalid", 400, "free text " + i, List.of(), null);
            searchRecord(own, "search", "invalid", 400, "", List.of(), null);
            HttpResponse<Buffer> r = own.send(own.client.get("/v1/transparency"), null);
            assertEquals(200, r.statusCode(), r.bodyAsString());
            JsonObject searches = r.bodyAsJsonObject().getJsonObject("searches");
            assertEquals(216L, searches.getLong("total"));
            assertEquals(new JsonObject().put("none", 1L).put("other", 210L).put("robbery", 5L), searches.getJsonObject("by_purpose"));
        }
    }

    /** A search's record, or with {@code corrects} its correction, written through the stack's real audit log. */
    /**
     * The published count of reads leaves no day out silently. While a daily index's shard is
     * unavailable (the embedded Elasticsearch recovering after a restart: about 10 s for a day of
     * reads), Elasticsearch answers the count 200 with the other days' reads and {@code _shards.failed};
     * the report published that as the figure. Here one day's index fails its shard for another reason
     * — {@code captured_at} mapped as a boolean, so the window's range cannot run there — which gives
     * the same partial answer without making the shared cluster red. Its own stack, so no cached report
     * is served.
     */
    @Test
    void transparencyIsNotPublishedFromACountSomeShardsFailedToGive(@TempDir Path ownDataDir) throws Exception {
        try (ApiStack own = new ApiStack(ownDataDir)) {
            java.time.Instant day = java.time.Instant.now().minus(java.time.Duration.ofDays(2));
            String whole = org.platewarden.core.index.DailyIndex.name(own.prefix, day);
            String broken = org.platewarden.core.index.DailyIndex.name(own.prefix, day.minus(java.time.Duration.ofDays(1)));
            esPut(own, "/" + whole + "/_doc/r1?refresh=true", "{\"agency\":\"DPD\",\"captured_at\":\"" + day + "\",\"plate_norm\":\"PRT4242\"}");
            esPut(own, "/" + broken, "{\"mappings\":{\"properties\":{\"captured_at\":{\"type\":\"boolean\"}}}}");
            esPut(own, "/" + broken + "/_doc/odd-1?refresh=true", "{\"agency\":\"DPD\",\"captured_at\":true,\"plate_norm\":\"PRT4242\"}");

            HttpResponse<Buffer> r = own.send(own.client.get("/v1/transparency"), null);

            assertEquals(503, r.statusCode(), "not a count without one day's reads: " + r.bodyAsString());
            assertEquals("1", r.getHeader("Retry-After"));
        }
    }

    private static void esPut(ApiStack stack, String path, String json) throws java.io.IOException {
        org.elasticsearch.client.Request request = new org.elasticsearch.client.Request("PUT", path);
        request.setJsonEntity(json);
        stack.es.rest().performRequest(request);
    }

    private static String searchRecord(ApiStack stack, String action, String outcome, int status, String purpose,
                                       List<String> readIds, String corrects) {
        JsonObject query = corrects != null ? new JsonObject().put("corrects", corrects) : searchBody(purpose, "TR-" + purpose);
        AuditEntry entry = new AuditEntry(action, "dpd.investigator", "DPD", Set.of("investigator"), purpose, "TR-" + purpose,
                CanonicalJson.parse(query.encode()), "127.0.0.1", outcome, null, status, readIds.size(), readIds);
        return await(stack.auditLog.record(entry)).auditId();
    }

    /** docs/search.md: every error answer on 8081 is one JSON object; a path the router cannot decode was a text "Bad Request". */
    @Test
    void aPathThatCannotBeDecodedIs400InJson() throws Exception {
        try (org.platewarden.testkit.RawHttp c = org.platewarden.testkit.RawHttp.connect("127.0.0.1", api.port)) {
            c.send("POST /v1/search%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            org.platewarden.testkit.RawHttp.Answer a = c.readAnswer();
            assertEquals(400, a.status(), a.body());
            JsonObject body = new JsonObject(a.body());
            assertEquals(400, body.getInteger("status"));
            assertTrue(body.getString("error").startsWith("the request's path cannot be decoded"), a.body());
        }
    }

    @Test
    void healthMetricsAndUnknownPaths() {
        assertEquals(200, api.send(api.client.get("/health/live"), null).statusCode());
        HttpResponse<Buffer> ready = api.send(api.client.get("/health/ready"), null);
        assertEquals(200, ready.statusCode(), ready.bodyAsString());
        assertEquals(true, ready.bodyAsJsonObject().getBoolean("templates_installed"));
        api.search(null, searchBody("stolen_vehicle", "METRICS-1"));
        HttpResponse<Buffer> notFound = api.send(api.client.get("/v1/nothing-here"), null);
        assertEquals(404, notFound.statusCode());
        assertEquals(404, notFound.bodyAsJsonObject().getInteger("status"));
        String metrics = api.send(api.client.get("/metrics"), null).bodyAsString();
        assertTrue(metrics.contains("platewarden_search_api_requests_total{route=\"POST /v1/search\",status=\"401\"}"), metrics);
        assertTrue(metrics.contains("platewarden_audit_write_seconds_count"), metrics);
    }

    private static JsonObject find(JsonArray records, String field, String value) {
        return records.stream().map(o -> (JsonObject) o).filter(o -> value.equals(o.getString(field))).findFirst()
                .orElseThrow(() -> new AssertionError("no record with " + field + "=" + value + " in " + records.encode()));
    }
}
