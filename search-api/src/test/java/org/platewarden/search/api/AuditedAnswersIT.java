package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.api.ApiStack.searchBody;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What an auditor reads off the answers and the report, on a stack of its own (the records of
 * {@link SearchApiVerticleIT}'s tests are counted there): every audited answer names its record, a
 * hold release records its reason and the reads it deletes, and the report's filters fold spellings.
 */
class AuditedAnswersIT extends ApiStackSupport {
    static final String INVESTIGATOR = SearchApiVerticleIT.INVESTIGATOR;
    static final String SUPERVISOR = SearchApiVerticleIT.SUPERVISOR;
    static final String AUDITOR = SearchApiVerticleIT.AUDITOR;
    static final String OPS = SearchApiVerticleIT.OPS;
    static final String ACSO = SearchApiVerticleIT.ACSO;

    private static String term(String field, String value) {
        return "{\"term\":{\"" + field + "\":\"" + value + "\"}}";
    }

    /** The report's agency and purpose filters fold spellings as a search's purpose check does; order=desc gives the newest first. */
    @Test
    void auditFiltersFoldAgencyAndPurposeAndOrderDescIsNewestFirst() {
        assertEquals(200, api.search(ACSO, searchBody("robbery", "FOLD-1")).statusCode());
        assertEquals(403, api.search(INVESTIGATOR, searchBody("immigration_enforcement", "FOLD-2")).statusCode());
        long exact = api.send(api.client.get("/v1/audit?agency=ACSO&action=search"), AUDITOR).bodyAsJsonObject().getLong("total");
        assertTrue(exact >= 1);
        assertEquals(exact, api.send(api.client.get("/v1/audit?agency=acso&action=search"), AUDITOR).bodyAsJsonObject().getLong("total"));
        long prohibited = api.send(api.client.get("/v1/audit?purpose=immigration_enforcement"), AUDITOR).bodyAsJsonObject().getLong("total");
        assertTrue(prohibited >= 1);
        assertEquals(prohibited, api.send(api.client.get("/v1/audit?purpose=Immigration-Enforcement"), AUDITOR).bodyAsJsonObject().getLong("total"));

        JsonArray newest = api.send(api.client.get("/v1/audit?order=desc&limit=2"), AUDITOR).bodyAsJsonObject().getJsonArray("records");
        JsonArray all = api.auditRecords("{\"match_all\":{}}");
        // the last record before this read's own (written after the page was fetched)
        JsonObject last = all.getJsonObject(all.size() - 2);
        assertEquals(last.getString("audit_id"), newest.getJsonObject(0).getString("audit_id"), newest.encode());
        assertTrue(newest.getJsonObject(0).getLong("seq") > newest.getJsonObject(1).getLong("seq"), newest.encode());
    }

    /**
     * A cursor carries the order of the page it came from: used without {@code order} it pages on in
     * that order, and an {@code order} that contradicts it is refused; a cursor of before (three sort
     * values, no order) still pages on in the order given, ascending by default.
     */
    @Test
    void aCursorPagesOnInTheOrderItWasMadeWith() {
        for (int i = 1; i <= 5; i++) assertEquals(200, api.search(ACSO, searchBody("robbery", "ORDER-" + i)).statusCode());
        String filters = "/v1/audit?action=search&purpose=robbery&user=acso.investigator";
        JsonArray newestFirst = api.send(api.client.get(filters + "&order=desc&limit=1000"), AUDITOR).bodyAsJsonObject().getJsonArray("records");
        assertTrue(newestFirst.size() >= 5, newestFirst.encode());

        JsonObject first = api.send(api.client.get(filters + "&order=desc&limit=2"), AUDITOR).bodyAsJsonObject();
        assertEquals(ids(newestFirst, 0, 2), ids(first.getJsonArray("records"), 0, 2));
        String next = first.getString("next");
        assertNotNull(next);
        JsonObject second = api.send(api.client.get(filters + "&limit=2").addQueryParam("cursor", next), AUDITOR).bodyAsJsonObject();
        assertEquals(ids(newestFirst, 2, 4), ids(second.getJsonArray("records"), 0, 2), "the cursor pages on newest first without order");
        JsonObject third = api.send(api.client.get(filters + "&limit=2").addQueryParam("cursor", second.getString("next")), AUDITOR).bodyAsJsonObject();
        assertEquals(ids(newestFirst, 4, 5), ids(third.getJsonArray("records"), 0, 1));
        JsonObject same = api.send(api.client.get(filters + "&order=desc&limit=2").addQueryParam("cursor", next), AUDITOR).bodyAsJsonObject();
        assertEquals(ids(newestFirst, 2, 4), ids(same.getJsonArray("records"), 0, 2), "order=desc agrees with the cursor");

        HttpResponse<Buffer> contradicted = api.send(api.client.get(filters + "&order=asc&limit=2").addQueryParam("cursor", next), AUDITOR);
        assertEquals(400, contradicted.statusCode(), contradicted.bodyAsString());
        assertTrue(contradicted.bodyAsJsonObject().getString("error").contains("order=desc"), contradicted.bodyAsString());

        // an ascending cursor keeps its order too
        JsonObject oldest = api.send(api.client.get(filters + "&limit=2"), AUDITOR).bodyAsJsonObject();
        JsonObject afterOldest = api.send(api.client.get(filters + "&limit=2").addQueryParam("cursor", oldest.getString("next")), AUDITOR).bodyAsJsonObject();
        int n = newestFirst.size();
        assertEquals(java.util.List.of(ids(newestFirst, n - 3, n - 2).get(0), ids(newestFirst, n - 4, n - 3).get(0)),
                ids(afterOldest.getJsonArray("records"), 0, 2), "the cursor pages on oldest first");
        assertEquals(400, api.send(api.client.get(filters + "&order=desc&limit=2").addQueryParam("cursor", oldest.getString("next")), AUDITOR).statusCode());

        // a cursor made before cursors carried their order: [at, node_id, seq], paged in the order given
        JsonArray position = new JsonArray(new String(java.util.Base64.getUrlDecoder().decode(next), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("desc", position.remove(4));
        position.remove(3); // the audit id that breaks ties
        String oldCursor = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(position.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        JsonObject oldDesc = api.send(api.client.get(filters + "&order=desc&limit=2").addQueryParam("cursor", oldCursor), AUDITOR).bodyAsJsonObject();
        assertEquals(ids(newestFirst, 2, 4), ids(oldDesc.getJsonArray("records"), 0, 2));
        JsonObject oldAsc = api.send(api.client.get(filters + "&limit=1000").addQueryParam("cursor", oldCursor), AUDITOR).bodyAsJsonObject();
        assertEquals(ids(newestFirst, 0, 1), ids(oldAsc.getJsonArray("records"), 0, oldAsc.getInteger("count")),
                "ascending from the position, as before");
    }

    private static java.util.List<String> ids(JsonArray records, int from, int to) {
        assertTrue(records.size() >= to, "at least " + to + " records: " + records.encode());
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (int i = from; i < to; i++) ids.add(records.getJsonObject(i).getString("audit_id"));
        return ids;
    }

    /**
     * A release takes an optional reason, and refuses any other field (audited) instead of dropping
     * it; its record, written before the release, names the reads it deletes.
     */
    @Test
    void aReleaseRecordsItsReasonAndTheReadsItDeletes() {
        HttpResponse<Buffer> created = api.sendJson(api.client.post("/v1/holds"), SUPERVISOR,
                new JsonObject().put("purpose", "homicide").put("case_number", "REL-1").put("reason", "suspect vehicle")
                        .put("read_ids", new JsonArray().add("r1").add("r2")).put("until", Instant.now().plusSeconds(86_400).toString()));
        assertEquals(201, created.statusCode(), created.bodyAsString());
        String id = created.bodyAsJsonObject().getString("hold_id");

        HttpResponse<Buffer> unknown = api.sendJson(api.client.delete("/v1/holds/" + id), SUPERVISOR, "{\"reason\":\"case closed\",\"dry_run\":true}");
        assertEquals(400, unknown.statusCode(), unknown.bodyAsString());
        assertTrue(unknown.bodyAsJsonObject().getString("error").contains("dry_run"), unknown.bodyAsString());
        JsonObject refused = api.recordOf(unknown);
        assertEquals("invalid", refused.getString("outcome"));
        assertEquals(new JsonObject().put("reason", "case closed").put("dry_run", true).put("hold_id", id), refused.getJsonObject("query"));
        assertEquals("REL-1", refused.getString("case_number"));
        assertEquals(400, api.sendJson(api.client.delete("/v1/holds/" + id), SUPERVISOR, "{\"reason\":7}").statusCode());
        assertEquals(400, api.sendJson(api.client.delete("/v1/holds/" + id), SUPERVISOR, "not json").statusCode());

        HttpResponse<Buffer> released = api.sendJson(api.client.delete("/v1/holds/" + id), SUPERVISOR, "{\"reason\":\"case closed\"}");
        assertEquals(200, released.statusCode(), released.bodyAsString());
        JsonObject record = api.recordOf(released);
        assertEquals("allowed", record.getString("outcome"));
        assertEquals(new JsonObject().put("reason", "case closed").put("hold_id", id), record.getJsonObject("query"));
        assertEquals(2, record.getInteger("hit_count"));
        assertEquals(new JsonArray().add("r1").add("r2"), record.getJsonArray("read_ids"));
        assertEquals(200, api.send(api.client.delete("/v1/holds/" + id), SUPERVISOR).statusCode(), "the body stays optional");
    }

    /**
     * Every audited answer names its record — reads, checks, changes, CSV, errors — as a search's
     * answer always did: the X-Audit-Id header, and audit_id in a JSON object body; the record it
     * names is this request's (its action and status).
     */
    @Test
    void everyAuditedAnswerNamesItsRecord() {
        java.util.Map<String, HttpResponse<Buffer>> answers = new java.util.LinkedHashMap<>();
        answers.put("search", api.search(INVESTIGATOR, searchBody("stolen_vehicle", "AID-1")));
        answers.put("audit_read", api.send(api.client.get("/v1/audit?limit=2"), AUDITOR));
        answers.put("audit_verify", api.send(api.client.get("/v1/audit/verify"), AUDITOR));
        HttpResponse<Buffer> created = api.sendJson(api.client.post("/v1/holds"), SUPERVISOR,
                new JsonObject().put("purpose", "homicide").put("case_number", "AID-H").put("reason", "suspect vehicle")
                        .put("read_ids", new JsonArray().add("r1")).put("until", Instant.now().plusSeconds(86_400).toString()));
        answers.put("hold_create", created);
        String holdId = created.bodyAsJsonObject().getString("hold_id");
        answers.put("hold_list", api.send(api.client.get("/v1/holds"), SUPERVISOR));
        answers.put("hold_extend", api.sendJson(api.client.post("/v1/holds/" + holdId + "/extend"), SUPERVISOR, new JsonObject()
                .put("purpose", "homicide").put("reason", "trial moved").put("until", Instant.now().plusSeconds(2 * 86_400).toString())));
        answers.put("hold_release", api.send(api.client.delete("/v1/holds/" + holdId), SUPERVISOR));
        answers.put("ops_indices", api.send(api.client.get("/v1/ops/indices"), OPS));
        answers.put("retention_run", api.send(api.client.post("/v1/ops/retention/run"), OPS));
        answers.put("compaction_run", api.send(api.client.post("/v1/ops/compaction/run"), OPS));
        for (var e : answers.entrySet()) {
            HttpResponse<Buffer> answer = e.getValue();
            assertTrue(answer.statusCode() < 300, e.getKey() + ": " + answer.statusCode() + " " + answer.bodyAsString());
            String header = answer.getHeader("X-Audit-Id");
            assertNotNull(header, e.getKey() + " answered without X-Audit-Id: " + answer.bodyAsString());
            if (e.getKey().equals("audit_verify")) {
                // its body is the v1 contract's, {"ok":true,"records":n}: the header alone names the record
                assertEquals(e.getKey(), api.auditRecords(term("audit_id", header)).getJsonObject(0).getString("action"));
                continue;
            }
            assertEquals(header, answer.bodyAsJsonObject().getString("audit_id"), e.getKey() + ": " + answer.bodyAsString());
            JsonObject record = api.recordOf(answer);
            assertEquals(e.getKey(), record.getString("action"), e.getKey());
        }
        // CSV has no body field for it: the header alone
        HttpResponse<Buffer> csv = api.send(api.client.get("/v1/audit?limit=1&format=csv"), AUDITOR);
        assertEquals(200, csv.statusCode());
        JsonArray csvRecord = api.auditRecords(term("audit_id", csv.getHeader("X-Audit-Id")));
        assertEquals(1, csvRecord.size(), csv.headers().toString());
        assertEquals("audit_read", csvRecord.getJsonObject(0).getString("action"));
        // an error answer: the header names the same record as its body
        HttpResponse<Buffer> refused = api.send(api.client.get("/v1/ops/indices"), AUDITOR);
        assertEquals(403, refused.statusCode());
        assertEquals(refused.bodyAsJsonObject().getString("audit_id"), refused.getHeader("X-Audit-Id"));
        // unaudited routes name no record
        assertNull(api.send(api.client.get("/health/live"), null).getHeader("X-Audit-Id"));
    }

}
