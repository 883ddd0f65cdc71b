package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.elasticsearch.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.AgencyScope;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.indexer.holds.Hold;
import org.platewarden.indexer.holds.HoldMayExistException;
import org.platewarden.indexer.holds.HoldRequest;
import org.platewarden.indexer.holds.HoldService;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.query.TestReads.Read;
import org.platewarden.testkit.ElasticsearchFixture;
import org.platewarden.testkit.HangingProxy;

/**
 * A held copy is returned only while its hold's definition ({@code <prefix>-holds-meta}) is in force,
 * whatever the copy itself says: copies a creation left behind when it failed part-way (its
 * definition never written), copies of a hold released on record whose deletion failed, and copies
 * whose hold's definition ended before the copies' own {@code until} are not returned — not counted,
 * no hole on a page, not named in the audit record — while a live hold's copies still are, marked
 * held. The failures are made the way they happen, by the indexer's real {@link HoldService} against
 * an Elasticsearch that stops answering at the right request ({@link HangingProxy}); a search whose
 * definitions cannot be read fails closed.
 */
class HoldDefinitionIT {
    static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    static final int REQUEST_TIMEOUT_MS = 1_500;
    static final String WINDOW_FROM = "2026-03-01T00:00:00Z";

    static SearchHarness harness;
    static PlatewardenConfig config;
    static HoldService holds;
    static HangingProxy proxy;
    static ElasticsearchConnection throughProxy;
    /** The same hold service on a connection through the proxy, whose requests give up after {@link #REQUEST_TIMEOUT_MS}. */
    static HoldService holdsThroughProxy;

    @BeforeAll
    static void setUp() throws Exception {
        harness = new SearchHarness("holddef", NOW);
        config = harness.config("{\"rate_limit_per_minute\":0}");
        AgencyScope scope = new AgencyScope(config);
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        holds = new HoldService(harness.es.rest(), harness.prefix, scope, config.retentionDays(), config.holdMaxDays(), clock);
        proxy = new HangingProxy(ElasticsearchFixture.url());
        throughProxy = new ElasticsearchConnection(proxy.url());
        holdsThroughProxy = new HoldService(throughProxy.rest(), harness.prefix, scope, config.retentionDays(), config.holdMaxDays(),
                clock, Duration.ofMillis(REQUEST_TIMEOUT_MS));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (holdsThroughProxy != null) holdsThroughProxy.close();
        if (holds != null) holds.close();
        if (throughProxy != null) throughProxy.close();
        if (proxy != null) proxy.close();
        if (harness != null) harness.close();
    }

    static Read read(String id, String day, String time, String plate) {
        return Read.of(id, "cam-001", "DPD", Instant.parse(day + "T" + time + "Z"), plate);
    }

    static void store(Read... reads) {
        TestReads.bulkLoad(harness.es.rest(), harness.prefix, List.of(reads), 100);
        TestReads.refresh(harness.es.rest(), harness.prefix);
    }

    /** Deletes a day's index, as retention does: the reads of that day are left only as held copies. */
    static void dropDay(String day) {
        TestReads.perform(harness.es.rest(), new Request("DELETE", "/" + DailyIndex.name(harness.prefix, Instant.parse(day + "T00:00:00Z"))));
    }

    static HoldRequest holdOf(String caseNumber, Instant until, Read... reads) {
        return new HoldRequest(caseNumber, "suspect vehicle", null, java.util.Arrays.stream(reads).map(Read::readId).toList(),
                null, null, until);
    }

    /**
     * A creation that fails part-way: Elasticsearch stops answering at the write of the hold's
     * definition (never carried out) and the read-back, so the creation cannot tell and keeps the
     * copies it made: copies without a hold.
     */
    static String orphanCopies(String caseNumber, Read... reads) throws Exception {
        String holdId = HoldService.newHoldId();
        proxy.hangAllFrom(line -> line.contains("-holds-meta/_create/"));
        try {
            ExecutionException failed = assertThrows(ExecutionException.class, () -> holdsThroughProxy.create(holdId, "DPD",
                    "dpd.supervisor", holdOf(caseNumber, NOW.plus(Duration.ofDays(30)), reads)).get(60, TimeUnit.SECONDS));
            assertInstanceOf(HoldMayExistException.class, failed.getCause(), failed.toString());
        } finally {
            proxy.hangAllFrom(line -> false);
            proxy.hang(false);
        }
        TestReads.refresh(harness.es.rest(), harness.prefix);
        assertEquals(reads.length, copies(holdId), "the failed creation kept its copies");
        Request definitions = new Request("POST", "/" + harness.prefix + "-holds-meta/_count?ignore_unavailable=true");
        definitions.setJsonEntity("{\"query\":{\"ids\":{\"values\":[\"" + holdId + "\"]}}}");
        assertEquals(0, new JsonObject(TestReads.perform(harness.es.rest(), definitions)).getLong("count"), "and its hold has no definition");
        return holdId;
    }

    static long copies(String holdId) {
        Request count = new Request("POST", "/" + harness.prefix + "-holds/_count");
        count.setJsonEntity("{\"query\":{\"term\":{\"hold.hold_id\":\"" + holdId + "\"}}}");
        return new JsonObject(TestReads.perform(harness.es.rest(), count)).getLong("count");
    }

    static SearchService service(RecordingAuditLog audit, Instant at) {
        return new SearchService(harness.vertx, config, harness.es.rest(), audit, Clock.fixed(at, ZoneOffset.UTC), OcrFolding.defaults(),
                SearchLimits.defaults());
    }

    static JsonObject query(String plate, String caseNumber) {
        return SearchHarness.body(plate, WINDOW_FROM, NOW.toString()).put("case_number", caseNumber);
    }

    static SearchOutcome served(SearchService service, JsonObject body) {
        SearchOutcome o = harness.search(service, SearchHarness.DPD, body);
        assertEquals(200, o.status(), o.body().encode());
        return o;
    }

    static List<Boolean> heldFlags(SearchOutcome o) {
        JsonArray hits = o.body().getJsonArray("hits");
        List<Boolean> held = new ArrayList<>();
        for (int i = 0; i < hits.size(); i++) held.add(hits.getJsonObject(i).getBoolean("held"));
        return held;
    }

    @Test
    void copiesLeftByACreationThatFailedPartWayAreNotReturned() throws Exception {
        Read first = read("orf-1", "2026-03-02", "10:00:00", "ORF 101");
        Read second = read("orf-2", "2026-03-02", "11:00:00", "ORF 101");
        store(first, second);
        orphanCopies("DPD-2026-000901", first, second);
        RecordingAuditLog audit = new RecordingAuditLog();
        SearchService service = service(audit, NOW);

        // the reads are still in their daily index: found there, and not as held (no hold keeps them)
        SearchOutcome daily = served(service, query("ORF101", "DPD-2026-000901"));
        assertEquals(List.of(second.readId(), first.readId()), SearchHarness.readIds(daily));
        assertEquals(List.of(false, false), heldFlags(daily), daily.body().encode());

        // once their day is gone, the copies are all that is left of them: nothing is returned, under
        // the failed hold's case or any other, by an exact plate or a pattern
        dropDay("2026-03-02");
        for (JsonObject body : List.of(query("ORF101", "DPD-2026-000901"), query("ORF10*", "DPD-2026-000902"))) {
            SearchOutcome o = served(service, body);
            assertEquals(List.of(), SearchHarness.readIds(o), o.body().encode());
            assertEquals(0, o.body().getInteger("total"));
            AuditEntry record = audit.last();
            assertEquals(o.auditId(), record.auditId());
            assertEquals(List.of(), record.readIds(), "the record names no hidden copy");
            assertEquals(0, record.hitCount());
        }
    }

    @Test
    void hiddenCopiesAreNotCountedAndLeaveNoHoleOnAPage() throws Exception {
        // interleaved by capture time: copies of a live hold, copies without a hold, reads not held
        Read live1 = read("pgn-l1", "2026-03-03", "01:00:00", "PGN 202");
        Read orphan1 = read("pgn-o1", "2026-03-03", "02:00:00", "PGN 202");
        Read live2 = read("pgn-l2", "2026-03-03", "03:00:00", "PGN 202");
        Read orphan2 = read("pgn-o2", "2026-03-03", "04:00:00", "PGN 202");
        Read live3 = read("pgn-l3", "2026-03-03", "05:00:00", "PGN 202");
        Read daily1 = read("pgn-d1", "2026-03-05", "01:00:00", "PGN 202");
        Read daily2 = read("pgn-d2", "2026-03-05", "02:00:00", "PGN 202");
        store(live1, orphan1, live2, orphan2, live3, daily1, daily2);
        holds.create("DPD", "dpd.supervisor", holdOf("DPD-2026-000910", NOW.plus(Duration.ofDays(30)), live1, live2, live3))
                .get(60, TimeUnit.SECONDS);
        orphanCopies("DPD-2026-000910", orphan1, orphan2);
        dropDay("2026-03-03");
        RecordingAuditLog audit = new RecordingAuditLog();
        SearchService service = service(audit, NOW);
        List<String> visible = List.of(daily2.readId(), daily1.readId(), live3.readId(), live2.readId(), live1.readId());

        // the exact plate (ranked page plus the holds scan) and a pattern (scan of both) page alike
        for (String plate : List.of("PGN202", "PGN20*")) {
            List<String> seen = new ArrayList<>();
            List<Boolean> held = new ArrayList<>();
            String next = null;
            int pages = 0;
            do {
                JsonObject body = query(plate, "DPD-2026-000910").put("limit", 2);
                if (next != null) body.put("search_after", next);
                SearchOutcome page = served(service, body);
                pages++;
                assertEquals(visible.size(), page.body().getInteger("total"), plate + ": only the reads shown are counted: " + page.body().encode());
                List<String> ids = SearchHarness.readIds(page);
                assertEquals(pages < 3 ? 2 : 1, ids.size(), plate + ": full pages: " + page.body().encode());
                AuditEntry record = audit.last();
                assertEquals(page.auditId(), record.auditId());
                assertEquals(ids, record.readIds(), "the record names the reads returned, and only those");
                assertEquals(visible.size(), record.hitCount());
                seen.addAll(ids);
                held.addAll(heldFlags(page));
                next = page.body().getString("next");
            } while (next != null && pages < 5);
            assertEquals(visible, seen, plate + ": every page in rank order, no copy without a hold on any of them");
            assertEquals(List.of(false, false, true, true, true), held, plate + ": the live hold's copies are held reads");
        }
    }

    @Test
    void copiesOfAHoldReleasedOnRecordAreNotReturnedThoughTheyRemain() throws Exception {
        Read r = read("rel-1", "2026-03-04", "10:00:00", "REL 303");
        store(r);
        Hold hold = holds.create("DPD", "dpd.supervisor", holdOf("DPD-2026-000920", NOW.plus(Duration.ofDays(30)), r))
                .get(60, TimeUnit.SECONDS);
        dropDay("2026-03-04");
        RecordingAuditLog audit = new RecordingAuditLog();
        SearchService service = service(audit, NOW);
        SearchOutcome before = served(service, query("REL303", "DPD-2026-000920"));
        assertEquals(List.of(r.readId()), SearchHarness.readIds(before), "the live hold's copy");
        assertEquals(List.of(true), heldFlags(before));

        // a release whose deletion of the copies Elasticsearch did not answer: released on record, copies stored
        proxy.hangOn(line -> line.startsWith("POST /_bulk"));
        try {
            assertThrows(ExecutionException.class, () -> holdsThroughProxy.release(hold.id(), "DPD", "dpd.supervisor").get(60, TimeUnit.SECONDS));
        } finally {
            proxy.hangOn(line -> false);
        }
        TestReads.refresh(harness.es.rest(), harness.prefix);
        assertEquals(1, copies(hold.id()), "the interrupted release left the copy");
        assertTrue(holds.find(hold.id(), "DPD").get(60, TimeUnit.SECONDS).released(), "the hold is released on record");

        SearchOutcome after = served(service, query("REL303", "DPD-2026-000920"));
        assertEquals(List.of(), SearchHarness.readIds(after), after.body().encode());
        assertEquals(0, after.body().getInteger("total"));
        assertEquals(List.of(), audit.last().readIds());
    }

    @Test
    void copiesAreNotReturnedPastTheirHoldsUntilEvenWhenTheyCarryALaterOne() throws Exception {
        Read r = read("unt-1", "2026-03-06", "10:00:00", "UNT 404");
        store(r);
        Instant until = NOW.plus(Duration.ofDays(10));
        Instant extended = NOW.plus(Duration.ofDays(40));
        Hold hold = holds.create("DPD", "dpd.supervisor", holdOf("DPD-2026-000930", until, r)).get(60, TimeUnit.SECONDS);
        // an extension whose write of the definition Elasticsearch did not answer: the copies carry the
        // new until, the definition (never updated) the old one, which stays in force
        proxy.hangOn(line -> line.contains("-holds-meta/_update/"));
        try {
            assertThrows(ExecutionException.class, () -> holdsThroughProxy.extend(hold.id(), "DPD", "dpd.supervisor", extended)
                    .get(60, TimeUnit.SECONDS));
        } finally {
            proxy.hangOn(line -> false);
        }
        assertEquals(until, holds.find(hold.id(), "DPD").get(60, TimeUnit.SECONDS).until(), "the definition keeps its until");
        dropDay("2026-03-06");
        RecordingAuditLog audit = new RecordingAuditLog();
        JsonObject body = query("UNT404", "DPD-2026-000930").put("to", "2026-03-07T00:00:00Z");

        SearchOutcome whileItLasts = served(service(audit, until.minus(Duration.ofDays(1))), body);
        assertEquals(List.of(r.readId()), SearchHarness.readIds(whileItLasts), "the hold's copy while it lasts");
        assertEquals(List.of(true), heldFlags(whileItLasts));
        // a day after the definition's until, before the copy's: the definition decides
        SearchOutcome afterUntil = served(service(audit, until.plus(Duration.ofDays(1))), body);
        assertEquals(List.of(), SearchHarness.readIds(afterUntil), afterUntil.body().encode());
        assertEquals(0, afterUntil.body().getInteger("total"));
        assertEquals(List.of(), audit.last().readIds());
        // past both, as before
        assertEquals(List.of(), SearchHarness.readIds(served(service(audit, extended.plus(Duration.ofDays(1))), body)));
    }

    @Test
    void aSearchWhoseHeldMatchesCannotBeVerifiedFailsClosedAndOneWithoutAnyAsksNothingMore() throws Exception {
        Read held = read("vrf-1", "2026-03-07", "10:00:00", "VRF 606");
        Read notHeld = read("nhd-1", "2026-03-07", "11:00:00", "NHD 707");
        store(held, notHeld);
        holds.create("DPD", "dpd.supervisor", holdOf("DPD-2026-000940", NOW.plus(Duration.ofDays(30)), held)).get(60, TimeUnit.SECONDS);
        RecordingAuditLog audit = new RecordingAuditLog();
        SearchService service = new SearchService(harness.vertx, config, throughProxy.rest(), audit, Clock.fixed(NOW, ZoneOffset.UTC),
                OcrFolding.defaults(), new SearchLimits(10_000, 50_000, 4, 0, 0, REQUEST_TIMEOUT_MS, 30_000));
        assertEquals(List.of(true), heldFlags(served(service, query("VRF606", "DPD-2026-000940"))), "answered while Elasticsearch answers");

        // Elasticsearch stops answering the read of the holds' definitions, and only that
        proxy.hangOn(line -> line.contains("-holds-meta/_mget"));
        try {
            // a search without held matches does not ask for them: served
            SearchOutcome without = served(service, query("NHD707", "DPD-2026-000941"));
            assertEquals(List.of(notHeld.readId()), SearchHarness.readIds(without));

            // one with a held match cannot tell whether its hold is in force: 503, nothing shown, audited as failed
            SearchOutcome with = harness.search(service, SearchHarness.DPD, query("VRF606", "DPD-2026-000940"));
            assertEquals(503, with.status(), with.body().encode());
            assertNull(with.body().getJsonArray("hits"), with.body().encode());
            assertEquals("the search backend is unavailable; retry later", with.body().getString("error"));
            AuditEntry record = audit.last();
            assertEquals("search", record.action());
            assertEquals(with.auditId(), record.auditId());
            assertEquals("failed", record.outcome());
            assertEquals(503, record.status());
            assertEquals(List.of(), record.readIds());
        } finally {
            proxy.hangOn(line -> false);
        }
    }
}
