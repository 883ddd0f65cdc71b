package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.elasticsearch.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.query.TestReads.Read;

/**
 * A search one of whose days' shards failed is a 503 to retry, not a 500. After the embedded
 * Elasticsearch was killed and restarted, its indices' shards came back one by one, and for about 10 s
 * every search over a day not yet back was answered {@code 500 "the search failed"}: Elasticsearch
 * answered 200 with {@code _shards.failed}, which the search rightly refuses to show as a whole answer
 * but took for a broken search. Here one day's index fails its shard for another reason — its
 * {@code agency} mapped as a number, so the search's agency filter cannot run there — which gives
 * Elasticsearch's same partial answer without making the shared cluster red.
 */
class SearchPartialAnswerIT {
    static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    static final Read READ = Read.of("r1-whole-day", "cam-001", "DPD", Instant.parse("2026-03-10T08:00:00Z"), "PRT 4242");

    static SearchHarness harness;
    static RecordingAuditLog audit = new RecordingAuditLog();
    static SearchService service;

    @BeforeAll
    static void load() {
        harness = new SearchHarness("partial", NOW);
        service = harness.service(harness.config("{\"rate_limit_per_minute\":0}"), audit, SearchLimits.defaults());
        TestReads.bulkLoad(harness.es.rest(), harness.prefix, List.of(READ), 100);
        String broken = harness.prefix + "-reads-2026.03.09";
        Request create = new Request("PUT", "/" + broken);
        create.setJsonEntity("{\"mappings\":{\"properties\":{\"agency\":{\"type\":\"long\"}}}}");
        TestReads.perform(harness.es.rest(), create);
        // a document, so that no phase can skip the shard as empty before the query is made
        Request doc = new Request("PUT", "/" + broken + "/_doc/odd-1?refresh=true");
        doc.setJsonEntity("{\"agency\":7,\"captured_at\":\"2026-03-09T08:00:00Z\",\"plate_norm\":\"PRT4242\"}");
        TestReads.perform(harness.es.rest(), doc);
        TestReads.refresh(harness.es.rest(), harness.prefix);
    }

    @AfterAll
    static void cleanUp() {
        if (harness != null) harness.close();
    }

    @Test
    void aRankedPageSomeShardsFailedToGiveIsAnsweredServiceUnavailable() {
        assertUnavailable(SearchHarness.body("PRT4242", "2026-03-09T00:00:00Z", "2026-03-10T12:00:00Z"));
    }

    @Test
    void aCandidateScanSomeShardsFailedToGiveIsAnsweredServiceUnavailable() {
        assertUnavailable(SearchHarness.body("PRT*42", "2026-03-09T00:00:00Z", "2026-03-10T12:00:00Z"));
    }

    private static void assertUnavailable(JsonObject body) {
        SearchOutcome outcome = harness.search(service, SearchHarness.DPD, body);

        assertEquals(503, outcome.status(), "a failure to retry (Retry-After), not a broken search: " + outcome.body());
        assertEquals("the search backend is unavailable; retry later", outcome.body().getString("error"));
        AuditEntry record = audit.last();
        assertEquals(outcome.auditId(), record.auditId());
        assertEquals("failed", record.outcome());
        assertEquals(503, record.status());
        assertNotNull(outcome.auditId(), "audited as every failed search");
    }
}
