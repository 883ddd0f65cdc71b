package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonArray;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.elasticsearch.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.search.audit.AuditDocument;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.query.TestReads.Read;

/**
 * A search over a window one of whose days held reads (recorded in the day registry) and lost its
 * daily index answers what it found, but names that day ({@code missing_days}, a warning) and its
 * audit record notes it; a day that never held reads, and a day past retention, are not missing.
 */
class MissingDaysSearchIT {
    static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    static final Read KEPT = Read.of("r-kept", "cam-001", "DPD", Instant.parse("2026-03-08T08:00:00Z"), "MDY 1001");
    static final Read LOST = Read.of("r-lost", "cam-001", "DPD", Instant.parse("2026-03-09T08:00:00Z"), "MDY 1001");
    static final String WINDOW_FROM = "2026-03-06T00:00:00Z"; // 03-06, 03-07: no reads at all

    static SearchHarness harness;

    @BeforeAll
    static void load() {
        harness = new SearchHarness("missingdays", NOW);
        TestReads.bulkLoad(harness.es.rest(), harness.prefix, List.of(KEPT, LOST), 100);
        // as the indexer records them once their reads are in (indexer: MissingReadDaysIT)
        record(LocalDate.of(2026, 3, 8));
        record(LocalDate.of(2026, 3, 9));
        record(LocalDate.of(2026, 2, 10)); // past retention at NOW, its index deleted by retention: expected gone
        TestReads.refresh(harness.es.rest(), harness.prefix);
    }

    @AfterAll
    static void cleanUp() {
        if (harness != null) harness.close();
    }

    @Test
    void aSearchOverADayWhoseIndexWasDeletedByMistakeSaysSoAndItsRecordNotesIt() {
        RecordingAuditLog before = new RecordingAuditLog();
        SearchOutcome whole = harness.search(service(before), SearchHarness.DPD, SearchHarness.body("MDY1001", WINDOW_FROM, NOW.toString()));
        assertEquals(200, whole.status(), whole.body().encode());
        assertEquals(List.of("cam-001:r-lost", "cam-001:r-kept"), SearchHarness.readIds(whole));
        assertNull(whole.body().getValue("missing_days"), "every recorded day has its index; days without reads are not missing");
        assertNull(whole.body().getValue("warning"));
        assertTrue(before.last().window().missingDays().isEmpty());

        TestReads.perform(harness.es.rest(), new Request("DELETE", "/" + DailyIndex.name(harness.prefix, LocalDate.of(2026, 3, 9))));

        RecordingAuditLog audit = new RecordingAuditLog();
        SearchOutcome partial = harness.search(service(audit), SearchHarness.DPD, SearchHarness.body("MDY1001", WINDOW_FROM, NOW.toString()));
        assertEquals(200, partial.status(), "what was found is still answered: " + partial.body().encode());
        assertEquals(List.of("cam-001:r-kept"), SearchHarness.readIds(partial));
        assertEquals(new JsonArray().add("2026-03-09"), partial.body().getJsonArray("missing_days"));
        assertTrue(partial.body().getString("warning").contains("2026-03-09"), partial.body().getString("warning"));

        AuditEntry record = audit.last();
        assertEquals(partial.auditId(), record.auditId());
        assertEquals(List.of("2026-03-09"), record.window().missingDays());
        JsonNode sealed = AuditDocument.seal(record, record.auditId(), 1, NOW, "node-1", "0");
        assertEquals("2026-03-09", sealed.path(AuditDocument.MISSING_DAYS).path(0).asText());
        assertEquals(List.of("2026-03-09"), AuditDocument.toRecord(sealed).entry().window().missingDays(), "read back from the trail");

        // the scan path (a wildcard) says the same
        SearchOutcome scanned = harness.search(service(new RecordingAuditLog()), SearchHarness.DPD,
                SearchHarness.body("MDY10*", WINDOW_FROM, NOW.toString()));
        assertEquals(new JsonArray().add("2026-03-09"), scanned.body().getJsonArray("missing_days"));

        // a window without the lost day is complete
        SearchOutcome other = harness.search(service(new RecordingAuditLog()), SearchHarness.DPD,
                SearchHarness.body("MDY1001", WINDOW_FROM, "2026-03-08T23:59:59Z"));
        assertFalse(other.body().containsKey("missing_days"), other.body().encode());
    }

    /** A new service each time: its snapshot of the registry is fresh, as one taken after the deletion would be. */
    private static SearchService service(RecordingAuditLog audit) {
        return harness.service(harness.config("{\"rate_limit_per_minute\":0}"), audit, SearchLimits.defaults());
    }

    private static void record(LocalDate day) {
        Request put = new Request("PUT", "/" + DailyIndex.registry(harness.prefix) + "/_create/" + day);
        put.setJsonEntity("{\"day\":\"" + day + "\",\"first_indexed_at\":\"" + day + "T08:00:01Z\"}");
        TestReads.perform(harness.es.rest(), put);
    }
}
