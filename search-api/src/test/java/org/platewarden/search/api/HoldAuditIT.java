package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the trail says about holds: a refused creation or release leaves one record with its real
 * outcome (never an "allowed" one first), a change that fails after its record is followed by a
 * record naming it, and every record of one hold carries its hold_id. Real audit log and
 * Elasticsearch; the hold service is ApiStack's stand-in (the real one is tested in app).
 */
class HoldAuditIT extends ApiStackSupport {
    private static final String SUPERVISOR = "demo-dpd-supervisor";

    private static JsonObject hold(String caseNumber, String reason, Instant until) {
        JsonObject body = new JsonObject().put("purpose", "homicide").put("case_number", caseNumber).put("plate", "ABC1234");
        if (reason != null) body.put("reason", reason);
        if (until != null) body.put("until", until.toString());
        return body;
    }

    private static HttpResponse<Buffer> create(JsonObject body) {
        return api.sendJson(api.client.post("/v1/holds"), SUPERVISOR, body);
    }

    /** The records of one action, oldest first, matching a case number or a hold id. */
    private static List<JsonObject> records(String action, String caseNumber, String holdId) {
        JsonArray all = api.auditRecords("{\"term\":{\"action\":\"" + action + "\"}}");
        return all.stream().map(o -> (JsonObject) o)
                .filter(r -> caseNumber == null || caseNumber.equals(r.getString("case_number")))
                .filter(r -> holdId == null || holdId.equals(r.getJsonObject("query").getString("hold_id")))
                .toList();
    }

    @Test
    void anInvalidCreationLeavesOneInvalidRecord() {
        Instant future = Instant.now().plusSeconds(86_400);
        assertEquals(400, create(hold("INV-1", null, future)).statusCode());
        assertEquals(400, create(hold("INV-2", "suspect vehicle", Instant.now().minusSeconds(3600))).statusCode());
        assertEquals(400, create(hold("INV-3", "suspect vehicle", null)).statusCode());
        for (String caseNumber : List.of("INV-1", "INV-2", "INV-3")) {
            List<JsonObject> records = records("hold_create", caseNumber, null);
            assertEquals(1, records.size(), caseNumber + ": " + records);
            assertEquals("invalid", records.get(0).getString("outcome"));
            assertEquals(400, records.get(0).getInteger("status"));
        }
        assertTrue(records("hold_create", "INV-1", null).get(0).getString("reason").contains("reason"));
    }

    @Test
    void releasingAnUnknownHoldLeavesOne404Record() {
        HttpResponse<Buffer> r = api.send(api.client.delete("/v1/holds/hold-nope"), SUPERVISOR);
        assertEquals(404, r.statusCode());
        List<JsonObject> records = records("hold_release", null, "hold-nope");
        assertEquals(1, records.size(), records.toString());
        assertEquals(404, records.get(0).getInteger("status"));
        assertEquals("refused", records.get(0).getString("outcome"), "not a server failure");
        assertEquals(records.get(0).getString("audit_id"), r.bodyAsJsonObject().getString("audit_id"));
    }

    @Test
    void creationAndReleaseRecordsCarryTheHoldId() {
        HttpResponse<Buffer> created = create(hold("JOIN-1", "suspect vehicle", Instant.now().plusSeconds(86_400)));
        assertEquals(201, created.statusCode(), created.bodyAsString());
        String holdId = created.bodyAsJsonObject().getString("hold_id");
        assertNotNull(holdId);
        List<JsonObject> creation = records("hold_create", "JOIN-1", null);
        assertEquals(1, creation.size(), creation.toString());
        assertEquals("allowed", creation.get(0).getString("outcome"));
        assertEquals(201, creation.get(0).getInteger("status"));
        assertEquals(holdId, creation.get(0).getJsonObject("query").getString("hold_id"), "the record names the hold it created");
        assertEquals("ABC1234", creation.get(0).getJsonObject("query").getString("plate"), "and keeps the body as received");

        assertEquals(200, api.send(api.client.delete("/v1/holds/" + holdId), SUPERVISOR).statusCode());
        List<JsonObject> release = records("hold_release", null, holdId);
        assertEquals(1, release.size(), release.toString());
        assertEquals("allowed", release.get(0).getString("outcome"));
    }

    /**
     * The creation's record is written before any read is copied, so it names none; the hold_copy
     * record after the copy names what the hold kept — its id and case, hit_count the held copies,
     * read_ids their read ids — in the chain, before the 201.
     */
    @Test
    void aCreationIsFollowedByARecordOfTheReadsItKept() {
        JsonObject body = hold("COPY-1", "suspect vehicle", Instant.now().plusSeconds(86_400)).putNull("plate")
                .put("read_ids", new JsonArray().add("cam-001:3:ABC1234").add("cam-001:1:ABC1234").add("cam-001:2:ABC1234"));
        HttpResponse<Buffer> created = create(body);
        assertEquals(201, created.statusCode(), created.bodyAsString());
        String holdId = created.bodyAsJsonObject().getString("hold_id");
        JsonObject intent = records("hold_create", "COPY-1", null).get(0);
        assertEquals(0, intent.getInteger("hit_count", 0), "recorded before the copy");
        assertEquals(intent.getString("audit_id"), created.bodyAsJsonObject().getString("audit_id"), "the answer names the creation's record");

        List<JsonObject> copies = records("hold_copy", null, holdId);
        assertEquals(1, copies.size(), copies.toString());
        JsonObject copy = copies.get(0);
        assertEquals("allowed", copy.getString("outcome"));
        assertEquals(201, copy.getInteger("status"));
        assertEquals("COPY-1", copy.getString("case_number"), "under the hold's case, as every record of it");
        assertEquals("homicide", copy.getString("purpose"));
        assertEquals("dpd.supervisor", copy.getString("user"));
        assertEquals(3, copy.getInteger("hit_count"));
        assertEquals(new JsonArray().add("cam-001:1:ABC1234").add("cam-001:2:ABC1234").add("cam-001:3:ABC1234"), copy.getJsonArray("read_ids"));
        assertTrue(copy.getLong("seq") > intent.getLong("seq"), "after the creation's record");
        assertTrue(!copy.getString("reason").contains("lists the first"), copy.getString("reason"));
        assertTrue(org.platewarden.search.audit.AuditVocabulary.ACTIONS.contains("hold_copy"), "auditors can filter on it");
        // an auditor asking which records name a read finds the hold that kept it
        HttpResponse<Buffer> byRead = api.send(api.client.get("/v1/audit?action=hold_copy&read_id=cam-001:2:ABC1234"), "demo-dpd-auditor");
        assertEquals(200, byRead.statusCode(), byRead.bodyAsString());
        assertTrue(byRead.bodyAsJsonObject().getJsonArray("records").stream().map(JsonObject.class::cast)
                .anyMatch(r -> holdId.equals(r.getJsonObject("query").getString("hold_id"))), byRead.bodyAsString());
    }

    /** Past the cap, hold_copy names the first read ids by read id and its reason says how many it leaves out, as a release's record. */
    @Test
    void aCopyRecordListsAtMostTheCapAndSaysSo() {
        api.heldReadIdsListed = 2;
        try {
            JsonObject body = hold("COPY-CAP", "suspect vehicle", Instant.now().plusSeconds(86_400)).putNull("plate")
                    .put("read_ids", new JsonArray().add("r-c").add("r-a").add("r-b"));
            HttpResponse<Buffer> created = create(body);
            assertEquals(201, created.statusCode(), created.bodyAsString());
            JsonObject copy = records("hold_copy", "COPY-CAP", null).get(0);
            assertEquals(3, copy.getInteger("hit_count"));
            assertEquals(new JsonArray().add("r-a").add("r-b"), copy.getJsonArray("read_ids"));
            assertTrue(copy.getString("reason").contains("read_ids lists the first 2 of the 3 held reads"), copy.getString("reason"));
        } finally {
            api.heldReadIdsListed = org.platewarden.search.api.HoldsApi.MAX_RELEASE_READ_IDS;
        }
    }

    @Test
    void aCreationThatFailsAfterItsRecordIsFollowedByARecordNamingIt() {
        HttpResponse<Buffer> r = create(hold("FAIL-1", ApiStack.FAILS_AFTER_INTENT, Instant.now().plusSeconds(86_400)));
        assertEquals(500, r.statusCode(), r.bodyAsString());
        List<JsonObject> records = records("hold_create", "FAIL-1", null);
        assertEquals(2, records.size(), records.toString());
        JsonObject intent = records.get(0);
        JsonObject failure = records.get(1);
        assertEquals("allowed", intent.getString("outcome"));
        assertEquals("failed", failure.getString("outcome"));
        assertEquals(500, failure.getInteger("status"));
        assertTrue(failure.getString("reason").startsWith("the change recorded as audit " + intent.getString("audit_id") + " failed: "),
                failure.getString("reason"));
        String holdId = intent.getJsonObject("query").getString("hold_id");
        assertNotNull(holdId);
        assertEquals(holdId, failure.getJsonObject("query").getString("hold_id"), "both records name the hold");
        assertEquals(failure.getString("audit_id"), r.bodyAsJsonObject().getString("audit_id"));
        assertEquals(List.of(), records("hold_copy", "FAIL-1", null), "nothing was kept");
    }
}
