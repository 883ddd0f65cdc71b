package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.api.ApiStack.searchBody;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.search.audit.AuditEsSupport;

/** Verify over HTTP, tampering, and fail-closed behaviour when the audit trail is gone (own stack each). */
class AuditVerifyEndpointIT {
    @TempDir
    Path dataDir;
    ApiStack api;

    @AfterEach
    void stop() {
        if (api != null) api.close();
    }

    @Test
    void verifyIsOkThenNamesTheTamperedRecord() {
        api = new ApiStack(dataDir);
        for (int i = 1; i <= 4; i++) assertEquals(200, api.search("demo-dpd-investigator", searchBody("robbery", "V-" + i)).statusCode());

        HttpResponse<Buffer> ok = api.send(api.client.get("/v1/audit/verify"), "demo-dpd-auditor");
        assertEquals(200, ok.statusCode());
        JsonObject okBody = ok.bodyAsJsonObject();
        assertEquals(4, okBody.getJsonArray("heads").getJsonObject(0).getLong("seq"), "the head verified: " + okBody.encode());
        assertEquals(ok.getHeader("X-Audit-Id"), okBody.getString("audit_id"), "the answer names the verify's own record");
        okBody.remove("heads");
        okBody.remove("audit_id");
        assertEquals(new JsonObject().put("ok", true).put("records", 4), okBody);

        String index = api.config.auditIndex();
        String second = AuditEsSupport.auditIdAt(api.es.rest(), index, 2);
        AuditEsSupport.call(api.es.rest(), "POST", "/" + index + "/_update/" + second, "{\"doc\":{\"purpose\":\"personal\"}}");

        JsonObject broken = api.send(api.client.get("/v1/audit/verify"), "demo-dpd-auditor").bodyAsJsonObject();
        assertFalse(broken.getBoolean("ok"));
        assertEquals(1, broken.getInteger("records_checked"));
        assertEquals(new JsonObject().put("audit_id", second).put("seq", 2).put("node_id", "node-t").put("problem", "hash mismatch")
                        .put("copy", "index"),
                broken.getJsonObject("first_broken"));
        // both verify requests were audited, with what they found
        var verifies = api.auditRecords("{\"term\":{\"action\":\"audit_verify\"}}");
        assertEquals(2, verifies.size());
        assertEquals("chain intact", verifies.getJsonObject(0).getString("reason"));
        assertTrue(verifies.getJsonObject(1).getString("reason").contains("seq 2: hash mismatch (index)"));
    }

    @Test
    void aRecordEditedInTheNodesJournalIsNamedWithItsLine() throws Exception {
        api = new ApiStack(dataDir);
        for (int i = 1; i <= 3; i++) assertEquals(200, api.search("demo-dpd-investigator", searchBody("robbery", "V-" + i)).statusCode());
        java.nio.file.Path journal = api.auditLog.journalFile();
        String text = java.nio.file.Files.readString(journal);
        String second = text.split("\n")[1];
        java.nio.file.Files.writeString(journal, text.replace(second, second.replace("\"purpose\":\"robbery\"", "\"purpose\":\"homicide\"")));

        JsonObject broken = api.send(api.client.get("/v1/audit/verify"), "demo-dpd-auditor").bodyAsJsonObject();
        assertFalse(broken.getBoolean("ok"));
        JsonObject first = broken.getJsonObject("first_broken");
        assertEquals(2, first.getInteger("seq"));
        assertEquals("journal record edited (hash mismatch)", first.getString("problem"));
        assertEquals("journal", first.getString("copy"));
        assertEquals(2, first.getInteger("journal_line"));
        assertEquals(1, broken.getJsonArray("problems").size());
    }

    @Test
    void withTheAuditTrailGoneEveryAuditedRouteFailsClosed() {
        api = new ApiStack(dataDir);
        assertEquals(200, api.send(api.client.get("/v1/audit"), "demo-dpd-auditor").statusCode());
        api.auditLog.close();

        HttpResponse<Buffer> read = api.send(api.client.get("/v1/audit"), "demo-dpd-auditor");
        assertEquals(503, read.statusCode());
        assertEquals("1", read.getHeader("Retry-After"));
        assertFalse(read.bodyAsString().contains("records"));
        // even a refusal cannot be answered without its audit record
        assertEquals(503, api.search(null, searchBody("robbery", "X")).statusCode());
        assertEquals(503, api.sendJson(api.client.post("/v1/holds"), "demo-dpd-supervisor",
                new JsonObject().put("purpose", "homicide").put("case_number", "H-9")).statusCode());
        assertTrue(api.holds.isEmpty(), "no hold may be created without its audit record");
        // public and health endpoints do not depend on it
        assertEquals(200, api.send(api.client.get("/health/live"), null).statusCode());
    }
}
