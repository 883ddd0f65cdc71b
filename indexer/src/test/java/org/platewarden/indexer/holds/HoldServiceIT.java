package org.platewarden.indexer.holds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.AgencyScope;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.indexer.EsRest;
import org.platewarden.indexer.EsTestSupport;
import org.platewarden.indexer.TestReads;

/** Holds against real indices, with the demo agencies: DPD sees DPD + ACSO, ACSO sees ACSO, FED nothing. */
class HoldServiceIT {
    private static EsTestSupport es;
    private static HoldService holds;
    private static final Instant AT = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.DAYS);

    @BeforeAll
    static void setUp() {
        es = new EsTestSupport("holds");
        holds = new HoldService(es.conn.rest(), es.prefix, new AgencyScope(PlatewardenConfig.demoConfig()), 21, 365, Clock.systemUTC());
        read("dpd-1", "cam-001", "DPD", AT, "ABC 1234");
        read("dpd-2", "cam-002", "DPD", AT.plus(1, ChronoUnit.DAYS), "abc-1234");
        read("acso-1", "cam-101", "ACSO", AT.plusSeconds(60), "ABC1234");
        read("other-1", "cam-900", "XYZ", AT.plusSeconds(120), "ABC1234"); // an agency that shares with nobody
        read("dpd-3", "cam-001", "DPD", AT.plusSeconds(180), "ZZZ999");
    }

    @AfterAll
    static void tearDown() {
        holds.close();
        es.close();
    }

    private static void read(String id, String camera, String agency, Instant at, String plate) {
        es.put(DailyIndex.name(es.prefix, at), id, TestReads.json(id, camera, agency, at, plate));
    }

    private static Instant inMonths(int n) {
        return Instant.now().plus(Duration.ofDays(30L * n));
    }

    private Set<String> heldReadIds(String holdId) {
        es.refresh(es.prefix + "-holds");
        JsonNode hits = es.es.call("POST", "/" + es.prefix + "-holds/_search",
                "{\"size\":100,\"query\":{\"term\":{\"hold.hold_id\":\"" + holdId + "\"}}}").path("hits").path("hits");
        Set<String> ids = new TreeSet<>();
        for (JsonNode h : hits) {
            assertEquals(holdId + ":" + h.path("_source").path("read_id").asText(), h.path("_id").asText());
            assertEquals(holdId, h.path("_source").path("hold").path("hold_id").asText());
            ids.add(h.path("_source").path("read_id").asText());
        }
        return ids;
    }

    @Test
    void holdByPlateCopiesOnlyReadsTheAgencyMaySee() throws Exception {
        Hold dpd = holds.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-000123", "stolen vehicle", "abc 1234",
                null, null, null, inMonths(3))).get();
        assertEquals(3, dpd.readCount());
        assertEquals(Set.of("dpd-1", "dpd-2", "acso-1"), heldReadIds(dpd.id()));
        assertEquals("DPD", dpd.agency());
        assertEquals("dpd.supervisor", dpd.createdBy());
        assertEquals("ABC1234", dpd.platePattern());
        assertFalse(dpd.released());

        Hold acso = holds.create("ACSO", "acso.sup", new HoldRequest("ACSO-7", "robbery", "ABC1234",
                null, null, null, inMonths(1))).get();
        assertEquals(Set.of("acso-1"), heldReadIds(acso.id()), "DPD's reads are not shared with ACSO");

        Hold windowed = holds.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-000124", "hit and run", "ABC1234",
                null, AT.minusSeconds(1), AT.plusSeconds(90), inMonths(1))).get();
        assertEquals(Set.of("dpd-1", "acso-1"), heldReadIds(windowed.id()), "the capture window applies");
    }

    /** A creation answers what it kept: the number of copies and the first read ids by read id, at most the cap asked for. */
    @Test
    void aCreationAnswersTheReadsItKeptUpToTheCap() throws Exception {
        HoldService.Created created = holds.createKeeping(HoldService.newHoldId(), "DPD", "dpd.supervisor", new HoldRequest("DPD-2026-000125",
                "stolen vehicle", "ABC1234", null, null, null, inMonths(1)), 2).get();
        assertEquals(3, created.hold().readCount());
        assertEquals(3, created.held().count());
        assertEquals(List.of("acso-1", "dpd-1"), created.held().readIds(), "the first two by read id");
        assertEquals(created.held(), holds.heldReads(created.hold(), 2).get(), "what a release's record would name");
        HoldService.Created all = holds.createKeeping(HoldService.newHoldId(), "DPD", "dpd.supervisor", new HoldRequest("DPD-2026-000126",
                "stolen vehicle", "ABC1234", null, null, null, inMonths(1)), 10).get();
        assertEquals(List.of("acso-1", "dpd-1", "dpd-2"), all.held().readIds());
    }

    /**
     * A release interrupted after its hold was marked released (the copies' deletion failed: the
     * definition says released, the copies are still stored) is finished by
     * {@link HoldService#deleteLeftoverCopies}: the copies go, those of a hold still in force stay.
     */
    @Test
    void copiesLeftByAnInterruptedReleaseAreDeleted() throws Exception {
        Hold interrupted = holds.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-000310", "burglary",
                null, List.of("dpd-3"), null, null, inMonths(1))).get();
        Hold inForce = holds.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-000311", "burglary",
                null, List.of("dpd-3"), null, null, inMonths(1))).get();
        // what releaseNow leaves when the bulk delete fails after the definition's update
        es.es.call("POST", "/" + holds.metaIndex() + "/_update/" + interrupted.id() + "?refresh=true",
                "{\"doc\":{\"hold\":{\"released_at\":\"" + Instant.now() + "\",\"released_by\":\"dpd.supervisor\"}}}");
        assertEquals(Set.of("dpd-3"), heldReadIds(interrupted.id()), "the interrupted release left its copy");

        List<String> cleaned = holds.deleteLeftoverCopies().get();

        assertTrue(cleaned.contains(interrupted.id()), "named as finished: " + cleaned);
        assertFalse(cleaned.contains(inForce.id()), "a hold in force is not touched: " + cleaned);
        assertEquals(Set.of(), heldReadIds(interrupted.id()), "its copies are deleted");
        assertEquals(Set.of("dpd-3"), heldReadIds(inForce.id()), "the hold in force keeps its copy");
        assertFalse(holds.deleteLeftoverCopies().get().contains(interrupted.id()), "nothing left the second time");
    }

    /**
     * Copies whose hold has no definition — what a creation that failed part-way leaves — are deleted
     * once {@link HoldService#ORPHAN_GRACE} has passed since they were made; younger ones may belong
     * to a creation under way (the definition is written last) and stay.
     */
    @Test
    void copiesWithoutAHoldAreDeletedOnceTheyAreOlderThanTheGrace() throws Exception {
        Instant old = Instant.now().minus(HoldService.ORPHAN_GRACE).minus(Duration.ofMinutes(5));
        es.put(es.prefix + "-holds", "orphan-old:dpd-3", "{\"read_id\":\"dpd-3\",\"hold\":{\"hold_id\":\"orphan-old\",\"created_at\":\"" + old + "\"}}");
        es.put(es.prefix + "-holds", "orphan-new:dpd-3", "{\"read_id\":\"dpd-3\",\"hold\":{\"hold_id\":\"orphan-new\",\"created_at\":\"" + Instant.now() + "\"}}");

        List<String> cleaned = holds.deleteLeftoverCopies().get();

        assertTrue(cleaned.contains("orphan-old"), "an orphan older than the grace is deleted: " + cleaned);
        assertFalse(cleaned.contains("orphan-new"), "a creation may still be under way: " + cleaned);
        assertEquals(Set.of(), heldReadIds("orphan-old"));
        assertEquals(Set.of("dpd-3"), heldReadIds("orphan-new"));
    }

    @Test
    void holdsPastTheirUntilDateAreReleasedAndTheirCopiesDeleted() throws Exception {
        Hold ending = holds.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-000300", "burglary",
                null, List.of("dpd-3"), null, null, inMonths(1))).get();
        Hold lasting = holds.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-000301", "burglary",
                null, List.of("dpd-3"), null, null, inMonths(6))).get();
        assertEquals(Set.of("dpd-3"), heldReadIds(ending.id()));
        assertTrue(holds.ended().get().stream().noneMatch(h -> h.id().equals(ending.id())), "not yet ended");

        try (HoldService later = new HoldService(es.conn.rest(), es.prefix, new AgencyScope(PlatewardenConfig.demoConfig()), 21, 365,
                Clock.fixed(inMonths(2), java.time.ZoneOffset.UTC))) {
            List<Hold> ended = later.ended().get();
            Hold found = ended.stream().filter(h -> h.id().equals(ending.id())).findFirst().orElseThrow();
            assertTrue(ended.stream().noneMatch(h -> h.id().equals(lasting.id())), "a hold that has not ended stays");
            assertEquals(Set.of("dpd-3"), heldReadIds(ending.id()), "listing an ended hold does not release it");
            HoldService.ReleaseClaim claim = later.claimRelease(found, "node-a").get().orElseThrow();
            assertTrue(later.claimRelease(found, "node-b").get().isEmpty(), "claimed by node-a: not node-b's to release");
            Hold expired = later.releaseEnded(claim).get();
            assertEquals(HoldService.EXPIRY_USER, expired.releasedBy());
            assertNotNull(expired.releasedAt());
            assertTrue(heldReadIds(ending.id()).isEmpty(), "the ended hold's copies are deleted");
            assertEquals(Set.of("dpd-3"), heldReadIds(lasting.id()));
            assertTrue(later.ended().get().stream().noneMatch(h -> h.id().equals(ending.id())),
                    "released once: the next run does not find it again");
        }
        assertTrue(holds.list("DPD").get().stream().anyMatch(h -> h.id().equals(ending.id()) && h.released()),
                "the definition stays, released, as the record that the hold existed");
    }

    @Test
    void holdByReadIdsListAndRelease() throws Exception {
        // every id or none: another agency's read and a mistyped id are named, not left out silently
        ExecutionException partial = assertThrows(ExecutionException.class, () -> holds.create("DPD", "dpd.supervisor",
                new HoldRequest("DPD-2026-000200", "homicide", null, List.of("dpd-3", "acso-1", "other-1", "no-such-read"), null, null,
                        inMonths(6))).get());
        assertInstanceOf(IllegalArgumentException.class, partial.getCause());
        assertTrue(partial.getCause().getMessage().startsWith("2 of the 4 read ids match no read your agency may see"), partial.getCause().getMessage());
        assertTrue(partial.getCause().getMessage().contains(": other-1, no-such-read; nothing was held"), partial.getCause().getMessage());
        assertTrue(holds.list("DPD").get().stream().noneMatch(h -> h.caseNumber().equals("DPD-2026-000200")), "no hold was made");

        Hold hold = holds.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-000200", "homicide",
                null, List.of("dpd-3", "acso-1"), null, null, inMonths(6))).get();
        assertEquals(2, hold.readCount());
        assertEquals(Set.of("dpd-3", "acso-1"), heldReadIds(hold.id()));

        List<Hold> listed = holds.list("DPD").get();
        Hold fromList = listed.stream().filter(h -> h.id().equals(hold.id())).findFirst().orElseThrow();
        assertEquals(hold, fromList);
        assertTrue(holds.list("ACSO").get().stream().noneMatch(h -> h.id().equals(hold.id())), "ACSO does not see DPD's holds");

        ExecutionException foreign = assertThrows(ExecutionException.class, () -> holds.release(hold.id(), "ACSO", "acso.sup").get());
        assertInstanceOf(HoldNotFoundException.class, foreign.getCause());
        assertEquals(Set.of("dpd-3", "acso-1"), heldReadIds(hold.id()), "a refused release changes nothing");

        // what a release would delete, for its audit record: every copy counted, the ids up to the limit, by read id
        assertEquals(new HoldService.HeldReads(2, List.of("acso-1", "dpd-3")), holds.heldReads(hold.id(), "DPD", 10).get());
        assertEquals(new HoldService.HeldReads(2, List.of("acso-1")), holds.heldReads(hold.id(), "DPD", 1).get());
        ExecutionException foreignReads = assertThrows(ExecutionException.class, () -> holds.heldReads(hold.id(), "ACSO", 10).get());
        assertInstanceOf(HoldNotFoundException.class, foreignReads.getCause());

        Hold released = holds.release(hold.id(), "DPD", "dpd.other-supervisor").get();
        assertEquals(new HoldService.HeldReads(0, List.of()), holds.heldReads(hold.id(), "DPD", 10).get(), "nothing left to delete");
        assertNotNull(released.releasedAt());
        assertEquals("dpd.other-supervisor", released.releasedBy());
        assertTrue(heldReadIds(hold.id()).isEmpty(), "release deletes the held copies");
        Hold afterRelease = holds.list("DPD").get().stream().filter(h -> h.id().equals(hold.id())).findFirst().orElseThrow();
        assertTrue(afterRelease.released(), "a released hold is still listed");
        assertEquals(2, afterRelease.readCount());
        assertEquals(released.releasedAt(), holds.release(hold.id(), "DPD", "dpd.supervisor").get().releasedAt(),
                "releasing twice keeps the first release");
        assertTrue(es.exists(DailyIndex.name(es.prefix, AT)), "release never touches the daily indices");
    }

    @Test
    void refusesHoldsWithoutSelectionOrWithAPastUntilAndAgenciesThatSeeNothing() {
        assertRefused(new HoldRequest("C-1", "r", null, null, null, null, inMonths(1)), "DPD", "plate or a list of read ids");
        assertRefused(new HoldRequest("C-1", "r", null, List.of(), null, null, inMonths(1)), "DPD", "plate or a list of read ids");
        assertRefused(new HoldRequest("C-1", "r", "ABC1234", null, null, null, Instant.now().minusSeconds(60)), "DPD", "not in the future");
        assertRefused(new HoldRequest("C-1", "r", "ABC1234", null, null, null, null), "DPD", "until");
        assertRefused(new HoldRequest(" ", "r", "ABC1234", null, null, null, inMonths(1)), "DPD", "case number");
        // forbidden, as a search by FED is (403), not a malformed request
        ExecutionException fed = assertThrows(ExecutionException.class,
                () -> holds.create("FED", "someone", new HoldRequest("C-1", "r", "ABC1234", null, null, null, inMonths(1))).get());
        assertInstanceOf(HoldForbiddenException.class, fed.getCause());
        assertTrue(fed.getCause().getMessage().contains("may not see any reads"), fed.getCause().getMessage());
        assertThrows(HoldForbiddenException.class, () -> holds.check("FED", "someone", null));
        // a pattern or a fragment would be normalised into another exact plate and hold something else
        assertRefused(new HoldRequest("C-1", "r", "R*", null, null, null, inMonths(1)), "DPD", "not a pattern");
        assertRefused(new HoldRequest("C-1", "r", "AB?1234", null, null, null, inMonths(1)), "DPD", "not a pattern");
        // the full-width forms, which a search reads as wildcards (normalising alone would drop them as separators)
        assertRefused(new HoldRequest("C-1", "r", "ABC\uFF0A", null, null, null, inMonths(1)), "DPD", "not a pattern");
        assertRefused(new HoldRequest("C-1", "r", "AB\uFF1F1234", null, null, null, inMonths(1)), "DPD", "not a pattern");
        assertRefused(new HoldRequest("C-1", "r", "R-", null, null, null, inMonths(1)), "DPD", "fewer than 2");
        assertRefused(new HoldRequest("C-1", "r", "ABC1234", List.of("dpd-1"), null, null, inMonths(1)), "DPD", "not both");
    }

    @Test
    void aHoldLastsAtMostHoldMaxDaysAndIsExtendedOnlyWhileItLasts() throws Exception {
        // at most 365 days ahead, for a creation as for an extension
        assertRefused(new HoldRequest("C-1", "r", "ABC1234", null, null, null, Instant.now().plus(366, ChronoUnit.DAYS)), "DPD",
                "more than 365 days ahead");
        Hold hold = holds.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-000400", "homicide",
                null, List.of("dpd-1", "dpd-3"), null, null, inMonths(1))).get();
        assertEquals(Set.of("dpd-1", "dpd-3"), heldReadIds(hold.id()));

        Instant later = inMonths(11);
        assertEquals(hold, holds.checkExtension(hold.id(), "DPD", later).get(), "a check changes nothing");
        assertEquals(Set.of(hold.until().toString()), copiesUntil(hold.id()));
        Hold extended = holds.extend(hold.id(), "DPD", "dpd.other-supervisor", later).get();
        assertEquals(later, extended.until());
        assertEquals(later, holds.find(hold.id(), "DPD").get().until(), "the definition carries the new until");
        assertEquals(Set.of(later.toString()), copiesUntil(hold.id()), "every held copy carries it too: searches filter on it");
        assertEquals(hold.createdAt(), extended.createdAt());
        assertEquals(2, extended.readCount());

        assertExtensionRefused(hold.id(), "DPD", later, "not later than");
        assertExtensionRefused(hold.id(), "DPD", hold.until(), "not later than");
        assertExtensionRefused(hold.id(), "DPD", Instant.now().plus(366, ChronoUnit.DAYS), "more than 365 days ahead");
        assertExtensionRefused(hold.id(), "DPD", null, "new until");
        ExecutionException foreign = assertThrows(ExecutionException.class, () -> holds.extend(hold.id(), "ACSO", "acso.sup", inMonths(12)).get());
        assertInstanceOf(HoldNotFoundException.class, foreign.getCause());
        assertEquals(Set.of(later.toString()), copiesUntil(hold.id()), "refused extensions change nothing");

        // an ended hold (its until passed, not yet released by the expiry pass) and a released one stay ended
        try (HoldService afterUntil = new HoldService(es.conn.rest(), es.prefix, new AgencyScope(PlatewardenConfig.demoConfig()), 21, 365,
                Clock.fixed(later.plusSeconds(1), java.time.ZoneOffset.UTC))) {
            ExecutionException ended = assertThrows(ExecutionException.class,
                    () -> afterUntil.extend(hold.id(), "DPD", "dpd.supervisor", later.plus(30, ChronoUnit.DAYS)).get());
            assertTrue(ended.getCause().getMessage().contains("an ended hold cannot be extended"), ended.getCause().getMessage());
        }
        holds.release(hold.id(), "DPD", "dpd.supervisor").get();
        assertExtensionRefused(hold.id(), "DPD", inMonths(12), "a released hold cannot be extended");
    }

    @Test
    void extensionsRacingEachOtherLeaveTheCopiesWithTheDefinitionsUntil() throws Exception {
        Hold hold = holds.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-000500", "homicide",
                null, List.of("dpd-1", "dpd-2", "dpd-3", "acso-1"), null, null, inMonths(1))).get();
        for (int round = 0; round < 5; round++) {
            List<java.util.concurrent.CompletableFuture<Hold>> racing = new java.util.ArrayList<>();
            for (int days = 0; days < 2; days++) {
                racing.add(holds.extend(hold.id(), "DPD", "dpd.supervisor", inMonths(2 + round).plus(days, ChronoUnit.DAYS)));
            }
            for (var f : racing) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    // the slower one may find the until it asked for no longer later: a refusal, never a failure
                    assertInstanceOf(IllegalArgumentException.class, e.getCause(), String.valueOf(e.getCause()));
                }
            }
            Instant defined = holds.find(hold.id(), "DPD").get().until();
            assertEquals(Set.of(defined.toString()), copiesUntil(hold.id()), "round " + round + ": every copy has the definition's until");
        }
    }

    private Set<String> copiesUntil(String holdId) {
        es.refresh(es.prefix + "-holds");
        JsonNode hits = es.es.call("POST", "/" + es.prefix + "-holds/_search",
                "{\"size\":100,\"query\":{\"term\":{\"hold.hold_id\":\"" + holdId + "\"}}}").path("hits").path("hits");
        Set<String> until = new TreeSet<>();
        for (JsonNode h : hits) until.add(Instant.parse(h.path("_source").path("hold").path("until").asText()).toString());
        return until;
    }

    private void assertExtensionRefused(String holdId, String agency, Instant until, String message) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> holds.extend(holdId, agency, "someone", until).get());
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains(message), e.getCause().getMessage());
        ExecutionException checked = assertThrows(ExecutionException.class, () -> holds.checkExtension(holdId, agency, until).get());
        assertEquals(e.getCause().getMessage(), checked.getCause().getMessage(), "the check refuses as the extension does");
    }

    private void assertRefused(HoldRequest request, String agency, String message) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> holds.create(agency, "someone", request).get());
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains(message), e.getCause().getMessage());
        // the same refusal without Elasticsearch, for the HTTP layer to answer before it records the creation
        IllegalArgumentException checked = assertThrows(IllegalArgumentException.class, () -> holds.check(agency, "someone", request));
        assertEquals(e.getCause().getMessage(), checked.getMessage());
    }

    @Test
    void checkNeedsNoElasticsearch() {
        // nothing listens on port 1: a check that called Elasticsearch would fail with a connection error
        try (ElasticsearchConnection nowhere = new ElasticsearchConnection("http://127.0.0.1:1");
             HoldService offline = new HoldService(nowhere.rest(), es.prefix, new AgencyScope(PlatewardenConfig.demoConfig()), 21, 365, Clock.systemUTC())) {
            offline.check("DPD", "dpd.supervisor", new HoldRequest("C-1", "r", "ABC1234", null, null, null, inMonths(1)));
            assertThrows(IllegalArgumentException.class,
                    () -> offline.check("DPD", "dpd.supervisor", new HoldRequest("C-1", null, "ABC1234", null, null, null, inMonths(1))));
        }
    }

    @Test
    void aHoldTakesTheIdItsCallerChoseAndCanBeFoundByItsAgencyOnly() throws Exception {
        String id = HoldService.newHoldId();
        Hold hold = holds.create(id, "DPD", "dpd.supervisor", new HoldRequest("DPD-2026-000300", "robbery", "ZZZ999",
                null, null, null, inMonths(1))).get();
        assertEquals(id, hold.id());
        assertEquals(Set.of("dpd-3"), heldReadIds(id));
        assertEquals(hold, holds.find(id, "DPD").get());
        ExecutionException foreign = assertThrows(ExecutionException.class, () -> holds.find(id, "ACSO").get());
        assertInstanceOf(HoldNotFoundException.class, foreign.getCause());
        ExecutionException unknown = assertThrows(ExecutionException.class, () -> holds.find("hold-nope", "DPD").get());
        assertInstanceOf(HoldNotFoundException.class, unknown.getCause());
        ExecutionException reused = assertThrows(ExecutionException.class, () -> holds.create(id, "DPD", "dpd.supervisor",
                new HoldRequest("DPD-2026-000301", "robbery", "ZZZ999", null, null, null, inMonths(1))).get());
        assertNotNull(reused.getCause(), "an id is one hold");
        assertThrows(ExecutionException.class, () -> holds.create("mine", "DPD", "dpd.supervisor",
                new HoldRequest("DPD-2026-000302", "robbery", "ZZZ999", null, null, null, inMonths(1))).get());
        holds.release(id, "DPD", "dpd.supervisor").get();
    }

    /**
     * A creation whose definition's write Elasticsearch took without answering (here: never carried
     * out, so the read-back finds nothing) marks the creation failed in the definition's place before
     * it deletes the copies: listed as released by {@link HoldService#CREATION_FAILED_USER}, no reads.
     * The unanswered write, should Elasticsearch carry it out later, is then refused, instead of
     * leaving a hold listed as active whose copies were deleted.
     */
    @Test
    void aCreationWhoseDefinitionWasNotFoundIsMarkedFailedSoALateWriteCannotMakeIt() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean();
        try (org.platewarden.testkit.HangingProxy proxy = new org.platewarden.testkit.HangingProxy(org.platewarden.testkit.ElasticsearchFixture.url());
             ElasticsearchConnection conn = new ElasticsearchConnection(proxy.url());
             HoldService throughProxy = new HoldService(conn.rest(), es.prefix, new AgencyScope(PlatewardenConfig.demoConfig()), 21, 365,
                     Clock.systemUTC(), Duration.ofMillis(1_500))) {
            // the definition's first write is swallowed unanswered; everything after it is answered
            proxy.hangOn(line -> line.contains("-holds-meta/_create/") && first.compareAndSet(false, true));
            String holdId = HoldService.newHoldId();
            HoldRequest request = new HoldRequest("DPD-2026-000320", "burglary", null, List.of("dpd-3"), null, null, inMonths(1));
            ExecutionException failed = assertThrows(ExecutionException.class, () -> throughProxy.create(holdId, "DPD", "dpd.supervisor", request).get());
            assertFalse(failed.getCause() instanceof HoldMayExistException, "it is known not to exist: " + failed.getCause());

            Hold listed = holds.find(holdId, "DPD").get();
            assertTrue(listed.released(), "listed, released: " + listed);
            assertEquals(HoldService.CREATION_FAILED_USER, listed.releasedBy());
            assertEquals(0, listed.readCount());
            assertTrue(holds.list("DPD").get().stream().anyMatch(h -> h.id().equals(holdId) && h.released()));
            assertEquals(Set.of(), heldReadIds(holdId), "its copies are deleted");

            // Elasticsearch carries out the unanswered write late: refused, the hold stays a failed creation
            EsRest.EsCallException late = assertThrows(EsRest.EsCallException.class, () -> es.es.call("PUT", "/" + es.prefix
                    + "-holds-meta/_create/" + holdId + "?refresh=true", "{\"hold\":{\"hold_id\":\"" + holdId
                    + "\",\"agency\":\"DPD\",\"case_number\":\"DPD-2026-000320\",\"created_at\":\"" + Instant.now()
                    + "\",\"until\":\"" + inMonths(1) + "\",\"read_count\":1}}"));
            assertEquals(409, late.status());
            assertTrue(holds.find(holdId, "DPD").get().released(), "still a failed creation");
            assertTrue(holds.ended().get().stream().noneMatch(h -> h.id().equals(holdId)), "nothing for the expiry pass");
        }
    }

    @Test
    void anUnknownHoldCannotBeReleased() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> holds.release("hold-nope", "DPD", "x").get());
        assertInstanceOf(HoldNotFoundException.class, e.getCause());
    }
}
