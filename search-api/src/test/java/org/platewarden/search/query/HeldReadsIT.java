package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.elasticsearch.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.AgencyScope;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.indexer.holds.Hold;
import org.platewarden.indexer.holds.HoldRequest;
import org.platewarden.indexer.holds.HoldService;
import org.platewarden.search.query.TestReads.Read;

/**
 * The holds contract end to end with the indexer's real {@link HoldService}: reads held by the
 * caller's agency are found after their daily index is gone, marked held; released holds, holds past
 * their until date and other agencies' holds are not searched.
 */
class HeldReadsIT {
    static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    static final Read DPD_READ = Read.of("dpd-xyz", "cam-001", "DPD", Instant.parse("2026-03-09T08:00:00Z"), "XYZ 789");
    static final Read ACSO_READ = Read.of("acso-xyz", "cam-101", "ACSO", Instant.parse("2026-03-09T09:00:00Z"), "XYZ789");

    static SearchHarness harness;
    static SearchService service;
    static HoldService holds;
    static RecordingAuditLog audit = new RecordingAuditLog();

    @BeforeAll
    static void setUp() {
        harness = new SearchHarness("held", NOW);
        PlatewardenConfig config = harness.config("{\"rate_limit_per_minute\":0}");
        service = harness.service(config, audit, SearchLimits.defaults());
        holds = new HoldService(harness.es.rest(), harness.prefix, new AgencyScope(config), config.retentionDays(), config.holdMaxDays(), Clock.fixed(NOW, ZoneOffset.UTC));
        TestReads.bulkLoad(harness.es.rest(), harness.prefix, List.of(DPD_READ, ACSO_READ), 10);
        TestReads.refresh(harness.es.rest(), harness.prefix);
    }

    @AfterAll
    static void tearDown() {
        if (holds != null) holds.close();
        if (harness != null) harness.close();
    }

    static List<String> search(org.platewarden.search.auth.Principal who, List<Boolean> held) {
        return search(service, who, held);
    }

    static List<String> search(SearchService service, org.platewarden.search.auth.Principal who, List<Boolean> held) {
        return search(service, who, held, "DPD-2026-1");
    }

    static List<String> search(SearchService service, org.platewarden.search.auth.Principal who, List<Boolean> held, String caseNumber) {
        JsonObject body = new JsonObject().put("plate", "XYZ789").put("from", "2026-03-09T00:00:00Z").put("to", NOW.toString())
                .put("purpose", "homicide").put("case_number", caseNumber);
        SearchOutcome o = harness.search(service, who, body);
        assertEquals(200, o.status(), o.body().encode());
        JsonArray hits = o.body().getJsonArray("hits");
        // a read that is both in its daily index and held is one hit and counts once in the total
        assertEquals(hits.size(), o.body().getInteger("total"), o.body().encode());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < hits.size(); i++) {
            ids.add(hits.getJsonObject(i).getString("read_id"));
            held.add(hits.getJsonObject(i).getBoolean("held"));
        }
        return ids;
    }

    @Test
    void heldReadsOutliveTheirDailyIndexUntilReleased() throws Exception {
        Hold hold = holds.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-1", "homicide suspect vehicle", "XYZ789",
                null, null, null, NOW.plus(Duration.ofDays(90)))).get(60, TimeUnit.SECONDS);
        List<Boolean> held = new ArrayList<>();
        assertEquals(List.of("cam-101:acso-xyz", "cam-001:dpd-xyz"), search(SearchHarness.DPD, held));
        assertEquals(List.of(true, true), held, "both reads are in the active DPD hold");

        // the day's index is deleted (retention); only the hold copies remain
        TestReads.perform(harness.es.rest(), new Request("DELETE", "/" + DailyIndex.name(harness.prefix, DPD_READ.capturedAt())));
        held.clear();
        assertEquals(List.of("cam-101:acso-xyz", "cam-001:dpd-xyz"), search(SearchHarness.DPD, held));
        assertEquals(List.of(true, true), held);
        assertEquals(List.of(), search(SearchHarness.ACSO, new ArrayList<>()), "a DPD hold is DPD's, not ACSO's");

        // ACSO stops sharing with DPD: the copy of ACSO's read that DPD's hold keeps is kept, but DPD
        // sees only what it may see now, as in the daily indices
        PlatewardenConfig revoked = harness.config("{\"rate_limit_per_minute\":0}").with("""
                {"agencies":[{"id":"DPD","name":"D","federal":false,"shares_with":[]},
                             {"id":"ACSO","name":"A","federal":false,"shares_with":[]},
                             {"id":"FED","name":"F","federal":true,"shares_with":[]}]}""");
        SearchService afterRevocation = harness.service(revoked, audit, SearchLimits.defaults());
        held.clear();
        assertEquals(List.of("cam-001:dpd-xyz"), search(afterRevocation, SearchHarness.DPD, held), "ACSO's held read after ACSO revoked sharing");
        assertEquals(List.of(true), held);

        // the hold keeps the reads only until its end date, whether or not anyone releases it
        PlatewardenConfig config = harness.config("{\"rate_limit_per_minute\":0}");
        SearchService dayBeforeUntil = new SearchService(harness.vertx, config, harness.es.rest(), audit,
                Clock.fixed(hold.until().minus(Duration.ofDays(1)), ZoneOffset.UTC), OcrFolding.defaults(), SearchLimits.defaults());
        SearchService dayAfterUntil = new SearchService(harness.vertx, config, harness.es.rest(), audit,
                Clock.fixed(hold.until().plus(Duration.ofDays(1)), ZoneOffset.UTC), OcrFolding.defaults(), SearchLimits.defaults());
        assertEquals(List.of("cam-101:acso-xyz", "cam-001:dpd-xyz"), search(dayBeforeUntil, SearchHarness.DPD, new ArrayList<>()));
        // past retention, a held copy is the hold's case's evidence only: another case of the same agency does not see it
        assertEquals(List.of(), search(dayBeforeUntil, SearchHarness.DPD, new ArrayList<>(), "DPD-2026-2"),
                "held reads past retention, searched under another case");
        // within retention (its daily index gone early, here by hand) any case of the agency still finds it
        held.clear();
        assertEquals(List.of("cam-101:acso-xyz", "cam-001:dpd-xyz"), search(service, SearchHarness.DPD, held, "DPD-2026-2"));
        assertEquals(List.of(), search(dayAfterUntil, SearchHarness.DPD, new ArrayList<>()), "a hold past its until date");

        // extended while it lasts, the hold keeps them past its first until, and no longer than the new one
        Instant extended = hold.until().plus(Duration.ofDays(60));
        holds.extend(hold.id(), "DPD", "dpd.other-supervisor", extended).get(60, TimeUnit.SECONDS);
        assertEquals(List.of("cam-101:acso-xyz", "cam-001:dpd-xyz"), search(dayAfterUntil, SearchHarness.DPD, new ArrayList<>()),
                "a day after the first until, the extension keeps the reads");
        SearchService dayAfterExtension = new SearchService(harness.vertx, config, harness.es.rest(), audit,
                Clock.fixed(extended.plus(Duration.ofDays(1)), ZoneOffset.UTC), OcrFolding.defaults(), SearchLimits.defaults());
        assertEquals(List.of(), search(dayAfterExtension, SearchHarness.DPD, new ArrayList<>()), "a hold past its extended until");

        holds.release(hold.id(), "DPD", "dpd.supervisor").get(60, TimeUnit.SECONDS);
        TestReads.refresh(harness.es.rest(), harness.prefix);
        assertEquals(List.of(), search(SearchHarness.DPD, new ArrayList<>()));
        assertTrue(audit.entries.size() >= 4);
    }
}
