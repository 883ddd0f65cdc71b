package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.AgencyScope;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.indexer.holds.Hold;
import org.platewarden.indexer.holds.HoldRequest;
import org.platewarden.indexer.holds.HoldService;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.audit.AuditLog;
import org.platewarden.search.audit.AuditRecord;
import org.platewarden.templates.TemplateInstaller;
import org.platewarden.templates.TemplateResources;
import org.platewarden.testkit.ElasticsearchFixture;

/**
 * A hold past its until date is released on the next pass, and the release is in the audit trail;
 * a release whose record cannot be written is not made (the next pass makes it).
 */
class HoldExpiryIT {
    static final Instant CREATED = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    /** the node the tests' passes run on, unless a test runs two */
    static final String NODE = "node-a";
    static String prefix;
    static ElasticsearchConnection es;
    static Vertx vertx;

    /** Keeps what was audited; the chain itself is ChainedAuditLog's business (ChainedAuditLogIT). */
    static class RecordingAuditLog implements AuditLog {
        final List<AuditEntry> entries = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Future<AuditRecord> record(AuditEntry entry) {
            entries.add(entry);
            return Future.succeededFuture(new AuditRecord("audit-" + entries.size(), entries.size(), Instant.now(), "test-node",
                    entry, "prev", "hash"));
        }
    }

    /** An audit trail that cannot be written (its index or journal unavailable). */
    static final class FailingAuditLog implements AuditLog {
        final List<AuditEntry> attempts = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Future<AuditRecord> record(AuditEntry entry) {
            attempts.add(entry);
            return Future.failedFuture(new IllegalStateException("audit trail unavailable (test)"));
        }
    }

    /**
     * An audit trail whose writes fail after the record reached one of its copies (its seq spent:
     * {@link org.platewarden.search.audit.AuditUnavailableException#recordedAs}); keeps the records owed.
     */
    static final class SpentAuditLog implements AuditLog {
        final List<AuditEntry> owed = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Future<AuditRecord> record(AuditEntry entry) {
            return Future.failedFuture(new org.platewarden.search.audit.AuditUnavailableException(
                    "audit write failed: index blocked (test)", false, null, "audit-spent-" + entry.query().path("hold_id").asText()));
        }

        @Override
        public Future<Void> recordOwed(AuditEntry entry) {
            owed.add(entry);
            return Future.succeededFuture();
        }
    }

    private static void blockHoldWrites(boolean blocked) throws java.io.IOException {
        org.elasticsearch.client.Request request = new org.elasticsearch.client.Request("PUT", "/" + prefix + "-holds*/_settings");
        request.setJsonEntity("{\"index.blocks.write\":" + blocked + "}");
        es.rest().performRequest(request);
    }

    @BeforeAll
    static void setUp() {
        prefix = ElasticsearchFixture.uniquePrefix("holdexpiry");
        es = new ElasticsearchConnection(ElasticsearchFixture.url());
        new TemplateInstaller(es.rest(), new TemplateResources(prefix, 21)).install();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void tearDown() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        ElasticsearchFixture.deletePrefix(prefix);
    }

    private static HoldService holdsAt(Instant now) {
        return new HoldService(es.rest(), prefix, new AgencyScope(PlatewardenConfig.demoConfig()), 21, 365, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static List<Hold> pass(HoldExpiry expiry) throws Exception {
        Promise<List<Hold>> done = Promise.promise();
        vertx.runOnContext(v -> expiry.runOnce().onComplete(done));
        return done.future().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void anEndedHoldIsReleasedOnceAndAudited() throws Exception {
        Hold hold;
        try (HoldService now = holdsAt(CREATED)) {
            hold = now.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-000777", "hit and run", "XYZ789",
                    null, null, null, CREATED.plus(Duration.ofDays(7)))).get(60, TimeUnit.SECONDS);
            RecordingAuditLog audit = new RecordingAuditLog();
            assertEquals(List.of(), pass(new HoldExpiry(vertx, now, audit, NODE)), "the hold has not ended");
            assertEquals(List.of(), audit.entries);
        }
        try (HoldService later = holdsAt(CREATED.plus(Duration.ofDays(8)))) {
            RecordingAuditLog audit = new RecordingAuditLog();
            HoldExpiry expiry = new HoldExpiry(vertx, later, audit, NODE);
            List<Hold> released = pass(expiry);
            assertEquals(List.of(hold.id()), released.stream().map(Hold::id).toList());
            assertEquals(1, audit.entries.size());
            AuditEntry entry = audit.entries.get(0);
            assertEquals("hold_release", entry.action());
            assertTrue(org.platewarden.search.audit.AuditVocabulary.ACTIONS.contains(entry.action()), "auditors can filter on it");
            assertEquals(HoldService.EXPIRY_USER, entry.user());
            assertEquals("DPD", entry.agency());
            assertEquals("DPD-2026-000777", entry.caseNumber());
            assertEquals(hold.id(), entry.query().path("hold_id").asText());
            assertTrue(entry.reason().contains("until"), entry.reason());

            assertEquals(List.of(), pass(expiry), "released once");
            assertEquals(1, audit.entries.size(), "audited once");
            Hold listed = later.list("DPD").get(60, TimeUnit.SECONDS).stream().filter(h -> h.id().equals(hold.id()))
                    .findFirst().orElseThrow();
            assertTrue(listed.released());
            assertEquals(HoldService.EXPIRY_USER, listed.releasedBy());
        }
    }

    @Test
    void noHoldIsReleasedWithoutItsRecordAndTheNextPassReleasesIt() throws Exception {
        Hold hold;
        try (HoldService now = holdsAt(CREATED)) {
            hold = now.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-000778", "burglary", "XYZ789",
                    null, null, null, CREATED.plus(Duration.ofDays(3)))).get(60, TimeUnit.SECONDS);
        }
        try (HoldService later = holdsAt(CREATED.plus(Duration.ofDays(4)))) {
            FailingAuditLog failing = new FailingAuditLog();
            assertEquals(List.of(), pass(new HoldExpiry(vertx, later, failing, NODE)), "nothing released without its record");
            assertTrue(failing.attempts.stream().anyMatch(e -> hold.id().equals(e.query().path("hold_id").asText())));
            Hold untouched = later.list("DPD").get(60, TimeUnit.SECONDS).stream().filter(h -> h.id().equals(hold.id()))
                    .findFirst().orElseThrow();
            assertFalse(untouched.released(), "the hold stays until its release can be recorded");
            assertTrue(later.ended().get(60, TimeUnit.SECONDS).stream().anyMatch(h -> h.id().equals(hold.id())),
                    "and the next pass finds it again");

            RecordingAuditLog audit = new RecordingAuditLog();
            List<Hold> released = pass(new HoldExpiry(vertx, later, audit, NODE));
            assertTrue(released.stream().anyMatch(h -> h.id().equals(hold.id())));
            assertEquals(1, audit.entries.stream().filter(e -> hold.id().equals(e.query().path("hold_id").asText())).count());
            assertTrue(later.list("DPD").get(60, TimeUnit.SECONDS).stream()
                    .anyMatch(h -> h.id().equals(hold.id()) && h.released()));
        }
    }

    /**
     * The release's record reached the trail but its write failed: the hold is not released, and a
     * request_correction naming the record says so (the record alone would say the reads were deleted).
     */
    @Test
    void aReleaseWhoseRecordReachedTheTrailButFailedIsCorrected() throws Exception {
        Hold hold;
        try (HoldService now = holdsAt(CREATED)) {
            hold = now.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-000779", "arson", "XYZ789",
                    null, null, null, CREATED.plus(Duration.ofDays(2)))).get(60, TimeUnit.SECONDS);
        }
        try (HoldService later = holdsAt(CREATED.plus(Duration.ofDays(3)))) {
            SpentAuditLog spent = new SpentAuditLog();
            assertTrue(pass(new HoldExpiry(vertx, later, spent, NODE)).stream().noneMatch(h -> h.id().equals(hold.id())), "not released");
            assertFalse(later.list("DPD").get(60, TimeUnit.SECONDS).stream().filter(h -> h.id().equals(hold.id()))
                    .findFirst().orElseThrow().released());
            List<AuditEntry> corrections = spent.owed.stream().filter(e -> hold.id().equals(e.query().path("hold_id").asText())).toList();
            assertEquals(1, corrections.size(), spent.owed.toString());
            AuditEntry correction = corrections.get(0);
            assertEquals("request_correction", correction.action());
            assertTrue(org.platewarden.search.audit.AuditVocabulary.ACTIONS.contains(correction.action()), "auditors can filter on it");
            assertEquals("audit-spent-" + hold.id(), correction.query().path("corrects").asText());
            assertEquals("hold_release", correction.query().path("corrects_action").asText());
            assertEquals("failed", correction.outcome());
            assertEquals(503, correction.status());
            assertEquals(List.of(), correction.readIds());
            assertEquals(HoldService.EXPIRY_USER, correction.user());
            assertEquals("DPD", correction.agency());
            assertEquals("DPD-2026-000779", correction.caseNumber());
            assertTrue(correction.reason().contains("audit-spent-" + hold.id()) && correction.reason().contains("not released"), correction.reason());

            RecordingAuditLog audit = new RecordingAuditLog();
            assertTrue(pass(new HoldExpiry(vertx, later, audit, NODE)).stream().anyMatch(h -> h.id().equals(hold.id())), "a later pass releases it");
        }
    }

    /**
     * The release is recorded, then fails (Elasticsearch refuses the hold's write): a record naming
     * the release's says so, as a supervisor's failed change has one; the next pass records and releases it.
     */
    @Test
    void aReleaseThatFailsAfterItsRecordIsFollowedByARecordNamingIt() throws Exception {
        Hold hold;
        try (HoldService now = holdsAt(CREATED)) {
            hold = now.create("DPD", "dpd.supervisor", new HoldRequest("DPD-2026-000780", "fraud", "XYZ789",
                    null, null, null, CREATED.plus(Duration.ofDays(2)))).get(60, TimeUnit.SECONDS);
        }
        try (HoldService later = holdsAt(CREATED.plus(Duration.ofDays(3)))) {
            // the holds indices refuse writes once the release is claimed and recorded, before it is made
            java.util.concurrent.atomic.AtomicBoolean blocked = new java.util.concurrent.atomic.AtomicBoolean();
            RecordingAuditLog audit = new RecordingAuditLog() {
                @Override
                public Future<AuditRecord> record(AuditEntry entry) {
                    Future<AuditRecord> recorded = super.record(entry);
                    if (!"allowed".equals(entry.outcome()) || !hold.id().equals(entry.query().path("hold_id").asText())
                            || !blocked.compareAndSet(false, true)) {
                        return recorded;
                    }
                    return vertx.executeBlocking(() -> {
                        blockHoldWrites(true);
                        return null;
                    }).compose(v -> recorded);
                }
            };
            HoldExpiry expiry = new HoldExpiry(vertx, later, audit, NODE);
            try {
                assertTrue(pass(expiry).stream().noneMatch(h -> h.id().equals(hold.id())), "not released while its index refuses writes");
            } finally {
                blockHoldWrites(false);
            }
            List<AuditEntry> records = audit.entries.stream().filter(e -> hold.id().equals(e.query().path("hold_id").asText())).toList();
            assertEquals(2, records.size(), "the release's record and its failure: " + records);
            int intentAt = audit.entries.indexOf(records.get(0));
            assertEquals("allowed", records.get(0).outcome());
            AuditEntry failure = records.get(1);
            assertEquals("hold_release", failure.action());
            assertEquals("failed", failure.outcome());
            assertEquals(HoldService.EXPIRY_USER, failure.user());
            assertEquals("DPD-2026-000780", failure.caseNumber());
            assertTrue(failure.reason().startsWith("the change recorded as audit audit-" + (intentAt + 1) + " failed: "), failure.reason());

            assertTrue(pass(expiry).stream().anyMatch(h -> h.id().equals(hold.id())), "the next pass releases it");
            assertEquals(3, audit.entries.stream().filter(e -> hold.id().equals(e.query().path("hold_id").asText())).count());
        }
    }

    /** A hold created at {@link #CREATED} that ends a day later. */
    private static Hold endingAfterADay(String caseNumber) throws Exception {
        try (HoldService now = holdsAt(CREATED)) {
            return now.create("DPD", "dpd.supervisor", new HoldRequest(caseNumber, "robbery", "XYZ789",
                    null, null, null, CREATED.plus(Duration.ofDays(1)))).get(60, TimeUnit.SECONDS);
        }
    }

    private static List<AuditEntry> releasesOf(String holdId, RecordingAuditLog... logs) {
        List<AuditEntry> found = new ArrayList<>();
        for (RecordingAuditLog log : logs) {
            synchronized (log.entries) {
                log.entries.stream().filter(e -> holdId.equals(e.query().path("hold_id").asText())).forEach(found::add);
            }
        }
        return found;
    }

    /**
     * Every search node runs the pass: two nodes whose passes run at the same time against one
     * cluster record each ended hold's release once between them (the release is claimed before it
     * is recorded), and every hold is released.
     */
    @Test
    void twoNodesPassingAtOnceRecordEachReleaseOnce() throws Exception {
        List<Hold> created = new ArrayList<>();
        for (int i = 0; i < 6; i++) created.add(endingAfterADay("DPD-2026-00090" + i));
        Instant later = CREATED.plus(Duration.ofDays(2));
        try (HoldService onA = holdsAt(later); HoldService onB = holdsAt(later)) {
            RecordingAuditLog auditA = new RecordingAuditLog();
            RecordingAuditLog auditB = new RecordingAuditLog();
            HoldExpiry nodeA = new HoldExpiry(vertx, onA, auditA, "node-a");
            HoldExpiry nodeB = new HoldExpiry(vertx, onB, auditB, "node-b");
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                java.util.concurrent.Future<List<Hold>> a = two.submit(() -> {
                    start.await();
                    return pass(nodeA);
                });
                java.util.concurrent.Future<List<Hold>> b = two.submit(() -> {
                    start.await();
                    return pass(nodeB);
                });
                start.countDown();
                List<String> released = new ArrayList<>();
                a.get(120, TimeUnit.SECONDS).forEach(h -> released.add(h.id()));
                b.get(120, TimeUnit.SECONDS).forEach(h -> released.add(h.id()));
                for (Hold hold : created) {
                    List<AuditEntry> records = releasesOf(hold.id(), auditA, auditB);
                    assertEquals(1, records.size(), "one release record for " + hold.id() + " across both nodes: " + records);
                    assertEquals("allowed", records.get(0).outcome());
                    assertEquals(1, released.stream().filter(hold.id()::equals).count(), "released by one node: " + released);
                }
            } finally {
                two.shutdownNow();
            }
            List<Hold> listed = onA.list("DPD").get(60, TimeUnit.SECONDS);
            for (Hold hold : created) {
                assertTrue(listed.stream().anyMatch(h -> h.id().equals(hold.id()) && h.released()), hold.id() + " released");
            }
        }
    }

    /**
     * A node that claimed a release and stopped before making it (a crash) leaves its claim behind:
     * another node's pass skips the hold while the claim stands, and takes the release over once the
     * claim is older than {@link HoldService#RELEASE_CLAIM_TTL}.
     */
    @Test
    void aClaimLeftByAStoppedNodeIsTakenOverOnceItExpires() throws Exception {
        Hold hold = endingAfterADay("DPD-2026-000910");
        Instant claimedAt = CREATED.plus(Duration.ofDays(2));
        try (HoldService crashed = holdsAt(claimedAt)) {
            Hold ended = crashed.ended().get(60, TimeUnit.SECONDS).stream().filter(h -> h.id().equals(hold.id())).findFirst().orElseThrow();
            assertTrue(crashed.claimRelease(ended, "node-crashed").get(60, TimeUnit.SECONDS).isPresent());
        }
        RecordingAuditLog audit = new RecordingAuditLog();
        try (HoldService soon = holdsAt(claimedAt.plus(HoldService.RELEASE_CLAIM_TTL).minusSeconds(60))) {
            assertTrue(pass(new HoldExpiry(vertx, soon, audit, "node-b")).stream().noneMatch(h -> h.id().equals(hold.id())));
            assertEquals(List.of(), releasesOf(hold.id(), audit), "the claim stands: not node-b's to record");
            assertFalse(soon.list("DPD").get(60, TimeUnit.SECONDS).stream().filter(h -> h.id().equals(hold.id())).findFirst()
                    .orElseThrow().released());
        }
        try (HoldService expired = holdsAt(claimedAt.plus(HoldService.RELEASE_CLAIM_TTL).plusSeconds(1))) {
            assertTrue(pass(new HoldExpiry(vertx, expired, audit, "node-b")).stream().anyMatch(h -> h.id().equals(hold.id())),
                    "taken over once the claim expired");
            List<AuditEntry> records = releasesOf(hold.id(), audit);
            assertEquals(1, records.size(), records.toString());
            assertEquals(HoldService.EXPIRY_USER, records.get(0).user());
            assertTrue(expired.list("DPD").get(60, TimeUnit.SECONDS).stream().anyMatch(h -> h.id().equals(hold.id()) && h.released()));
        }
    }
}
