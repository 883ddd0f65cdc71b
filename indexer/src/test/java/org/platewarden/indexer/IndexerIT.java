package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.CompactionConfig;
import org.platewarden.core.config.IndexerConfig;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.spool.Spool;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.testkit.ElasticsearchFixture;

/** The indexer against the shared real Elasticsearch node, reading a real file-backed spool. */
class IndexerIT {
    private static EsTestSupport es;

    @TempDir
    Path dir;
    private Spool spool;
    private DeadLetterStore deadLetters;
    private Indexer indexer;
    private SimpleMeterRegistry registry;

    @BeforeAll
    static void setUp() {
        es = new EsTestSupport("indexer");
    }

    @AfterAll
    static void tearDown() {
        es.close();
    }

    @AfterEach
    void stop() throws Exception {
        if (indexer != null) indexer.stop().get();
        if (spool != null) spool.close();
        if (deadLetters != null) deadLetters.close();
    }

    private void startIndexer(String prefix, IndexerConfig config) {
        startIndexer(prefix, config, es.conn);
    }

    private void startIndexer(String prefix, IndexerConfig config, ElasticsearchConnection conn) {
        spool = TestSpools.open(dir.resolve("spool"));
        deadLetters = new DeadLetterStore(dir.resolve("deadletter"));
        registry = new SimpleMeterRegistry();
        indexer = new Indexer(spool, new ElasticsearchBulkTransport(conn.rest()), deadLetters, prefix, config, 21,
                RetryPolicy.of(Duration.ofMillis(20), Duration.ofMillis(500)), registry, Clock.systemUTC());
        indexer.start().join();
    }

    private void awaitDrained() throws InterruptedException {
        EsTestSupport.await("checkpoint to reach the spool end", 60_000,
                () -> spool.lastDurableSeq() > 0 && spool.checkpoint() == spool.lastDurableSeq());
    }

    @Test
    void readsOfThreeCaptureDaysLandInTheirDailyIndicesWithExactCounts() throws Exception {
        String prefix = es.prefix + "-happy";
        startIndexer(prefix, new IndexerConfig(400, 256 * 1024, 50, 2, 3600, CompactionConfig.defaults()));
        Instant day0 = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(2, ChronoUnit.DAYS);
        int perDay = 1000;
        int[] counts = {perDay, perDay + 37, perDay - 211};
        int n = 0;
        for (int d = 0; d < 3; d++) {
            List<byte[]> chunk = new ArrayList<>();
            for (int i = 0; i < counts[d]; i++) {
                Instant at = day0.plus(d, ChronoUnit.DAYS).plusSeconds(i * 7L % 86_000);
                chunk.add(TestReads.bytes("cam-001:" + d + ":" + i, "cam-001", "DPD", at, "ABC" + (1000 + i)));
                if (chunk.size() == 250) {
                    spool.append(chunk).join();
                    chunk = new ArrayList<>();
                }
                n++;
            }
            if (!chunk.isEmpty()) spool.append(chunk).join();
        }
        awaitDrained();

        assertEquals(n, spool.checkpoint(), "checkpoint = last seq");
        for (int d = 0; d < 3; d++) {
            assertEquals(counts[d], es.count(DailyIndex.name(prefix, day0.plus(d, ChronoUnit.DAYS))), "day " + d);
        }
        assertEquals(n, es.count(prefix + "-reads-*"));
        assertEquals(n, registry.counter("platewarden.indexer.reads.indexed").count());
        assertEquals(0, indexer.lagReads());
        assertTrue(registry.timer("platewarden.indexer.bulk.latency", "outcome", "ok").count() >= 7, "at least n/400 bulks");
        assertEquals(1, ((org.platewarden.core.spool.SegmentedSpool) spool).segmentFiles().size(),
                "segments behind the checkpoint are deleted; only the newest stays");
    }

    /**
     * A read whose day passed retention while it sat in the spool (Elasticsearch was down for days)
     * creates no index for that day and is not indexed: it is dead-lettered without its plate. A read
     * of a day inside the window beside it is indexed.
     */
    @Test
    void aReadPastRetentionInTheSpoolCreatesNoIndexForItsExpiredDay() throws Exception {
        String prefix = es.prefix + "-expired";
        startIndexer(prefix, new IndexerConfig(100, 1024 * 1024, 20, 2, 3600, CompactionConfig.defaults()));
        Instant old = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(25, ChronoUnit.DAYS).plus(9, ChronoUnit.HOURS);
        Instant fresh = Instant.now().minus(1, ChronoUnit.HOURS);
        spool.append(List.of(TestReads.bytes("cam-001:old-1", "cam-001", "DPD", old, "OLD 901"),
                TestReads.bytes("cam-001:new-1", "cam-001", "DPD", fresh, "NEW 902"))).join();
        awaitDrained();

        assertFalse(es.exists(DailyIndex.name(prefix, old)), "no index for an expired day");
        assertEquals(1, es.count(DailyIndex.name(prefix, fresh)));
        assertEquals(1, es.count(prefix + "-reads-*"));
        List<DeadLetter> letters = deadLetters.readAll();
        assertEquals(1, letters.size(), letters.toString());
        assertEquals(DeadLetter.PAST_RETENTION, letters.get(0).payloadWithheld());
        assertNull(letters.get(0).payload());
        assertEquals(old, letters.get(0).capturedAt());
        assertEquals("cam-001:old-1", letters.get(0).readId());
        assertTrue(letters.get(0).reason().startsWith("too_old: "), letters.get(0).reason());
    }

    @Test
    void aReadAppendedTwiceIsIndexedOnce() throws Exception {
        String prefix = es.prefix + "-dup";
        startIndexer(prefix, new IndexerConfig(100, 1024 * 1024, 20, 2, 3600, CompactionConfig.defaults()));
        Instant at = Instant.now().minus(1, ChronoUnit.HOURS);
        byte[] read = TestReads.bytes("cam-002:dup:1", "cam-002", "DPD", at, "DUP 001");
        byte[] other = TestReads.bytes("cam-002:dup:2", "cam-002", "DPD", at, "DUP 002");
        spool.append(List.of(read, other)).join();
        awaitDrained();
        // the camera resends after a lost ack: same bytes again, alone and twice in one frame
        spool.append(List.of(read)).join();
        spool.append(List.of(read, read.clone(), other)).join();
        awaitDrained();

        Map<String, Integer> ids = es.readIdCounts(prefix);
        assertEquals(Map.of("cam-002:dup:1", 1, "cam-002:dup:2", 1), ids);
        assertEquals(6, spool.checkpoint());
        assertEquals(2, registry.counter("platewarden.indexer.reads.indexed").count());
        assertEquals(4, registry.counter("platewarden.indexer.reads.already_indexed").count(), "each 409 looked up and found to be the read itself");
        assertTrue(deadLetters.readAll().isEmpty(), "a resend is no read_id conflict");
        assertEquals(0, registry.counter("platewarden.indexer.read_id_conflicts").count());
    }

    @Test
    void aReadWhoseReadIdAnotherReadOfTheDayAlreadyHoldsIsDeadLetteredNotDropped() throws Exception {
        String prefix = es.prefix + "-conflict";
        startIndexer(prefix, new IndexerConfig(100, 1024 * 1024, 20, 2, 3600, CompactionConfig.defaults()));
        // yesterday at noon: every read below falls on the same day, whenever the test runs
        Instant at = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(12, ChronoUnit.HOURS).plusMillis(229);
        String index = DailyIndex.name(prefix, at);
        // camera cam-001's read 42; cam-002 numbers its reads too, and its own read 42 is also "42"
        byte[] first = TestReads.bytes("42", "cam-001", "DPD", at, "FIRST1");
        byte[] otherCamera = TestReads.bytes("42", "cam-002", "DPD", at.plusMillis(1500), "OTHER2");
        spool.append(List.of(first, otherCamera)).join();
        awaitDrained();
        // a later batch: cam-001 rebooted and its counter started over, then it resends read 42 as it was
        byte[] afterReboot = TestReads.bytes("42", "cam-001", "DPD", at.plusSeconds(60), "REBOOT3");
        spool.append(List.of(afterReboot, first)).join();
        awaitDrained();

        assertEquals(4, spool.checkpoint(), "dead letters finish their reads: the checkpoint passes them");
        assertEquals(Map.of("42", 1), es.readIdCounts(prefix));
        JsonNode stored = es.es.call("GET", "/" + index + "/_doc/42", null).path("_source");
        assertEquals("cam-001", stored.path("camera_id").asText());
        assertEquals("FIRST1", stored.path("plate").asText(), "the first read keeps its id");

        List<DeadLetter> letters = deadLetters.readAll();
        assertEquals(2, letters.size(), letters.toString());
        DeadLetter fromOtherCamera = letters.get(0);
        assertEquals("indexer", fromOtherCamera.stage());
        assertEquals("42", fromOtherCamera.readId());
        assertEquals("cam-002", fromOtherCamera.cameraId());
        assertEquals("read_id_conflict: read_id '42' is already used in " + index + " by another read (camera cam-001, captured " + at
                + ", plate 'FIRST1'); this read (camera cam-002, captured " + at.plusMillis(1500) + ", plate 'OTHER2') was not indexed",
                fromOtherCamera.reason());
        assertEquals(new String(otherCamera, StandardCharsets.UTF_8), fromOtherCamera.payload(), "the read as spooled");
        DeadLetter fromReboot = letters.get(1);
        assertEquals("cam-001", fromReboot.cameraId());
        assertTrue(fromReboot.reason().contains("(camera cam-001, captured " + at.plusSeconds(60) + ", plate 'REBOOT3') was not indexed"),
                fromReboot.reason());
        assertEquals(new String(afterReboot, StandardCharsets.UTF_8), fromReboot.payload());

        assertEquals(1, registry.counter("platewarden.indexer.reads.indexed").count());
        assertEquals(1, registry.counter("platewarden.indexer.reads.already_indexed").count(), "the resend of read 42 as it was");
        assertEquals(2, registry.counter("platewarden.indexer.read_id_conflicts").count());
        assertEquals(2, registry.counter("platewarden.indexer.deadletters").count());
    }

    @Test
    void anotherPlateUnderTheSameReadIdAndCaptureTimeIsAConflictNotAResend() throws Exception {
        String prefix = es.prefix + "-sameinstant";
        startIndexer(prefix, new IndexerConfig(100, 1024 * 1024, 20, 2, 3600, CompactionConfig.defaults()));
        Instant at = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(12, ChronoUnit.HOURS);
        String index = DailyIndex.name(prefix, at);
        // cam-002's read dup1; then two other plates under the same id and the same capture time
        byte[] first = TestReads.bytes("cam-002:dup1", "cam-002", "DPD", at, "DUP1111");
        spool.append(List.of(first)).join();
        awaitDrained();
        byte[] second = TestReads.bytes("cam-002:dup1", "cam-002", "DPD", at, "DUP2222");
        byte[] third = TestReads.bytes("cam-002:dup1", "cam-002", "DPD", at, "DUP3333");
        // honest retries of the first: received again later (another received_at), over MQTT this
        // time, or by a camera that spaces its plates differently: the same read
        byte[] retried = TestReads.bytes("cam-002:dup1", "cam-002", "DPD", at, "DUP1111");
        byte[] overMqtt = TestReads.json("cam-002:dup1", "cam-002", "DPD", at, "DUP1111")
                .replace("\"source\":\"http\"", "\"source\":\"mqtt\"").getBytes(StandardCharsets.UTF_8);
        byte[] spaced = TestReads.bytes("cam-002:dup1", "cam-002", "DPD", at, "DUP 1111");
        spool.append(List.of(second, retried, third, overMqtt, spaced)).join();
        awaitDrained();

        assertEquals(Map.of("cam-002:dup1", 1), es.readIdCounts(prefix));
        JsonNode stored = es.es.call("GET", "/" + index + "/_doc/cam-002:dup1", null).path("_source");
        assertEquals("DUP1111", stored.path("plate").asText(), "the first read keeps its id");
        List<DeadLetter> letters = deadLetters.readAll();
        assertEquals(2, letters.size(), letters.toString());
        assertEquals("read_id_conflict: read_id 'cam-002:dup1' is already used in " + index + " by another read (camera cam-002, captured " + at
                + ", plate 'DUP1111'); this read (camera cam-002, captured " + at + ", plate 'DUP2222') was not indexed",
                letters.get(0).reason());
        assertEquals(new String(second, StandardCharsets.UTF_8), letters.get(0).payload(), "the read as spooled");
        assertTrue(letters.get(1).reason().contains("plate 'DUP3333') was not indexed"), letters.get(1).reason());
        assertEquals("cam-002", letters.get(1).cameraId());
        assertEquals(1, registry.counter("platewarden.indexer.reads.indexed").count());
        assertEquals(3, registry.counter("platewarden.indexer.reads.already_indexed").count(), "the three retries");
        assertEquals(2, registry.counter("platewarden.indexer.read_id_conflicts").count());
    }

    @Test
    void aReadElasticsearchRejectsIsDeadLetteredWithTheReasonAndTheCheckpointPassesIt() throws Exception {
        String prefix = es.prefix + "-dead";
        startIndexer(prefix, new IndexerConfig(100, 1024 * 1024, 20, 2, 3600, CompactionConfig.defaults()));
        Instant at = Instant.now().minus(2, ChronoUnit.HOURS);
        byte[] good1 = TestReads.bytes("cam-001:ok:1", "cam-001", "DPD", at, "GOOD1");
        // the gateway would never let this through: lane is a short in the mapping
        String badJson = TestReads.json("cam-001:bad:1", "cam-001", "DPD", at, "BAD1").replace("\"lane\":2", "\"lane\":\"left\"");
        byte[] notJson = "{\"read_id\":\"x\",\"captured_at\":".getBytes(StandardCharsets.UTF_8);
        byte[] good2 = TestReads.bytes("cam-001:ok:2", "cam-001", "DPD", at, "GOOD2");
        // the locator stops after the four leading fields; the cut-off rest is Elasticsearch's to refuse
        String cutJson = "{\"read_id\":\"cam-001:cut:1\",\"camera_id\":\"cam-001\",\"captured_at\":\"" + at
                + "\",\"received_at\":\"" + at + "\",\"plate\":\"CUT1\",\"plate_grams\":[\"C\",";
        spool.append(List.of(good1, badJson.getBytes(StandardCharsets.UTF_8), notJson, good2,
                cutJson.getBytes(StandardCharsets.UTF_8))).join();
        awaitDrained();

        assertEquals(5, spool.checkpoint());
        assertEquals(Map.of("cam-001:ok:1", 1, "cam-001:ok:2", 1), es.readIdCounts(prefix));
        List<DeadLetter> letters = deadLetters.readAll();
        assertEquals(3, letters.size(), letters.toString());
        DeadLetter cut = letters.stream().filter(l -> "cam-001:cut:1".equals(l.readId())).findFirst().orElseThrow();
        assertTrue(cut.reason().contains("400"), cut.reason());
        assertEquals(cutJson, cut.payload());
        DeadLetter refused = letters.stream().filter(l -> "cam-001:bad:1".equals(l.readId())).findFirst().orElseThrow();
        assertEquals("indexer", refused.stage());
        assertEquals("cam-001", refused.cameraId());
        assertTrue(refused.reason().contains("400") && refused.reason().contains("parsing_exception") && refused.reason().contains("[lane]"),
                refused.reason());
        assertEquals(badJson, refused.payload());
        DeadLetter broken = letters.stream().filter(l -> l.readId() == null).findFirst().orElseThrow();
        assertTrue(broken.reason().contains("not valid JSON"), broken.reason());
        assertEquals(3, registry.counter("platewarden.indexer.deadletters").count());
    }

    @Test
    void aBulkOverTheBodyLimitOfAProxyInFrontOfElasticsearchIsIndexedInHalves() throws Exception {
        String prefix = es.prefix + "-413";
        // ~1 KB per read on the wire: bulks of 100 reads are refused, of 25 pass
        try (BodyLimitProxy proxy = new BodyLimitProxy(ElasticsearchFixture.url(), 40_000);
             ElasticsearchConnection viaProxy = new ElasticsearchConnection(proxy.url())) {
            startIndexer(prefix, new IndexerConfig(100, 1024 * 1024, 20, 2, 3600, CompactionConfig.defaults()), viaProxy);
            Instant at = Instant.now().minus(4, ChronoUnit.HOURS);
            List<byte[]> reads = new ArrayList<>();
            for (int i = 0; i < 300; i++) reads.add(TestReads.bytes("cam-001:big:" + i, "cam-001", "DPD", at, "BIG" + i));
            spool.append(reads).join();
            awaitDrained();
            indexer.stop().get();

            assertEquals(300, spool.checkpoint());
            Map<String, Integer> indexed = es.readIdCounts(prefix);
            assertEquals(300, indexed.size());
            assertTrue(indexed.values().stream().allMatch(n -> n == 1));
            assertEquals(300, registry.counter("platewarden.indexer.reads.indexed").count(), "each read created once");
            assertTrue(deadLetters.readAll().isEmpty(), "nothing is refused once the requests are small enough");
            double splits = registry.find("platewarden.indexer.bulk.splits").tag("cause", "request_http_413").counter().count();
            assertTrue(splits >= 3 && proxy.refused.get() == splits, splits + " splits, " + proxy.refused.get() + " refused by the proxy");
        }
    }

    @Test
    void resumesAtTheCheckpointAfterARestart() throws Exception {
        String prefix = es.prefix + "-restart";
        startIndexer(prefix, new IndexerConfig(50, 1024 * 1024, 20, 2, 3600, CompactionConfig.defaults()));
        Instant at = Instant.now().minus(3, ChronoUnit.HOURS);
        List<byte[]> first = new ArrayList<>();
        for (int i = 0; i < 120; i++) first.add(TestReads.bytes("cam-001:r:" + i, "cam-001", "DPD", at, "RST" + i));
        spool.append(first).join();
        awaitDrained();
        indexer.stop().get();
        List<byte[]> second = new ArrayList<>();
        for (int i = 120; i < 200; i++) second.add(TestReads.bytes("cam-001:r:" + i, "cam-001", "DPD", at, "RST" + i));
        spool.append(second).join();
        assertEquals(120, spool.checkpoint(), "a stopped indexer does not move the checkpoint");

        indexer = new Indexer(spool, new ElasticsearchBulkTransport(es.conn.rest()), deadLetters, prefix,
                new IndexerConfig(50, 1024 * 1024, 20, 2, 3600, CompactionConfig.defaults()), 21, RetryPolicy.of(Duration.ofMillis(20), Duration.ofMillis(500)),
                new SimpleMeterRegistry(), Clock.systemUTC());
        indexer.start().join();
        awaitDrained();
        assertEquals(200, es.readIdCounts(prefix).size());
        assertEquals(200, es.count(prefix + "-reads-*"));
    }
}
