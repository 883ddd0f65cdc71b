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

    /** Concurrent verifies share one run: 30 at once all answer, none is refused as busy. */
    @Test
    void concurrentVerifiesShareOneRun() {
        api = new ApiStack(dataDir);
        for (int i = 1; i <= 3; i++) assertEquals(200, api.search("demo-dpd-investigator", searchBody("robbery", "CV-" + i)).statusCode());
        // 30 connections, so the 30 requests really are under way together
        io.vertx.ext.web.client.WebClient wide = io.vertx.ext.web.client.WebClient.create(api.vertx, new io.vertx.ext.web.client.WebClientOptions()
                .setDefaultHost("127.0.0.1").setDefaultPort(api.port), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(30));
        java.util.List<io.vertx.core.Future<HttpResponse<Buffer>>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) all.add(wide.get("/v1/audit/verify").bearerTokenAuthentication("demo-dpd-auditor").send());
        io.vertx.core.Future.join(all).toCompletionStage().toCompletableFuture().join();
        wide.close();
        for (var f : all) {
            assertEquals(200, f.result().statusCode(), f.result().bodyAsString());
            assertEquals(true, f.result().bodyAsJsonObject().getBoolean("ok"), f.result().bodyAsString());
        }
        HttpResponse<Buffer> ready = api.send(api.client.get("/health/ready"), null);
        assertEquals(200, ready.statusCode(), ready.bodyAsString());
    }

    /**
     * A self-consistent chain of an invented node, written straight into the index: verify, the
     * report and the transparency figures do not take it as part of the trail.
     */
    @Test
    void aChainOfANodeNotInAuditNodesIsFlaggedNotCounted() {
        api = new ApiStack(dataDir);
        assertEquals(200, api.search("demo-dpd-investigator", searchBody("robbery", "REAL-1")).statusCode());
        org.platewarden.search.audit.AuditEntry forgedEntry = new org.platewarden.search.audit.AuditEntry("search", "acso.investigator", "ACSO",
                java.util.Set.of("investigator"), "immigration_enforcement", "FORGED-1",
                org.platewarden.search.audit.CanonicalJson.parse("{\"plate\":\"ABC*\"}"), "10.0.0.9", "allowed", null, 200, 1, java.util.List.of());
        var forged = org.platewarden.search.audit.AuditDocument.seal(forgedEntry, "forged-audit-id", 1, java.time.Instant.now(), "node-7",
                org.platewarden.search.audit.AuditDocument.GENESIS_HASH);
        AuditEsSupport.call(api.es.rest(), "PUT", "/" + api.config.auditIndex() + "/_doc/forged-audit-id?refresh=true", forged.toString());

        JsonObject verify = api.send(api.client.get("/v1/audit/verify"), "demo-dpd-auditor").bodyAsJsonObject();
        assertEquals(false, verify.getBoolean("ok"), verify.encode());
        assertTrue(verify.encode().contains("not in audit_nodes") && verify.encode().contains("node-7"), verify.encode());
        JsonObject page = api.send(api.client.get("/v1/audit?case_number=FORGED-1"), "demo-dpd-auditor").bodyAsJsonObject();
        assertTrue(page.getJsonObject("integrity").getJsonArray("problems").encode().contains("node node-7 is not in audit_nodes"), page.encode());
        JsonObject report = api.send(api.client.get("/v1/transparency"), null).bodyAsJsonObject();
        JsonObject searches = report.getJsonObject("searches");
        assertEquals(1L, searches.getLong("total"), searches.encode());
        assertFalse(searches.getJsonObject("by_purpose").containsKey("immigration_enforcement"), searches.encode());
        // nor is its head published as one of the deployment's anchors
        assertEquals(java.util.List.of(api.config.nodeId()), report.getJsonArray("audit_heads").stream()
                .map(h -> ((JsonObject) h).getString("node_id")).toList(), report.encode());
    }

    /**
     * A node of audit_nodes without a record in the index — it has not searched yet, or its whole
     * chain was deleted — is named by verify (ok stays true: it may be new), for every agency's
     * auditor, in the verify's own record, and in the transparency report, whose audit_heads keep
     * only real anchors.
     */
    @Test
    void aConfiguredNodeWithoutRecordsIsNamedByVerifyAndTheTransparencyReport() {
        api = new ApiStack(dataDir, new JsonObject().put("audit_nodes", new io.vertx.core.json.JsonArray().add("node-t").add("node-x")));
        assertEquals(200, api.search("demo-dpd-investigator", searchBody("robbery", "S-1")).statusCode());

        HttpResponse<Buffer> answer = api.send(api.client.get("/v1/audit/verify"), "demo-dpd-auditor");
        JsonObject verify = answer.bodyAsJsonObject();
        assertEquals(true, verify.getBoolean("ok"), verify.encode());
        assertEquals(new io.vertx.core.json.JsonArray().add("node-x"), verify.getJsonArray("nodes_without_records"), verify.encode());
        assertTrue(api.auditRecords("{\"term\":{\"audit_id\":\"" + answer.getHeader("X-Audit-Id") + "\"}}").getJsonObject(0)
                .getString("reason").contains("no record in the index of node(s) node-x"));
        JsonObject scoped = api.send(api.client.get("/v1/audit/verify"), api.jwt("acso.auditor", "ACSO", "auditor")).bodyAsJsonObject();
        assertEquals(new io.vertx.core.json.JsonArray().add("node-x"), scoped.getJsonArray("nodes_without_records"), scoped.encode());

        JsonObject report = api.send(api.client.get("/v1/transparency"), null).bodyAsJsonObject();
        assertEquals(java.util.List.of("node-t"), report.getJsonArray("audit_heads").stream()
                .map(h -> ((JsonObject) h).getString("node_id")).toList(), report.encode());
        assertEquals(new io.vertx.core.json.JsonArray().add("node-x"), report.getJsonArray("audit_nodes_without_records"), report.encode());
    }

    @Test
    void verifyIsOkThenNamesTheTamperedRecord() {
        api = new ApiStack(dataDir);
        for (int i = 1; i <= 4; i++) assertEquals(200, api.search("demo-dpd-investigator", searchBody("robbery", "V-" + i)).statusCode());

        HttpResponse<Buffer> ok = api.send(api.client.get("/v1/audit/verify"), "demo-dpd-auditor");
        assertEquals(200, ok.statusCode());
        // the v1 contract's body exactly; the verify's own record is named in the header
        JsonObject okBody = ok.bodyAsJsonObject();
        assertEquals(new JsonObject().put("ok", true).put("records", 4), okBody);
        assertEquals("audit_verify", api.auditRecords("{\"term\":{\"audit_id\":\"" + ok.getHeader("X-Audit-Id") + "\"}}")
                .getJsonObject(0).getString("action"));

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

    /** Replaces the index's record at {@code seq} by an edit of it, its hash left as it was (so it no longer verifies). */
    private String editIndexRecord(long seq, String field, String value) {
        String index = api.config.auditIndex();
        String id = AuditEsSupport.auditIdAt(api.es.rest(), index, seq);
        AuditEsSupport.call(api.es.rest(), "POST", "/" + index + "/_update/" + id + "?refresh=true",
                new JsonObject().put("doc", new JsonObject().put(field, value)).encode());
        return id;
    }

    /**
     * An auditor of an agency without oversight learns that the trail is broken and how many
     * problems are other agencies', never which of their records: the oversight agency's auditor
     * gets every detail. Also in the audit record of the request, which the auditor can read.
     */
    @Test
    void anAuditorOfAnotherAgencySeesOtherAgenciesBrokenRecordsOnlyAsACount() {
        api = new ApiStack(dataDir);
        assertEquals(200, api.search("demo-dpd-investigator", searchBody("robbery", "DPD-1")).statusCode());
        assertEquals(200, api.search("demo-acso-investigator", searchBody("robbery", "ACSO-1")).statusCode());
        String dpdRecord = editIndexRecord(1, "purpose", "personal");
        String acsoAuditor = api.jwt("acso.auditor", "ACSO", "auditor");

        HttpResponse<Buffer> scoped = api.send(api.client.get("/v1/audit/verify"), acsoAuditor);
        assertEquals(200, scoped.statusCode());
        JsonObject acso = scoped.bodyAsJsonObject();
        assertEquals(new JsonObject().put("ok", false).put("records_checked", 0).putNull("first_broken")
                .put("problems", new io.vertx.core.json.JsonArray()).put("problems_of_other_agencies", 1), acso);
        String acsoReason = api.auditRecords("{\"term\":{\"audit_id\":\"" + scoped.getHeader("X-Audit-Id") + "\"}}")
                .getJsonObject(0).getString("reason");
        assertFalse(acsoReason.contains("seq") || acsoReason.contains("node-t"), acsoReason);
        assertTrue(acsoReason.contains("1 problem(s) of other agencies' records"), acsoReason);

        JsonObject oversight = api.send(api.client.get("/v1/audit/verify"), "demo-dpd-auditor").bodyAsJsonObject();
        assertEquals(new JsonObject().put("audit_id", dpdRecord).put("seq", 1).put("node_id", "node-t").put("problem", "hash mismatch")
                .put("copy", "index"), oversight.getJsonObject("first_broken"), oversight.encode());
        assertFalse(oversight.containsKey("problems_of_other_agencies"), oversight.encode());

        // DPD's record edited to claim ACSO: the journal's copy still says DPD, so it is not ACSO's to see
        editIndexRecord(1, "agency", "ACSO");
        JsonObject claimed = api.send(api.client.get("/v1/audit/verify"), acsoAuditor).bodyAsJsonObject();
        assertEquals(1, claimed.getInteger("problems_of_other_agencies"), claimed.encode());
        assertFalse(claimed.encode().contains(dpdRecord), claimed.encode());

        // a broken record of ACSO's own is shown to its auditor in full
        api.close();
        api = new ApiStack(dataDir.resolve("second"));
        assertEquals(200, api.search("demo-acso-investigator", searchBody("robbery", "ACSO-2")).statusCode());
        String acsoRecord = editIndexRecord(1, "purpose", "personal");
        JsonObject own = api.send(api.client.get("/v1/audit/verify"), api.jwt("acso.auditor", "ACSO", "auditor")).bodyAsJsonObject();
        assertEquals(acsoRecord, own.getJsonObject("first_broken").getString("audit_id"), own.encode());
        assertEquals(0, own.getInteger("problems_of_other_agencies"), own.encode());
    }

    /**
     * Someone with write access to the audit index adds a record, hashed and linked, after the
     * node's head: the transparency report still publishes the head the node's journal holds, and
     * counts and logs what it found; another configured node's head, which it can only read in the
     * index, is published as the index's.
     */
    @Test
    void theReportPublishesItsOwnHeadFromItsJournalNotAHeadForgedInTheIndex() {
        api = new ApiStack(dataDir, new JsonObject().put("audit_nodes", new io.vertx.core.json.JsonArray().add("node-t").add("node-u")));
        for (int i = 1; i <= 3; i++) assertEquals(200, api.search("demo-dpd-investigator", searchBody("robbery", "H-" + i)).statusCode());
        String index = api.config.auditIndex();
        var journalHead = api.auditLog.journaledHead();
        assertEquals(3, journalHead.seq());
        String forged = AuditEsSupport.forgeNext(api.es.rest(), index, 3);
        var otherNode = org.platewarden.search.audit.AuditDocument.seal(new org.platewarden.search.audit.AuditEntry("search", "u", "DPD",
                        java.util.Set.of("investigator"), "robbery", "U-1", null, "10.0.0.1", "allowed", null, 200, 0, java.util.List.of()),
                "node-u-record", 1, java.time.Instant.now(), "node-u", org.platewarden.search.audit.AuditDocument.GENESIS_HASH);
        AuditEsSupport.call(api.es.rest(), "PUT", "/" + index + "/_create/node-u-record?refresh=true", otherNode.toString());

        JsonObject[] report = new JsonObject[1];
        String log = AuditEsSupport.logOf(() -> report[0] = api.send(api.client.get("/v1/transparency"), null).bodyAsJsonObject());
        io.vertx.core.json.JsonArray heads = report[0].getJsonArray("audit_heads");
        assertEquals(2, heads.size(), heads.encode());
        assertEquals(new JsonObject().put("node_id", "node-t").put("seq", 3).put("hash", journalHead.hash()).put("at", journalHead.at())
                .put("anchor", "node-t:3:" + journalHead.hash()).put("source", "journal"), heads.getJsonObject(0));
        assertFalse(heads.encode().contains(AuditEsSupport.hashAt(api.es.rest(), index, 4)), "the forged record " + forged + " is no anchor");
        assertEquals("node-u", heads.getJsonObject(1).getString("node_id"));
        assertEquals("index", heads.getJsonObject(1).getString("source"));
        assertEquals(otherNode.get("hash").asText(), heads.getJsonObject(1).getString("hash"));
        String warning = log.lines().filter(l -> l.contains("WARN") && l.contains("index's head of this node node-t is seq 4")).findFirst().orElse("");
        assertTrue(warning.contains("journal head seq 3"), log);
        assertEquals(1.0, api.metrics.get("platewarden_audit_index_head_not_journal").counter().count());
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
