package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.auth.Principal;
import org.platewarden.search.query.TestReads.Read;

/**
 * Against real Elasticsearch: who sees which reads (agency sharing, federal, roles), purposes and
 * case numbers, the dragnet guards, the time window and retention, holds, filters, and that every
 * request is audited exactly once before its outcome is returned (fail closed when auditing fails).
 */
class SearchServiceIT {
    static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    static final Map<String, String> CAMRY = Map.of("make", "toyota", "model", "camry", "color", "silver", "type", "sedan");
    // DPD's and ACSO's reads of the same car today; an older one of DPD's; held and expired ones
    static final Read R1 = new Read("r1-dpd-today", "cam-001", "DPD", Instant.parse("2026-03-10T08:00:00Z"), "ABC 1234",
            "US-CO", 39.74, -104.99, CAMRY);
    static final Read R2 = new Read("r2-acso-today", "cam-101", "ACSO", Instant.parse("2026-03-10T09:00:00Z"), "ABC1234",
            "US-WY", 41.10, -104.80, Map.of("make", "honda", "color", "blue"));
    static final Read R3 = Read.of("r3-dpd-0308", "cam-002", "DPD", Instant.parse("2026-03-08T10:00:00Z"), "ABC-1234");
    static final Read R4 = Read.of("r4-dpd-expired-held", "cam-001", "DPD", Instant.parse("2026-02-17T10:00:00Z"), "ABC1234");
    static final Read R5 = Read.of("r5-dpd-held-only", "cam-001", "DPD", Instant.parse("2026-02-16T10:00:00Z"), "ABC1234");
    /** ACSO's own read, held by ACSO (an agency holds only reads it may see) */
    static final Read R6 = Read.of("r6-held-by-acso", "cam-101", "ACSO", Instant.parse("2026-02-15T10:00:00Z"), "ABC1234");
    static final Read R7 = Read.of("r7-released", "cam-001", "DPD", Instant.parse("2026-02-14T10:00:00Z"), "ABC1234");
    static final Read R8 = Read.of("r8-expired-not-held", "cam-002", "DPD", Instant.parse("2026-02-17T11:00:00Z"), "ABC1234");
    static final Read R9 = Read.of("r9-ocr-variant", "cam-001", "DPD", Instant.parse("2026-03-10T07:00:00Z"), "A8C1234");
    static final Read R10 = Read.of("r10-one-edit", "cam-002", "DPD", Instant.parse("2026-03-10T10:00:00Z"), "ABC1284");
    /** a read with every optional field a camera may send */
    static final Read R11 = Read.of("r11-with-crop", "cam-001", "DPD", Instant.parse("2026-03-10T06:00:00Z"), "PIC 4242")
            .with(Map.of("plate_confidence", 0.61, "heading_deg", 270, "lane", 2, "image_ref", "https://camera-1.local/crops/11.jpg"));

    /** either side of the antimeridian, and far from it */
    static final Read R12 = new Read("r12-east-of-180", "cam-001", "DPD", Instant.parse("2026-03-10T05:00:00Z"), "DTL 180",
            null, 0.5, -179.5, Map.of());
    static final Read R13 = new Read("r13-greenwich", "cam-001", "DPD", Instant.parse("2026-03-10T05:30:00Z"), "DTL 180",
            null, 0.5, 0.5, Map.of());

    static SearchHarness harness;
    static PlatewardenConfig config;
    static RecordingAuditLog audit = new RecordingAuditLog();
    static SearchService service;

    @BeforeAll
    static void load() {
        harness = new SearchHarness("search", NOW);
        config = harness.config("{\"rate_limit_per_minute\":0}");
        service = harness.service(config, audit, SearchLimits.defaults());
        TestReads.bulkLoad(harness.es.rest(), harness.prefix, List.of(R1, R2, R3, R4, R8, R9, R10, R11, R12, R13), 100);
        TestReads.hold(harness.es.rest(), harness.prefix, R1, "h1", "DPD", false);
        TestReads.hold(harness.es.rest(), harness.prefix, R4, "h1", "DPD", false);
        TestReads.hold(harness.es.rest(), harness.prefix, R5, "h2", "DPD", false);
        TestReads.hold(harness.es.rest(), harness.prefix, R5, "h3", "DPD", false);
        TestReads.hold(harness.es.rest(), harness.prefix, R6, "h4", "ACSO", false);
        TestReads.hold(harness.es.rest(), harness.prefix, R7, "h5", "DPD", true);
        TestReads.refresh(harness.es.rest(), harness.prefix);
    }

    @AfterAll
    static void cleanUp() {
        if (harness != null) harness.close();
    }

    static JsonObject body(String plate) {
        return new JsonObject().put("plate", plate).put("ocr", false)
                .put("from", "2026-03-09T00:00:00Z").put("to", "2026-03-10T12:00:00Z")
                .put("purpose", "stolen_vehicle").put("case_number", "DPD-2026-000123");
    }

    /** Runs a search and checks it left exactly one audit record, the one the outcome names. */
    static SearchOutcome run(SearchService s, RecordingAuditLog log, Principal p, JsonObject body) {
        int before = log.entries.size();
        SearchOutcome outcome = harness.search(s, p, body);
        assertEquals(before + 1, log.entries.size(), "exactly one audit record per request");
        AuditEntry entry = log.last();
        assertEquals(outcome.auditId(), entry.auditId());
        assertEquals(outcome.auditId(), outcome.body().getString("audit_id"));
        assertEquals(outcome.status(), entry.status());
        assertEquals("search", entry.action());
        assertEquals("198.51.100.7", entry.clientAddress());
        if (p != null) assertEquals(p.user(), entry.user());
        return outcome;
    }

    static SearchOutcome run(Principal p, JsonObject body) {
        return run(service, audit, p, body);
    }

    static List<String> ids(SearchOutcome o) {
        return SearchHarness.readIds(o);
    }

    @Test
    void dpdSeesItsOwnReadsAndThoseAcsoSharesRankedByRecency() {
        SearchOutcome o = run(SearchHarness.DPD, body("ABC1234"));
        assertEquals(200, o.status(), o.body().encode());
        assertEquals(List.of("cam-101:r2-acso-today", "cam-001:r1-dpd-today"), ids(o));
        assertEquals(2, o.body().getInteger("total"));
        assertTrue(o.body().containsKey("next"));
        assertNull(o.body().getValue("next"));
        JsonObject r1 = o.body().getJsonArray("hits").getJsonObject(1);
        assertEquals("ABC 1234", r1.getString("plate"));
        assertEquals("cam-001", r1.getString("camera_id"));
        assertEquals("2026-03-10T08:00:00Z", r1.getString("captured_at"));
        assertEquals(39.74, r1.getJsonObject("location").getDouble("lat"));
        assertEquals("camry", r1.getJsonObject("vehicle").getString("model"));
        assertEquals(new JsonObject().put("kind", "exact").put("edits", 0), r1.getJsonObject("match"));
        assertEquals(1.0, r1.getDouble("score"));
        assertTrue(r1.getBoolean("held"), "r1 is also in an active DPD hold");
        assertFalse(o.body().getJsonArray("hits").getJsonObject(0).getBoolean("held"));
        AuditEntry e = audit.last();
        assertEquals("allowed", e.outcome());
        assertEquals(2, e.hitCount());
        assertEquals(List.of("cam-101:r2-acso-today", "cam-001:r1-dpd-today"), e.readIds());
        assertEquals("stolen_vehicle", e.purpose());
        assertEquals("DPD-2026-000123", e.caseNumber());
        assertEquals("ABC1234", e.query().get("plate").asText());
    }

    @Test
    void acsoDoesNotSeeDpdReads() {
        SearchOutcome o = run(SearchHarness.ACSO, body("ABC1234"));
        assertEquals(200, o.status(), o.body().encode());
        assertEquals(List.of("cam-101:r2-acso-today"), ids(o));
    }

    @Test
    void federalAgencyIsRefusedWhateverItAsks() {
        SearchOutcome o = run(SearchHarness.FED, body("ABC1234"));
        assertEquals(403, o.status());
        assertFalse(o.body().containsKey("hits"));
        assertTrue(o.body().getString("error").contains("FED"), o.body().encode());
        assertEquals("refused", audit.last().outcome());
        assertEquals(0, audit.last().readIds().size());
    }

    @Test
    void searchingNeedsTheInvestigatorOrSupervisorRole() {
        assertEquals(403, run(SearchHarness.AUDITOR, body("ABC1234")).status());
        assertEquals("refused", audit.last().outcome());
        Principal supervisor = new Principal("dpd.supervisor", "DPD", java.util.Set.of("supervisor"), "jwt");
        assertEquals(200, run(supervisor, body("ABC1234")).status());
    }

    @Test
    void everyProhibitedPurposeIsRefusedAndAudited() {
        for (String purpose : config.search().prohibitedPurposes()) {
            SearchOutcome o = run(SearchHarness.DPD, body("ABC1234").put("purpose", purpose));
            assertEquals(403, o.status(), purpose);
            assertTrue(o.body().getString("error").contains(purpose), o.body().encode());
            assertFalse(o.body().containsKey("hits"));
            AuditEntry e = audit.last();
            assertEquals("refused", e.outcome());
            assertEquals(purpose, e.purpose());
            assertTrue(e.reason().contains(purpose));

            // in another spelling: refused the same, and recorded under the configured name (the
            // auditor's purpose filter and the transparency report count it there); the query keeps it as sent
            String spelt = " " + purpose.toUpperCase(java.util.Locale.ROOT).replace('_', ' ');
            assertEquals(403, run(SearchHarness.DPD, body("ABC1234").put("purpose", spelt)).status(), spelt);
            AuditEntry recorded = audit.last();
            assertEquals("refused", recorded.outcome());
            assertEquals(purpose, recorded.purpose());
            assertEquals(spelt, recorded.query().path("purpose").asText());
        }
    }

    @Test
    void purposeAndCaseNumberAreRequired() {
        SearchOutcome unknown = run(SearchHarness.DPD, body("ABC1234").put("purpose", "curiosity"));
        assertEquals(400, unknown.status());
        assertEquals("invalid", audit.last().outcome());
        JsonObject noPurpose = body("ABC1234");
        noPurpose.remove("purpose");
        assertEquals(400, run(SearchHarness.DPD, noPurpose).status());
        JsonObject noCase = body("ABC1234");
        noCase.remove("case_number");
        SearchOutcome o = run(SearchHarness.DPD, noCase);
        assertEquals(400, o.status());
        assertTrue(o.body().getString("error").contains("case_number"));
        assertEquals("invalid", audit.last().outcome());
        assertEquals(400, run(SearchHarness.DPD, body("ABC1234").put("case_number", "  ")).status());
    }

    @Test
    void dragnetGuardsRefuseAndAreAudited() {
        SearchOutcome few = run(SearchHarness.DPD, body("AB*"));
        assertEquals(400, few.status());
        assertTrue(few.body().getString("error").contains("known characters"), few.body().encode());
        SearchOutcome wide = run(SearchHarness.DPD, body("ABC1234").put("from", "2026-01-01T00:00:00Z"));
        assertEquals(400, wide.status());
        assertTrue(wide.body().getString("error").contains("31 days"), wide.body().encode());
        SearchOutcome many = run(SearchHarness.DPD, body("ABC1234").put("limit", 1001));
        assertEquals(400, many.status());
        assertTrue(many.body().getString("error").contains("1000"), many.body().encode());
        assertEquals(400, run(SearchHarness.DPD, body("ABC1234").put("camera_id", "cam-001")).status());
        assertEquals(400, run(SearchHarness.DPD, body("ABC1234").put("search_after", "not-a-token")).status());
        assertEquals("invalid", audit.last().outcome());
    }

    /** A window in a form no read's captured_at may take is a 400 naming the field and the form, audited as any 400. */
    @Test
    void aWindowInAFormACapturedAtMayNotTakeIsRefusedAndAudited() {
        SearchOutcome o = run(SearchHarness.DPD, body("ABC1234").put("from", "2026-03-09T00:00:00.Z"));
        assertEquals(400, o.status(), o.body().encode());
        assertEquals("from '2026-03-09T00:00:00.Z' is not " + org.platewarden.core.read.DateTimeField.FORM
                + ": a decimal sign must be followed by at least one digit", o.body().getString("error"));
        assertEquals("invalid", audit.last().outcome());
        assertEquals("2026-03-09T00:00:00.Z", audit.last().query().path("from").asText(), "the body as sent");
        // the same window in a form the grammar has finds the reads
        SearchOutcome comma = run(SearchHarness.DPD, body("ABC1234").put("from", "2026-03-09 00:00:00,000+0000"));
        assertEquals(200, comma.status(), comma.body().encode());
        assertEquals(run(SearchHarness.DPD, body("ABC1234")).body().getJsonArray("hits"), comma.body().getJsonArray("hits"));
    }

    @Test
    void perUserRateLimitAnswers429AndIsAudited() {
        RecordingAuditLog log = new RecordingAuditLog();
        SearchService limited = harness.service(harness.config("{\"rate_limit_per_minute\":2}"), log, SearchLimits.defaults());
        assertEquals(200, run(limited, log, SearchHarness.DPD, body("ABC1234")).status());
        assertEquals(200, run(limited, log, SearchHarness.DPD, body("ABC1234")).status());
        SearchOutcome third = run(limited, log, SearchHarness.DPD, body("ABC1234"));
        assertEquals(429, third.status());
        assertTrue(third.retryAfterSeconds() >= 1);
        assertEquals("rate_limited", log.last().outcome());
        // per user: another user of the same service is not affected
        assertEquals(200, run(limited, log, SearchHarness.ACSO, body("ABC1234")).status());
    }

    @Test
    void onlyTheWindowIsSearched() {
        // r3 was captured on 03-08, outside the default test window
        assertFalse(ids(run(SearchHarness.DPD, body("ABC1234"))).contains("cam-002:r3-dpd-0308"));
        JsonObject before = body("ABC1234").put("from", "2026-03-08T00:00:00Z").put("to", "2026-03-08T09:59:59Z");
        assertEquals(List.of(), ids(run(SearchHarness.DPD, before)));
        JsonObject covering = body("ABC1234").put("from", "2026-03-08T00:00:00Z").put("to", "2026-03-08T10:00:00Z");
        assertEquals(List.of("cam-002:r3-dpd-0308"), ids(run(SearchHarness.DPD, covering)));
    }

    @Test
    void expiredDaysAreNotSearchedButActiveHoldsOfTheCallersAgencyAre() {
        JsonObject month = body("ABC1234").put("from", "2026-02-10T00:00:00Z");
        SearchOutcome o = run(SearchHarness.DPD, month);
        assertEquals(200, o.status(), o.body().encode());
        // r8: its day expired (index still there: the sweeper lags) -> not shown; r4 (same day) and r5
        // are held, but past retention a held copy is its hold's case's only: this search states
        // another case; r6 held by ACSO, r7 released -> not shown
        assertEquals(List.of("cam-101:r2-acso-today", "cam-001:r1-dpd-today", "cam-002:r3-dpd-0308"), ids(o));
        assertFalse(o.body().getJsonArray("hits").getJsonObject(2).getBoolean("held"));
        // under h1's case: r4; under h2's: r5, held twice -> once
        SearchOutcome h1 = run(SearchHarness.DPD, month.copy().put("case_number", "CASE-h1"));
        assertEquals(List.of("cam-101:r2-acso-today", "cam-001:r1-dpd-today", "cam-002:r3-dpd-0308", "cam-001:r4-dpd-expired-held"), ids(h1));
        assertTrue(h1.body().getJsonArray("hits").getJsonObject(3).getBoolean("held"));
        SearchOutcome h2 = run(SearchHarness.DPD, month.copy().put("case_number", "CASE-h2"));
        assertEquals(List.of("cam-101:r2-acso-today", "cam-001:r1-dpd-today", "cam-002:r3-dpd-0308", "cam-001:r5-dpd-held-only"), ids(h2));
        assertTrue(h2.body().getJsonArray("hits").getJsonObject(3).getBoolean("held"));
        assertEquals(List.of("cam-101:r2-acso-today"), ids(run(SearchHarness.ACSO, month.copy())));
        assertEquals(List.of("cam-101:r2-acso-today", "cam-101:r6-held-by-acso"), ids(run(SearchHarness.ACSO, month.copy().put("case_number", "CASE-h4"))));
        assertEquals(List.of("cam-101:r2-acso-today"), ids(run(SearchHarness.ACSO, month.copy().put("case_number", "CASE-h1"))),
                "another agency's hold's case number shows nothing of that hold");
    }

    @Test
    void fuzzyMatchesRankBelowExactOnes() {
        SearchOutcome o = run(SearchHarness.DPD, body("ABC1234").put("ocr", true).put("max_edits", 1));
        assertEquals(List.of("cam-101:r2-acso-today", "cam-001:r1-dpd-today", "cam-001:r9-ocr-variant", "cam-002:r10-one-edit"), ids(o));
        JsonArray hits = o.body().getJsonArray("hits");
        assertEquals("ocr", hits.getJsonObject(2).getJsonObject("match").getString("kind"));
        assertEquals(new JsonObject().put("kind", "edit").put("edits", 1), hits.getJsonObject(3).getJsonObject("match"));
        assertTrue(hits.getJsonObject(2).getDouble("score") > hits.getJsonObject(3).getDouble("score"));
        // not OCR: A8C1234 is one edit away; ABC1284 matches the wildcard literally
        assertEquals(List.of("cam-002:r10-one-edit", "cam-001:r1-dpd-today", "cam-001:r9-ocr-variant"), ids(run(SearchHarness.DPD, body("ABC12?4")
                .put("max_edits", 1).put("camera_ids", new JsonArray().add("cam-001").add("cam-002")))));
    }

    @Test
    void aSwapOfTwoAdjacentCharactersIsOneEdit() {
        // the probe: ACB1234 with one edit found nothing, with two found ABC1234 at "edits": 2
        SearchOutcome o = run(SearchHarness.DPD, body("ACB1234").put("max_edits", 1));
        assertEquals(200, o.status(), o.body().encode());
        assertEquals(List.of("cam-101:r2-acso-today", "cam-001:r1-dpd-today"), ids(o));
        for (Object hit : o.body().getJsonArray("hits")) {
            assertEquals(new JsonObject().put("kind", "edit").put("edits", 1), ((JsonObject) hit).getJsonObject("match"));
            assertEquals(0.5, ((JsonObject) hit).getDouble("score"));
        }
        assertEquals(List.of("cam-101:r2-acso-today", "cam-001:r1-dpd-today"), audit.last().readIds());
        // with a wildcard (a scanned plan, not the deletion terms) and OCR look-alikes: A8C2I34 folds to ABC1234 with 2, 1 swapped
        assertEquals(List.of("cam-101:r2-acso-today", "cam-001:r1-dpd-today", "cam-001:r9-ocr-variant"),
                ids(run(SearchHarness.DPD, body("*2134").put("max_edits", 1).put("ocr", true))));
        JsonArray ocr = run(SearchHarness.DPD, body("A8C2I34").put("max_edits", 1).put("ocr", true)).body().getJsonArray("hits");
        assertEquals(3, ocr.size(), ocr.encode());
        assertEquals(1, ocr.getJsonObject(0).getJsonObject("match").getInteger("edits"));
    }

    @Test
    void aPageTokenContinuesOnlyTheSearchThatReturnedIt() {
        JsonObject star = body("*1234").put("limit", 1);
        SearchOutcome first = run(SearchHarness.DPD, star.copy());
        assertEquals(200, first.status(), first.body().encode());
        String next = first.body().getString("next");
        assertNotNull(next, first.body().encode());
        SearchOutcome second = run(SearchHarness.DPD, star.copy().put("search_after", next));
        assertEquals(200, second.status(), second.body().encode());
        assertFalse(ids(second).isEmpty());
        assertNotEquals(ids(first), ids(second));
        // the probe: the token of a *1234 search sent with another plate answered 200 and silently skipped matches
        SearchOutcome other = run(SearchHarness.DPD, body("ABC1284").put("max_edits", 1).put("search_after", next));
        assertEquals(400, other.status(), other.body().encode());
        assertTrue(other.body().getString("error").contains("'next' of a different search"), other.body().encode());
        assertEquals("invalid", audit.last().outcome());
        assertEquals(next, audit.last().query().get("search_after").asText(), "the record keeps the body as sent");
        // another window is another search too
        assertEquals(400, run(SearchHarness.DPD, star.copy().put("from", "2026-03-09T06:00:00Z").put("search_after", next)).status());
    }

    @Test
    void theAnswerAndItsRecordStateTheWindowAndLimitInFactUsed() {
        JsonObject defaults = new JsonObject().put("plate", "ABC1234").put("purpose", "stolen_vehicle").put("case_number", "DPD-2026-000123");
        SearchOutcome o = run(SearchHarness.DPD, defaults);
        assertEquals(200, o.status(), o.body().encode());
        // the last 24 hours up to the ingest's future skew (300 s) ahead, 100 hits a page: nothing was sent
        assertEquals(new JsonObject().put("from", "2026-03-09T12:00:00Z").put("to", "2026-03-10T12:05:00Z"), o.body().getJsonObject("window"));
        assertEquals(100, o.body().getInteger("limit"));
        AuditEntry e = audit.last();
        assertEquals(new AuditEntry.Window(Instant.parse("2026-03-09T12:00:00Z"), Instant.parse("2026-03-10T12:05:00Z"), 100), e.window());
        assertFalse(e.query().has("from") || e.query().has("limit"), "the record's query is the body as sent");
        // sent values are stated as sent
        SearchOutcome sent = run(SearchHarness.DPD, body("ABC1234").put("limit", 5));
        assertEquals(new JsonObject().put("from", "2026-03-09T00:00:00Z").put("to", "2026-03-10T12:00:00Z"), sent.body().getJsonObject("window"));
        assertEquals(5, sent.body().getInteger("limit"));
        assertEquals(5, audit.last().window().limit());
        // a refusal before the body is read searched no window, and its record says none
        assertEquals(403, run(SearchHarness.DPD, body("ABC1234").put("purpose", "personal")).status());
        assertNull(audit.last().window());
    }

    @Test
    void hitsCarryTheReadsConfidenceHeadingLaneAndImageWhenItHasThem() {
        SearchOutcome o = run(SearchHarness.DPD, body("PIC4242"));
        assertEquals(200, o.status(), o.body().encode());
        JsonObject hit = o.body().getJsonArray("hits").getJsonObject(0);
        assertEquals("cam-001:r11-with-crop", hit.getString("read_id"));
        assertEquals(0.61, hit.getDouble("plate_confidence"), 1e-6);
        assertEquals(270.0, hit.getDouble("heading_deg"), 1e-6);
        assertEquals(2, hit.getInteger("lane"));
        assertEquals("https://camera-1.local/crops/11.jpg", hit.getString("image_ref"));
        // a scanned (fuzzy) page is fetched by id: the same fields
        JsonObject fuzzy = run(SearchHarness.DPD, body("PIC424?").put("max_edits", 1)).body().getJsonArray("hits").getJsonObject(0);
        assertEquals("https://camera-1.local/crops/11.jpg", fuzzy.getString("image_ref"));
        assertEquals(2, fuzzy.getInteger("lane"));
        // a read without them has none (not null fields)
        JsonObject r1 = run(SearchHarness.DPD, body("ABC1234")).body().getJsonArray("hits").getJsonObject(1);
        assertFalse(r1.containsKey("image_ref") || r1.containsKey("lane") || r1.containsKey("heading_deg"), r1.encode());
        assertEquals(0.9, r1.getDouble("plate_confidence"), 1e-6);
    }

    @Test
    void filtersNarrowTheCandidates() {
        assertEquals(List.of("cam-101:r2-acso-today"), ids(run(SearchHarness.DPD, body("ABC1234").put("camera_ids", new JsonArray().add("cam-101")))));
        assertEquals(List.of("cam-001:r1-dpd-today"), ids(run(SearchHarness.DPD, body("ABC1234").put("vehicle", new JsonObject().put("make", "TOYOTA").put("color", "Silver")))));
        assertEquals(List.of("cam-101:r2-acso-today"), ids(run(SearchHarness.DPD, body("ABC1234").put("region", "US-WY"))));
        JsonObject box = new JsonObject()
                .put("top_left", new JsonObject().put("lat", 40.0).put("lon", -105.5))
                .put("bottom_right", new JsonObject().put("lat", 39.5).put("lon", -104.5));
        assertEquals(List.of("cam-001:r1-dpd-today"), ids(run(SearchHarness.DPD, body("ABC1234").put("geo_box", box))));
    }

    @Test
    void aGeoBoxWhoseLeftIsEastOfItsRightCrossesTheAntimeridian() {
        assertEquals(List.of("cam-001:r13-greenwich", "cam-001:r12-east-of-180"), ids(run(SearchHarness.DPD, body("DTL180"))));
        // from 179 E eastwards across 180 to 179 W: a box two degrees wide, not the 358 between them
        JsonObject crossing = new JsonObject()
                .put("top_left", new JsonObject().put("lat", 1.0).put("lon", 179.0))
                .put("bottom_right", new JsonObject().put("lat", -1.0).put("lon", -179.0));
        assertEquals(List.of("cam-001:r12-east-of-180"), ids(run(SearchHarness.DPD, body("DTL180").put("geo_box", crossing))));
    }

    @Test
    void aFailedAuditWriteFailsTheSearchClosed() {
        RecordingAuditLog failing = new RecordingAuditLog();
        failing.failing = true;
        SearchService s = harness.service(config, failing, SearchLimits.defaults());
        SearchOutcome o = harness.search(s, SearchHarness.DPD, body("ABC1234"));
        assertEquals(503, o.status());
        assertFalse(o.body().containsKey("hits"), o.body().encode());
        assertNull(o.auditId());
        assertNotNull(o.body().getString("error"));
        // a refusal whose audit fails is not answered as a refusal either
        assertEquals(503, harness.search(s, SearchHarness.DPD, body("ABC1234").put("purpose", "personal")).status());
    }

    @Test
    void anUnreachableClusterIsA503AndIsAudited() {
        RecordingAuditLog log = new RecordingAuditLog();
        try (RestClient dead = RestClient.builder(new HttpHost("127.0.0.1", 1, "http")).build()) {
            SearchService s = new SearchService(harness.vertx, config, dead, log, java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC),
                    org.platewarden.core.plate.OcrFolding.defaults(), SearchLimits.defaults());
            SearchOutcome o = run(s, log, SearchHarness.DPD, body("ABC1234"));
            assertEquals(503, o.status());
            assertEquals("failed", log.last().outcome());
            assertFalse(o.body().containsKey("hits"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aSearchWithTooManyCandidatesIsRefusedNotTruncated() {
        RecordingAuditLog log = new RecordingAuditLog();
        SearchService small = harness.service(config, log, new SearchLimits(1, 1, 4));
        SearchOutcome o = run(small, log, SearchHarness.DPD, body("ABC1234"));
        assertEquals(400, o.status());
        assertTrue(o.body().getString("error").contains("too broad"), o.body().encode());
        // page size 1 with room for the candidates: pages through them one by one
        SearchService paged = harness.service(config, log, new SearchLimits(1, 10, 4));
        assertEquals(List.of("cam-101:r2-acso-today", "cam-001:r1-dpd-today"), ids(run(paged, log, SearchHarness.DPD, body("ABC1234"))));
    }
}
