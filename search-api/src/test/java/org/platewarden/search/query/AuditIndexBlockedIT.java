package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.search.audit.AuditEsSupport.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.search.audit.AuditEsSupport;
import org.platewarden.search.audit.AuditVerifier;
import org.platewarden.search.audit.ChainedAuditLog;
import org.platewarden.search.query.TestReads.Read;

/**
 * The black-box probe's case, against real Elasticsearch and the real chained log: the audit index
 * blocked for writes, a search that finds a read is answered 503 (fail closed) — but its record
 * reached the journal, and once the block is lifted it is re-sent to the index, where it says
 * "allowed" with the read. The trail must then say what the caller really got: a
 * {@code search_correction} (failed, 503, no reads) naming it follows it in the chain, in the index
 * as in the journal, also when the node restarts right after the 503.
 */
class AuditIndexBlockedIT {
    static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    static final Read READ = Read.of("blk-1", "cam-001", "DPD", Instant.parse("2026-03-10T09:00:00Z"), "BLK1234");

    @TempDir
    static Path dataDir;
    static SearchHarness harness;
    static PlatewardenConfig config;

    @BeforeAll
    static void setUp() {
        harness = new SearchHarness("auditblock", NOW);
        config = harness.config("{\"rate_limit_per_minute\":0}");
        TestReads.bulkLoad(harness.es.rest(), harness.prefix, List.of(READ), 100);
        TestReads.refresh(harness.es.rest(), harness.prefix);
    }

    @AfterAll
    static void tearDown() {
        if (harness != null) harness.close();
    }

    private ChainedAuditLog open(String nodeId, boolean overlapSteps) {
        ChainedAuditLog log = new ChainedAuditLog(harness.vertx, harness.es.rest(), config.auditIndex(), nodeId,
                dataDir.resolve("audit-" + nodeId + ".ndjson"), overlapSteps, 64, new SimpleMeterRegistry());
        return await(log.start());
    }

    private SearchService service(ChainedAuditLog log) {
        return new SearchService(harness.vertx, config, harness.es.rest(), log, Clock.fixed(NOW, ZoneOffset.UTC),
                OcrFolding.defaults(), SearchLimits.defaults());
    }

    private SearchOutcome search(SearchService service, String caseNumber) {
        JsonObject body = SearchHarness.body("BLK1234", "2026-03-10T00:00:00Z", "2026-03-10T12:00:00Z").put("case_number", caseNumber);
        return harness.search(service, SearchHarness.DPD, body);
    }

    private void blockAuditWrites(boolean blocked) {
        AuditEsSupport.call(harness.es.rest(), "PUT", "/" + config.auditIndex() + "/_settings",
                "{\"index.blocks.write\":" + blocked + "}");
    }

    /** The node's records in the index, by seq. */
    private List<JsonNode> records(String nodeId) {
        AuditEsSupport.call(harness.es.rest(), "POST", "/" + config.auditIndex() + "/_refresh", null);
        JsonNode hits = AuditEsSupport.call(harness.es.rest(), "POST", "/" + config.auditIndex() + "/_search",
                "{\"size\":1000,\"sort\":[{\"seq\":\"asc\"}],\"query\":{\"term\":{\"node_id\":\"" + nodeId + "\"}}}").path("hits").path("hits");
        List<JsonNode> out = new ArrayList<>();
        hits.forEach(h -> out.add(h.path("_source")));
        return out;
    }

    @ParameterizedTest(name = "overlap_steps={0}")
    @ValueSource(booleans = {true, false})
    void aSearchAnswered503AfterItsRecordWasJournaledIsCorrectedInTheTrail(boolean overlapSteps) throws Exception {
        String node = "node-blk-" + overlapSteps;
        ChainedAuditLog log = open(node, overlapSteps);
        try {
            SearchService service = service(log);
            assertEquals(200, search(service, "BLK-BEFORE").status()); // the audit index exists
            blockAuditWrites(true);
            SearchOutcome refused;
            try {
                refused = search(service, "BLK-BLOCKED");
            } finally {
                blockAuditWrites(false);
            }
            assertEquals(503, refused.status(), refused.body().encode());
            assertNull(refused.body().getValue("audit_id"));
            // the next search re-sends what the index lacks before its own record
            SearchOutcome after = search(service, "BLK-AFTER");
            assertEquals(200, after.status(), after.body().encode());
            assertTrailTellsTheTruth(node, "BLK-BLOCKED");
        } finally {
            log.close();
        }
        assertTrue(new AuditVerifier(harness.es.rest(), config.auditIndex(), dataDir.resolve("audit-" + node + ".ndjson"), node, 50)
                .verify().ok(), "the chain verifies, journal against index");
    }

    /** The correction is journaled before the 503 leaves: a restart right after it re-sends both to the index. */
    @ParameterizedTest(name = "overlap_steps={0}")
    @ValueSource(booleans = {true, false})
    void theCorrectionIsInTheJournalBeforeThe503Leaves(boolean overlapSteps) throws Exception {
        String node = "node-blk-restart-" + overlapSteps;
        ChainedAuditLog log = open(node, overlapSteps);
        try {
            assertEquals(200, search(service(log), "BLK-R-BEFORE").status());
            blockAuditWrites(true);
            try {
                assertEquals(503, search(service(log), "BLK-R-BLOCKED").status());
            } finally {
                log.close(); // stopped before another record: nothing was re-sent from memory
                blockAuditWrites(false);
            }
        } finally {
            log.close();
        }
        ChainedAuditLog restarted = open(node, overlapSteps);
        restarted.close();
        assertTrailTellsTheTruth(node, "BLK-R-BLOCKED");
    }

    private void assertTrailTellsTheTruth(String node, String caseNumber) {
        List<JsonNode> records = records(node);
        int at = -1;
        for (int i = 0; i < records.size(); i++) {
            JsonNode r = records.get(i);
            if ("search".equals(r.path("action").asText()) && caseNumber.equals(r.path("case_number").asText())) at = i;
        }
        assertTrue(at >= 0, "the refused search's record was journaled and re-sent to the index: " + records);
        JsonNode search = records.get(at);
        // what the probe found: the record says the read was shown
        assertEquals("allowed", search.path("outcome").asText());
        assertEquals(1, search.path("read_ids").size());
        String auditId = search.path("audit_id").asText();
        JsonNode correction = null;
        for (JsonNode r : records.subList(at + 1, records.size())) {
            if ("search_correction".equals(r.path("action").asText()) && auditId.equals(r.path("query").path("corrects").asText())) {
                correction = r;
            }
        }
        assertNotNull(correction, "a search_correction naming " + auditId + " follows the 'allowed' record of the search answered 503: " + records);
        assertEquals("failed", correction.path("outcome").asText());
        assertEquals(503, correction.path("status").asInt());
        assertEquals(0, correction.path("read_ids").size());
        assertTrue(correction.path("reason").asText().contains(auditId), correction.toString());
        assertEquals(caseNumber, correction.path("case_number").asText());
        for (int i = 0; i < records.size(); i++) {
            assertEquals(i + 1, records.get(i).path("seq").asLong(), "seqs dense: " + records);
        }
    }
}
