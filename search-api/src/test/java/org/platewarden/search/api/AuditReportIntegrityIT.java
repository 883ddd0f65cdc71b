package org.platewarden.search.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.platewarden.search.audit.AuditDocument;
import org.platewarden.search.audit.AuditEsSupport;
import org.platewarden.search.audit.CanonicalJson;

/** An auditor reading the report sees records edited in the index flagged, without running verify. */
class AuditReportIntegrityIT extends ApiStackSupport {

    private JsonObject page(String query) {
        HttpResponse<Buffer> r = api.send(api.client.get("/v1/audit?" + query), SearchApiVerticleIT.AUDITOR);
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return r.bodyAsJsonObject();
    }

    @Test
    void editedRecordsAreFlaggedOnThePageThatServesThem() {
        for (String c : new String[] {"INT-1", "INT-2", "INT-3"}) {
            assertEquals(200, api.search(SearchApiVerticleIT.INVESTIGATOR, ApiStack.searchBody("robbery", c)).statusCode());
        }
        JsonObject clean = page("action=search&purpose=robbery");
        assertTrue(clean.getJsonObject("integrity").getBoolean("ok"), clean.encode());
        JsonArray records = clean.getJsonArray("records");
        JsonObject first = records.getJsonObject(0);
        JsonObject second = records.getJsonObject(1);

        // an edit that leaves the hash as it was (the purpose of a search changed in place)
        AuditEsSupport.call(api.es.rest(), "POST", "/" + api.config.auditIndex() + "/_update/" + first.getString("audit_id") + "?refresh=true",
                "{\"doc\":{\"case_number\":\"INT-1-EDITED\"}}");
        // an edit that re-hashes its record: its own hash checks out, the next record's link does not
        JsonObject rewritten = second.copy().put("case_number", "INT-2-EDITED");
        String rehash = AuditDocument.hashOf(CanonicalJson.parse(rewritten.encode()));
        rewritten.put("hash", rehash);
        AuditEsSupport.call(api.es.rest(), "PUT", "/" + api.config.auditIndex() + "/_doc/" + second.getString("audit_id") + "?refresh=true",
                rewritten.encode());

        JsonObject flagged = page("action=search&purpose=robbery");
        JsonObject integrity = flagged.getJsonObject("integrity");
        assertFalse(integrity.getBoolean("ok"), flagged.encode());
        String problems = integrity.getJsonArray("problems").encode();
        assertTrue(problems.contains("audit " + first.getString("audit_id") + "): its content does not match its hash"), problems);
        assertTrue(problems.contains("audit " + records.getJsonObject(2).getString("audit_id") + "): its prev_hash is not the hash of seq"), problems);
        assertEquals(2, integrity.getJsonArray("problems").size(), problems);

        // newest first, the same two problems
        JsonObject desc = page("action=search&purpose=robbery&order=desc");
        assertEquals(2, desc.getJsonObject("integrity").getJsonArray("problems").size(), desc.encode());
        assertTrue(desc.getJsonObject("integrity").getJsonArray("problems").encode()
                .contains("audit " + records.getJsonObject(2).getString("audit_id") + "): its prev_hash is not the hash of seq"), desc.encode());

        HttpResponse<Buffer> csv = api.send(api.client.get("/v1/audit?action=search&purpose=robbery&format=csv"), SearchApiVerticleIT.AUDITOR);
        assertTrue(csv.getHeader("X-Audit-Integrity").startsWith("2 record(s) on this page do not check out"), csv.getHeader("X-Audit-Integrity"));
    }

    /** The audit ids of every page of a query, paged {@code limit} at a time with each page's {@code next}. */
    private java.util.List<String> pagedIds(String query) {
        java.util.List<String> ids = new java.util.ArrayList<>();
        JsonObject page = page(query);
        while (true) {
            page.getJsonArray("records").forEach(r -> ids.add(((JsonObject) r).getString("audit_id")));
            String next = page.getString("next");
            if (next == null) return ids;
            page = page(query + "&cursor=" + next);
        }
    }

    @Test
    void aSecondRecordAtTheSamePlaceInTheTrailIsOnTheNextPageNotSteppedOver() {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, api.search(SearchApiVerticleIT.INVESTIGATOR, ApiStack.searchBody("robbery", "TIE-1")).statusCode());
        }
        JsonArray records = page("case_number=TIE-1").getJsonArray("records");
        // a record added to the index at the second one's time, node and seq, linked and hashed anew:
        // a page of 2 ends with the second record, and the next began past (at, node, seq)
        JsonObject forged = records.getJsonObject(1).copy().put("audit_id", "ffffffff-ffff-4fff-bfff-ffffffffffff").put("hit_count", 0);
        forged.put("hash", AuditDocument.hashOf(CanonicalJson.parse(forged.encode())));
        AuditEsSupport.call(api.es.rest(), "PUT", "/" + api.config.auditIndex() + "/_doc/" + forged.getString("audit_id") + "?refresh=true",
                forged.encode());

        java.util.Set<String> all = new java.util.HashSet<>();
        records.forEach(r -> all.add(((JsonObject) r).getString("audit_id")));
        all.add(forged.getString("audit_id"));
        java.util.List<String> oldestFirst = pagedIds("case_number=TIE-1&limit=2");
        assertEquals(all, new java.util.HashSet<>(oldestFirst), oldestFirst.toString());
        assertEquals(4, oldestFirst.size(), oldestFirst.toString());
        java.util.List<String> newestFirst = pagedIds("case_number=TIE-1&limit=2&order=desc");
        assertEquals(all, new java.util.HashSet<>(newestFirst), newestFirst.toString());
        assertEquals(4, newestFirst.size(), newestFirst.toString());
    }
}
