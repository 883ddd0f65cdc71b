package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.CompactionConfig;
import org.platewarden.core.config.IndexerConfig;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.spool.SegmentedSpool;
import org.platewarden.testkit.LogCapture;
import org.platewarden.testkit.SettableClock;

/**
 * Retry classification and checkpoint ordering with a scripted transport (no Elasticsearch: the
 * behaviour against the real node is covered by IndexerIT and IndexerOutageIT).
 */
class IndexerRetryTest {
    @TempDir
    Path dir;
    private SegmentedSpool spool;
    private DeadLetterStore deadLetters;
    private Indexer indexer;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<List<String>> sent = Collections.synchronizedList(new ArrayList<>());
    private final List<List<String>> looked = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger mostOpen = new AtomicInteger();
    /** The reads here are of 2026-01-01: retention is a century unless a test is about it. */
    private int retentionDays = 36_500;
    private Clock clock = Clock.systemUTC();

    @AfterEach
    void tearDown() throws Exception {
        if (indexer != null) indexer.stop().get();
        if (spool != null) spool.close();
        if (deadLetters != null) deadLetters.close();
    }

    private void start(IndexerConfig config, Function<List<PendingRead>, CompletableFuture<List<BulkItemResult>>> script) {
        start(config, script, IndexerRetryTest::storedAsSent);
    }

    private void start(IndexerConfig config, Function<List<PendingRead>, CompletableFuture<List<BulkItemResult>>> script,
                       Function<List<PendingRead>, CompletableFuture<List<StoredRead>>> lookup) {
        spool = TestSpools.open(dir.resolve("spool"));
        deadLetters = new DeadLetterStore(dir.resolve("dl"));
        BulkTransport transport = new BulkTransport() {
            @Override
            public CompletableFuture<List<BulkItemResult>> send(List<PendingRead> reads) {
                sent.add(reads.stream().map(PendingRead::id).toList());
                return script.apply(reads);
            }

            @Override
            public CompletableFuture<List<StoredRead>> stored(List<PendingRead> reads) {
                looked.add(reads.stream().map(PendingRead::id).toList());
                return lookup.apply(reads);
            }
        };
        indexer = new Indexer(spool, transport, deadLetters, "p", config, retentionDays,
                new RetryPolicy(Duration.ofMillis(5), Duration.ofMillis(50), () -> 0.5), registry, clock);
        indexer.start().join();
    }

    private static byte[] read(int i) {
        return TestReads.bytes("r" + i, "cam-001", "DPD", Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i), "P" + i);
    }

    private static List<byte[]> reads(int n) {
        List<byte[]> reads = new ArrayList<>();
        for (int i = 1; i <= n; i++) reads.add(read(i));
        return reads;
    }

    /** The lookup after a 409 finds each read itself: every 409 is a resend. */
    private static CompletableFuture<List<StoredRead>> storedAsSent(List<PendingRead> reads) {
        return CompletableFuture.completedFuture(reads.stream().map(r -> new StoredRead(r.cameraId(), r.capturedAt().toString(), ReadPlate.ofSpooled(r.json()))).toList());
    }

    private static CompletableFuture<List<BulkItemResult>> all(List<PendingRead> reads, int status) {
        List<BulkItemResult> out = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) out.add(BulkItemResult.ok(status));
        return CompletableFuture.completedFuture(out);
    }

    private double retries(String cause) {
        return count("platewarden.indexer.retries", cause);
    }

    private double splits(String cause) {
        return count("platewarden.indexer.bulk.splits", cause);
    }

    private double count(String name, String cause) {
        var c = cause == null ? registry.find(name).counters() : registry.find(name).tag("cause", cause).counters();
        return c.stream().mapToDouble(Counter::count).sum();
    }

    private static List<String> ids(int from, int to) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i <= to; i++) ids.add("r" + i);
        return ids;
    }

    /** Answers a few milliseconds later, counting requests out at the same time. */
    private CompletableFuture<List<BulkItemResult>> later(CompletableFuture<List<BulkItemResult>> answer) {
        mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        return CompletableFuture.runAsync(open::decrementAndGet, CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS))
                .thenCompose(v -> answer);
    }

    @Test
    void itemsAnswered429And503AreSentAgainAloneUntilCreated() throws Exception {
        ConcurrentLinkedQueue<Integer> firstAnswers = new ConcurrentLinkedQueue<>(List.of(201, 429, 503, 409));
        start(new IndexerConfig(10, 1 << 20, 5, 1, 3600, CompactionConfig.defaults()), reads -> {
            if (sent.size() == 1) {
                List<BulkItemResult> out = new ArrayList<>();
                for (PendingRead ignored : reads) {
                    int s = firstAnswers.poll();
                    out.add(s >= 300 && s != 409 ? new BulkItemResult(s, "es_rejected_execution_exception", "busy") : BulkItemResult.ok(s));
                }
                return CompletableFuture.completedFuture(out);
            }
            return all(reads, 201);
        });
        spool.append(List.of(read(1), read(2), read(3), read(4))).join();
        EsTestSupport.await("checkpoint 4", 10_000, () -> spool.checkpoint() == 4);
        assertEquals(List.of("r1", "r2", "r3", "r4"), sent.get(0));
        assertEquals(List.of("r2", "r3"), sent.get(1), "only the retryable items are sent again");
        assertEquals(1, retries("item_429"));
        assertEquals(1, retries("item_5xx"));
        assertEquals(3, registry.counter("platewarden.indexer.reads.indexed").count());
        assertEquals(1, registry.counter("platewarden.indexer.reads.already_indexed").count());
    }

    @Test
    void aWholeRequestFailureRetriesTheWholeBatch() throws Exception {
        start(new IndexerConfig(10, 1 << 20, 5, 1, 3600, CompactionConfig.defaults()), reads -> sent.size() <= 2
                ? CompletableFuture.failedFuture(new IOException("refused", new ConnectException("Connection refused")))
                : all(reads, 201));
        spool.append(List.of(read(1), read(2), read(3))).join();
        EsTestSupport.await("checkpoint 3", 10_000, () -> spool.checkpoint() == 3);
        assertEquals(3, sent.size());
        assertTrue(sent.stream().allMatch(ids -> ids.equals(List.of("r1", "r2", "r3"))));
        assertEquals(6, retries("request_connection"));
    }

    @Test
    void theCheckpointWaitsForAnEarlierBatchThatFinishesLast() throws Exception {
        CompletableFuture<List<BulkItemResult>> slowFirst = new CompletableFuture<>();
        start(new IndexerConfig(2, 1 << 20, 5, 2, 3600, CompactionConfig.defaults()), reads -> reads.get(0).id().equals("r1") ? slowFirst : all(reads, 201));
        spool.append(List.of(read(1), read(2), read(3), read(4))).join();
        EsTestSupport.await("both batches sent", 10_000, () -> sent.size() == 2);
        Thread.sleep(200);
        assertEquals(0, spool.checkpoint(), "batch 2 is done but batch 1 is not: the checkpoint must not move");
        assertEquals(4, indexer.lagReads());
        assertTrue(indexer.lagSeconds() > 0, "the oldest pending read has an age");
        assertEquals(4.0, registry.get("platewarden.indexer.spool.lag.reads").gauge().value());
        slowFirst.complete(List.of(BulkItemResult.ok(201), BulkItemResult.ok(201)));
        EsTestSupport.await("checkpoint 4", 10_000, () -> spool.checkpoint() == 4);
        EsTestSupport.await("no pending read left", 10_000, () -> indexer.lagSeconds() == 0.0);
        assertEquals(0.0, registry.get("platewarden.indexer.spool.lag.reads").gauge().value());
    }

    @Test
    void atMostMaxInFlightBatchesAreUnfinished() throws Exception {
        List<CompletableFuture<List<BulkItemResult>>> pending = Collections.synchronizedList(new ArrayList<>());
        start(new IndexerConfig(2, 1 << 20, 5, 2, 3600, CompactionConfig.defaults()), reads -> {
            CompletableFuture<List<BulkItemResult>> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        });
        List<byte[]> many = new ArrayList<>();
        for (int i = 1; i <= 20; i++) many.add(read(i));
        spool.append(many).join();
        EsTestSupport.await("two batches sent", 10_000, () -> sent.size() == 2);
        Thread.sleep(300);
        assertEquals(2, sent.size(), "no third bulk while two are unanswered");
        pending.get(0).complete(List.of(BulkItemResult.ok(201), BulkItemResult.ok(201)));
        EsTestSupport.await("a third batch once a slot frees", 10_000, () -> sent.size() == 3);
    }

    @Test
    void itemsElasticsearchRefusesAreDeadLetteredWithTheReason() throws Exception {
        start(new IndexerConfig(10, 1 << 20, 5, 1, 3600, CompactionConfig.defaults()), reads -> CompletableFuture.completedFuture(List.of(
                BulkItemResult.ok(201), new BulkItemResult(400, "document_parsing_exception", "failed to parse field [lane]"))));
        spool.append(List.of(read(1), read(2))).join();
        EsTestSupport.await("checkpoint 2", 10_000, () -> spool.checkpoint() == 2);
        var letters = deadLetters.readAll();
        assertEquals(1, letters.size());
        assertEquals("r2", letters.get(0).readId());
        assertTrue(letters.get(0).reason().contains("document_parsing_exception") && letters.get(0).reason().contains("[lane]"));
        assertEquals(1, sent.size(), "a refused read is not sent again");
    }

    @Test
    void aReadThatMakesElasticsearchRefuseTheWholeRequestIsIsolatedByHalvingAndDeadLettered() throws Exception {
        Throwable parseError = ClientFailures.parseError();
        start(new IndexerConfig(10, 1 << 20, 5, 1, 3600, CompactionConfig.defaults()), reads -> later(reads.stream().anyMatch(r -> r.id().equals("r7"))
                ? CompletableFuture.failedFuture(parseError) : all(reads, 201)));
        List<byte[]> reads = reads(20);
        spool.append(reads).join();
        EsTestSupport.await("checkpoint 20", 10_000, () -> spool.checkpoint() == 20);

        assertEquals(List.of(ids(1, 10), ids(1, 5), ids(6, 10), List.of("r6", "r7"), List.of("r6"), List.of("r7"),
                ids(8, 10), ids(11, 20)), sent, "halves, one after the other, until r7 is alone; then the next batch");
        assertEquals(1, mostOpen.get(), "the halves are requests of the batch: max_in_flight 1 is never exceeded");
        List<DeadLetter> letters = deadLetters.readAll();
        assertEquals(1, letters.size(), letters.toString());
        DeadLetter poison = letters.get(0);
        assertEquals("r7", poison.readId());
        assertEquals("cam-001", poison.cameraId());
        assertEquals("indexer", poison.stage());
        assertEquals("elasticsearch_refused: elasticsearch refused the bulk request containing only this read (400 x_content_parse_exception): "
                + "[1:52] Unexpected end-of-input in VALUE_STRING", poison.reason());
        assertEquals(new String(reads.get(6), StandardCharsets.UTF_8), poison.payload(), "the read as spooled");
        assertEquals(19, registry.counter("platewarden.indexer.reads.indexed").count(), "every other read, each indexed once");
        assertEquals(0, registry.counter("platewarden.indexer.reads.already_indexed").count());
        assertEquals(1, registry.counter("platewarden.indexer.deadletters").count());
        assertEquals(3, splits("request_http_400"));
        assertEquals(0, retries(null), "a refusal is not retried");
    }

    @Test
    void aClusterRefusingEveryRequestDeadLettersNothingAndTheBatchIsIndexedOnceItAcceptsAgain() throws Exception {
        Throwable parseError = ClientFailures.parseError();
        java.util.concurrent.atomic.AtomicBoolean refusing = new java.util.concurrent.atomic.AtomicBoolean(true);
        start(new IndexerConfig(4, 1 << 20, 5, 1, 3600, CompactionConfig.defaults()), reads -> refusing.get()
                ? CompletableFuture.failedFuture(parseError) : all(reads, 201));
        spool.append(reads(4)).join();
        // each attempt splits down to single reads: [1-4] [1,2] [1] [2] [3,4] [3] [4]; wait for two attempts
        EsTestSupport.await("two split attempts", 10_000, () -> sent.size() >= 14);
        assertTrue(deadLetters.readAll().isEmpty(), "a refusal of every request is no proof against any read");
        assertEquals(0, spool.checkpoint());
        assertTrue(retries("request_http_400") >= 8, "the unanswered reads are retried with backoff");

        refusing.set(false);
        EsTestSupport.await("checkpoint 4", 10_000, () -> spool.checkpoint() == 4);
        // the counter is the indexer thread's, updated around the checkpoint: wait for it, do not race it
        EsTestSupport.await("4 reads counted as indexed", 10_000, () -> registry.counter("platewarden.indexer.reads.indexed").count() == 4);
        assertTrue(deadLetters.readAll().isEmpty());
        assertEquals(ids(1, 4), sent.get(sent.size() - 1), "once accepted again, the batch goes whole");
    }

    @Test
    void aBulkTooLargeForTheClusterIsIndexedInHalves() throws Exception {
        Throwable tooLarge = ClientFailures.answeredWith(413, null);
        start(new IndexerConfig(10, 1 << 20, 5, 1, 3600, CompactionConfig.defaults()), reads -> reads.size() > 3
                ? CompletableFuture.failedFuture(tooLarge) : all(reads, 201));
        List<byte[]> reads = reads(10);
        spool.append(reads).join();
        EsTestSupport.await("checkpoint 10", 10_000, () -> spool.checkpoint() == 10);

        assertEquals(List.of(ids(1, 10), ids(1, 5), ids(1, 2), ids(3, 5), ids(6, 10), ids(6, 7), ids(8, 10)), sent);
        assertEquals(10, registry.counter("platewarden.indexer.reads.indexed").count());
        assertEquals(0, registry.counter("platewarden.indexer.reads.already_indexed").count());
        assertTrue(deadLetters.readAll().isEmpty(), "nothing is refused once the requests are small enough");
        assertEquals(3, splits("request_http_413"));
        assertEquals(0, retries(null));
    }

    @Test
    void aServiceUnavailableRequestIsRetriedWholeNotSplit() throws Exception {
        Throwable unavailable = ClientFailures.answeredWith(503, null);
        start(new IndexerConfig(10, 1 << 20, 5, 1, 3600, CompactionConfig.defaults()), reads -> sent.size() <= 2
                ? CompletableFuture.failedFuture(unavailable) : all(reads, 201));
        spool.append(List.of(read(1), read(2), read(3), read(4))).join();
        EsTestSupport.await("checkpoint 4", 10_000, () -> spool.checkpoint() == 4);

        assertEquals(List.of(ids(1, 4), ids(1, 4), ids(1, 4)), sent, "the whole batch, again, after a backoff");
        assertEquals(8, retries("request_http_503"), "two failed attempts of four reads");
        assertEquals(0, splits(null));
        assertEquals(4, registry.counter("platewarden.indexer.reads.indexed").count());
        assertTrue(deadLetters.readAll().isEmpty());
    }

    @Test
    void afterASplitOnlyTheReadsAFailedHalfCarriedAreRetried() throws Exception {
        Throwable parseError = ClientFailures.parseError();
        Throwable unavailable = ClientFailures.answeredWith(503, null);
        AtomicInteger outages = new AtomicInteger(1);
        start(new IndexerConfig(8, 1 << 20, 5, 1, 3600, CompactionConfig.defaults()), reads -> {
            if (reads.stream().anyMatch(r -> r.id().equals("r2"))) return CompletableFuture.failedFuture(parseError);
            if (reads.get(0).id().equals("r5") && outages.getAndDecrement() > 0) return CompletableFuture.failedFuture(unavailable);
            return all(reads, 201);
        });
        List<byte[]> reads = reads(8);
        spool.append(reads).join();
        EsTestSupport.await("checkpoint 8", 10_000, () -> spool.checkpoint() == 8);

        assertEquals(List.of(ids(1, 8), ids(1, 4), ids(1, 2), List.of("r1"), List.of("r2"), ids(3, 4), ids(5, 8), ids(5, 8)), sent,
                "the second half failed with 503: only its reads are sent again, not re-split");
        assertEquals(4, retries("request_http_503"));
        assertEquals(7, registry.counter("platewarden.indexer.reads.indexed").count());
        assertEquals(0, registry.counter("platewarden.indexer.reads.already_indexed").count());
        assertEquals(List.of("r2"), deadLetters.readAll().stream().map(DeadLetter::readId).toList());
    }

    @Test
    void a409IsAlreadyIndexedOnlyWhenTheStoredDocumentIsThisReadElseTheReadIsDeadLetteredAsAConflict() throws Exception {
        // r2 and r3 answer 409; r2's id holds another camera's read, r3's holds r3 itself (a resend)
        start(new IndexerConfig(10, 1 << 20, 5, 1, 3600, CompactionConfig.defaults()),
                reads -> CompletableFuture.completedFuture(List.of(BulkItemResult.ok(201), conflict409(), conflict409())),
                reads -> CompletableFuture.completedFuture(List.of(
                        new StoredRead("cam-009", "2026-01-01T00:00:02Z", new ReadPlate("X9", "X9")),
                        new StoredRead("cam-001", "2026-01-01T00:00:03Z", new ReadPlate("P3", "P3")))));
        List<byte[]> reads = reads(3);
        List<String> logged;
        try (LogCapture log = new LogCapture()) {
            spool.append(reads).join();
            EsTestSupport.await("checkpoint 3", 10_000, () -> spool.checkpoint() == 3);
            logged = log.lines();
        }
        // the conflict's reason quotes both reads' plates: it goes in the dead letter, which retention deletes,
        // not in the log, which journald or a file keeps under its own retention
        assertTrue(logged.stream().anyMatch(l -> l.contains("indexer dead-lettered 1 read(s), first: read_id_conflict (camera cam-001)")),
                String.join("\n", logged));
        assertTrue(logged.stream().noneMatch(l -> l.contains("'X9'") || l.contains("'P2'")), String.join("\n", logged));

        assertEquals(List.of(ids(1, 3)), sent, "a conflict is not sent again");
        assertEquals(List.of(ids(2, 3)), looked, "one lookup for every read answered 409");
        List<DeadLetter> letters = deadLetters.readAll();
        assertEquals(1, letters.size(), letters.toString());
        assertEquals("r2", letters.get(0).readId());
        assertEquals("cam-001", letters.get(0).cameraId());
        assertEquals("indexer", letters.get(0).stage());
        assertEquals("read_id_conflict: read_id 'r2' is already used in p-reads-2026.01.01 by another read (camera cam-009, captured "
                + "2026-01-01T00:00:02Z, plate 'X9'); this read (camera cam-001, captured 2026-01-01T00:00:02Z, plate 'P2') was not indexed",
                letters.get(0).reason());
        assertEquals(new String(reads.get(1), StandardCharsets.UTF_8), letters.get(0).payload());
        assertEquals(1, registry.counter("platewarden.indexer.reads.indexed").count());
        assertEquals(1, registry.counter("platewarden.indexer.reads.already_indexed").count(), "r3 only");
        assertEquals(1, registry.counter("platewarden.indexer.read_id_conflicts").count());
        assertEquals(1, registry.counter("platewarden.indexer.deadletters").count());
    }

    @Test
    void aFailedLookupDecidesNothingTheReadIsRetriedWithBackoffAndTheCheckpointWaits() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean esDown = new java.util.concurrent.atomic.AtomicBoolean(true);
        start(new IndexerConfig(10, 1 << 20, 5, 1, 3600, CompactionConfig.defaults()),
                reads -> CompletableFuture.completedFuture(reads.stream().map(r -> r.id().equals("r2") ? conflict409() : BulkItemResult.ok(201)).toList()),
                reads -> esDown.get()
                        ? CompletableFuture.failedFuture(new IOException("refused", new ConnectException("Connection refused")))
                        : CompletableFuture.completedFuture(List.of(new StoredRead("cam-009", "2026-01-01T00:00:02Z", new ReadPlate("X9", "X9")))));
        spool.append(reads(3)).join();
        EsTestSupport.await("three failed lookups", 10_000, () -> looked.size() >= 3);

        assertEquals(0, spool.checkpoint(), "r2 is neither indexed nor dead-lettered: the checkpoint must not pass it");
        assertTrue(deadLetters.readAll().isEmpty());
        assertEquals(0, registry.counter("platewarden.indexer.reads.already_indexed").count(), "a 409 alone proves nothing");
        assertTrue(retries("read_id_lookup") >= 3);
        assertEquals(ids(1, 3), sent.get(0));
        List<List<String>> sentSoFar;
        synchronized (sent) { // the indexer thread may be adding a retry meanwhile
            sentSoFar = new ArrayList<>(sent);
        }
        assertTrue(sentSoFar.subList(1, sentSoFar.size()).stream().allMatch(ids -> ids.equals(List.of("r2"))), "only the undecided read goes again");

        esDown.set(false);
        EsTestSupport.await("checkpoint 3", 10_000, () -> spool.checkpoint() == 3);
        assertEquals(List.of("r2"), deadLetters.readAll().stream().map(DeadLetter::readId).toList());
        assertEquals(2, registry.counter("platewarden.indexer.reads.indexed").count());
        assertEquals(1, registry.counter("platewarden.indexer.read_id_conflicts").count());
    }

    @Test
    void aReadWhoseIdHoldsNothingAfterA409IsSentAgainAsACreate() throws Exception {
        AtomicInteger answers = new AtomicInteger();
        start(new IndexerConfig(10, 1 << 20, 5, 1, 3600, CompactionConfig.defaults()),
                reads -> CompletableFuture.completedFuture(List.of(answers.getAndIncrement() == 0 ? conflict409() : BulkItemResult.ok(201))),
                reads -> CompletableFuture.completedFuture(Collections.singletonList(null)));
        spool.append(List.of(read(1))).join();
        EsTestSupport.await("checkpoint 1", 10_000, () -> spool.checkpoint() == 1);

        assertEquals(List.of(List.of("r1"), List.of("r1")), sent);
        assertEquals(1, retries("read_id_gone"));
        assertEquals(1, registry.counter("platewarden.indexer.reads.indexed").count());
        assertTrue(deadLetters.readAll().isEmpty());
    }

    private static BulkItemResult conflict409() {
        return new BulkItemResult(409, "version_conflict_engine_exception", "document already exists");
    }

    @Test
    void backoffGrowsExponentiallyUpToTheCapWithJitter() {
        RetryPolicy p = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(30), () -> 1.0);
        assertEquals(100, p.delayMillis(1));
        assertEquals(200, p.delayMillis(2));
        assertEquals(800, p.delayMillis(4));
        assertEquals(30_000, p.delayMillis(20));
        assertEquals(30_000, p.delayMillis(1000));
        RetryPolicy low = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(30), () -> 0.0);
        assertEquals(50, low.delayMillis(1), "jitter takes at most half off");
    }

    @Test
    void verdicts() {
        assertEquals(ItemVerdict.INDEXED, ItemVerdict.of(BulkItemResult.ok(201)));
        assertEquals(ItemVerdict.ALREADY_INDEXED, ItemVerdict.of(new BulkItemResult(409, "version_conflict_engine_exception", "x")));
        assertEquals(ItemVerdict.RETRY, ItemVerdict.of(new BulkItemResult(429, "es_rejected_execution_exception", "x")));
        assertEquals(ItemVerdict.RETRY, ItemVerdict.of(new BulkItemResult(503, "unavailable_shards_exception", "x")));
        assertEquals(ItemVerdict.DEAD_LETTER, ItemVerdict.of(new BulkItemResult(400, "document_parsing_exception", "x")));
        assertEquals(ItemVerdict.DEAD_LETTER, ItemVerdict.of(new BulkItemResult(400, "strict_dynamic_mapping_exception", "x")));
    }

    /** The day 2026-01-01 expires (21 days) at the start of 2026-01-22. */
    private static final Instant JANUARY_FIRST_EXPIRES = Instant.parse("2026-01-22T00:00:00Z");
    private static final Instant OLD = Instant.parse("2026-01-01T12:00:00Z");
    private static final Instant FRESH = Instant.parse("2026-01-10T12:00:00Z");
    /** A second before OLD's day expires. */
    private final SettableClock beforeMidnight = new SettableClock(JANUARY_FIRST_EXPIRES.minusSeconds(1));

    /** 21 days of retention on the {@link #beforeMidnight} clock, one batch in flight. */
    private void startBeforeMidnight(Function<List<PendingRead>, CompletableFuture<List<BulkItemResult>>> script) {
        retentionDays = 21;
        clock = beforeMidnight;
        start(new IndexerConfig(10, 1 << 20, 5, 1, 3600, CompactionConfig.defaults()), script);
    }

    private static byte[] readOf(String id, Instant capturedAt, String plate) {
        return TestReads.bytes(id, "cam-001", "DPD", capturedAt, plate);
    }

    /** No payload, the capture time kept. */
    private static void assertWithheld(DeadLetter l, String reasonStart) {
        assertEquals(DeadLetter.PAST_RETENTION, l.payloadWithheld(), l.toString());
        assertNull(l.payload(), l.toString());
        assertNull(l.payloadBase64(), l.toString());
        assertEquals(OLD, l.capturedAt());
        assertEquals("indexer", l.stage());
        assertEquals("cam-001", l.cameraId());
        assertTrue(l.reason().startsWith(reasonStart), l.reason());
    }

    private String deadLetterFiles() throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = java.nio.file.Files.list(dir.resolve("dl"))) {
            for (Path f : files.toList()) all.append(java.nio.file.Files.readString(f));
        }
        return all.toString();
    }

    /**
     * A read whose day passed retention while it sat in the spool is not indexed (that would create an
     * index for a day already due for deletion): it is dead-lettered as past retention, without its
     * payload and plate, and without a read id that holds the plate. A read still inside the window is indexed.
     */
    @Test
    void aReadWhoseDayPassedRetentionInTheSpoolIsDeadLetteredWithoutItsPlateInsteadOfIndexed() throws Exception {
        beforeMidnight.advance(Duration.ofSeconds(1));
        startBeforeMidnight(reads -> all(reads, 201));
        spool.append(List.of(readOf("r-old", OLD, "OLD 111"), readOf("cam-001:1767268800000:OLD222", OLD, "OLD 222"),
                readOf("r-fresh", FRESH, "NEW 333"))).join();
        EsTestSupport.await("checkpoint 3", 10_000, () -> spool.checkpoint() == 3);

        assertEquals(List.of(List.of("r-fresh")), sent);
        List<DeadLetter> letters = deadLetters.readAll();
        assertEquals(2, letters.size(), letters.toString());
        for (DeadLetter l : letters) {
            assertWithheld(l, "too_old: captured_at 2026-01-01T12:00:00Z: its UTC day 2026-01-01 passed the 21-day retention at 2026-01-22T00:00:00Z");
        }
        assertEquals("r-old", letters.get(0).readId());
        assertNull(letters.get(1).readId(), "an id derived in the old form (before keyed ids) holds the plate");
        String disk = deadLetterFiles();
        for (String plate : List.of("OLD 111", "OLD111", "OLD 222", "OLD222")) assertFalse(disk.contains(plate), disk);
        assertEquals(1, registry.counter("platewarden.indexer.reads.indexed").count());
    }

    /**
     * Elasticsearch down over the midnight that ends a read's day: when it is back, the read is not
     * sent again (no index for an expired day) but dead-lettered without its plate; a read of a day
     * still inside the window is indexed.
     */
    @Test
    void aReadWhoseDayPassesRetentionWhileElasticsearchIsDownIsNotIndexedWhenItIsBack() throws Exception {
        startBeforeMidnight(reads -> beforeMidnight.instant().isBefore(JANUARY_FIRST_EXPIRES) // down until midnight has passed
                ? CompletableFuture.failedFuture(new IOException("refused", new ConnectException("Connection refused")))
                : all(reads, 201));
        spool.append(List.of(readOf("r-old", OLD, "OLD 444"), readOf("r-fresh", FRESH, "NEW 555"))).join();
        EsTestSupport.await("two failed sends", 10_000, () -> sent.size() >= 2);
        beforeMidnight.advance(Duration.ofSeconds(2));
        EsTestSupport.await("checkpoint 2", 10_000, () -> spool.checkpoint() == 2);

        assertEquals(List.of("r-old", "r-fresh"), sent.get(0));
        assertEquals(List.of("r-fresh"), sent.get(sent.size() - 1), "once its day expired the read is not sent again");
        List<DeadLetter> letters = deadLetters.readAll();
        assertEquals(1, letters.size(), letters.toString());
        assertWithheld(letters.get(0), "too_old: ");
        assertFalse(deadLetterFiles().contains("OLD"), deadLetterFiles());
        assertEquals(1, registry.counter("platewarden.indexer.reads.indexed").count());
    }

    /**
     * A read Elasticsearch refuses keeps its bytes and capture time in its dead letter (filed under its
     * day), unless its day passed retention meanwhile: then it keeps no plate either.
     */
    @Test
    void aReadRefusedByElasticsearchIsDeadLetteredWithItsCaptureTimeAndWithoutItsPlateOncePastRetention() throws Exception {
        startBeforeMidnight(reads -> {
            // the refusal arrives after midnight: r-old's day has expired by the time it is dead-lettered
            beforeMidnight.advance(Duration.ofSeconds(2));
            List<BulkItemResult> out = new ArrayList<>();
            for (int i = 0; i < reads.size(); i++) out.add(new BulkItemResult(400, "document_parsing_exception", "failed to parse"));
            return CompletableFuture.completedFuture(out);
        });
        spool.append(List.of(readOf("r-old", OLD, "OLD 666"), readOf("r-fresh", FRESH, "NEW 777"))).join();
        EsTestSupport.await("checkpoint 2", 10_000, () -> spool.checkpoint() == 2);

        List<DeadLetter> letters = deadLetters.readAll();
        assertEquals(2, letters.size(), letters.toString());
        DeadLetter withheld = letters.stream().filter(l -> OLD.equals(l.capturedAt())).findFirst().orElseThrow();
        assertWithheld(withheld, "elasticsearch_refused: ");
        assertEquals("r-old", withheld.readId());
        DeadLetter kept = letters.stream().filter(l -> FRESH.equals(l.capturedAt())).findFirst().orElseThrow();
        assertNull(kept.payloadWithheld());
        assertTrue(kept.payload().contains("NEW 777"), kept.toString());
        assertEquals(java.time.LocalDate.parse("2026-01-10"), kept.fileDay(), "filed under its read's day");
        assertFalse(deadLetterFiles().contains("OLD 666"), deadLetterFiles());
    }
}
