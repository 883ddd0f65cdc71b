package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.CompactionConfig;
import org.platewarden.core.config.IndexerConfig;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.spool.Spool;
import org.platewarden.indexer.days.DayRegistry;
import org.platewarden.indexer.days.ReadDaysMissingGauge;
import org.platewarden.indexer.ops.IndexView;
import org.platewarden.indexer.ops.IndexViews;
import org.platewarden.indexer.retention.RetentionSweeper;
import org.platewarden.templates.RetentionMechanism;

/**
 * The day registry against the real Elasticsearch: the indexer records the days it indexes reads
 * of; a day's index deleted by mistake is then listed as missing by ops indices and counted by the
 * gauge, while a day without reads and a day deleted by retention are not.
 */
class MissingReadDaysIT {
    private static final int RETENTION = 21;

    @TempDir
    Path dir;
    private EsTestSupport es;
    private Spool spool;
    private DeadLetterStore deadLetters;
    private Indexer indexer;

    @BeforeEach
    void setUp() {
        es = new EsTestSupport("missingdays");
        spool = TestSpools.open(dir.resolve("spool"));
        deadLetters = new DeadLetterStore(dir.resolve("deadletter"));
        indexer = new Indexer(spool, new ElasticsearchBulkTransport(es.conn.rest()), deadLetters, es.prefix,
                new IndexerConfig(100, 1024 * 1024, 20, 2, 3600, CompactionConfig.defaults()), RETENTION,
                RetryPolicy.of(Duration.ofMillis(20), Duration.ofMillis(500)), new SimpleMeterRegistry(), Clock.systemUTC(),
                new ElasticsearchDayRecorder(es.conn.rest(), es.prefix));
        indexer.start().join();
    }

    @AfterEach
    void tearDown() throws Exception {
        indexer.stop().get();
        spool.close();
        deadLetters.close();
        es.close();
    }

    @Test
    void aDailyIndexDeletedByMistakeIsListedMissingButNotADayWithoutReadsNorOneDeletedByRetention() throws Exception {
        LocalDate today = DailyIndex.day(Instant.now());
        LocalDate yesterday = today.minusDays(1);
        LocalDate quiet = today.minusDays(2); // no reads at all
        spool.append(List.of(
                TestReads.bytes("cam-001:t1", "cam-001", "DPD", noonOf(today).minusSeconds(43_000), "ABC 123"),
                TestReads.bytes("cam-001:y1", "cam-001", "DPD", noonOf(yesterday), "ABC 124"))).join();
        EsTestSupport.await("reads indexed", 60_000, () -> spool.checkpoint() == spool.lastDurableSeq());
        DayRegistry registry = new DayRegistry(es.es, es.prefix);
        // recorded once the bulk landed, alongside the checkpoint: the indexer does not wait for it
        EsTestSupport.await("both days recorded", 30_000, () -> recordedNow(registry).equals(Set.of(today, yesterday)));

        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ReadDaysMissingGauge gauge = ReadDaysMissingGauge.on(meters);
        try (IndexViews views = new IndexViews(es.conn.rest(), es.prefix, RETENTION, RetentionMechanism.SWEEPER).countingMissingDays(gauge)) {
            assertTrue(views.list().stream().noneMatch(v -> IndexView.MISSING.equals(v.kind())), "nothing is missing yet");

            es.es.call("DELETE", "/" + DailyIndex.name(es.prefix, yesterday), null); // the mistake

            List<IndexView> missing = views.list().stream().filter(v -> IndexView.MISSING.equals(v.kind())).toList();
            assertEquals(1, missing.size(), "only the deleted day, not the day without reads: " + missing);
            assertEquals(yesterday, missing.get(0).day());
            assertEquals(DailyIndex.name(es.prefix, yesterday), missing.get(0).index());
            assertTrue(missing.get(0).note().contains("deleted by something other than retention"), missing.get(0).note());
            assertEquals(1.0, meters.get("platewarden.read_days.missing").gauge().value());
            assertTrue(views.list().stream().noneMatch(v -> quiet.equals(v.day())));
        }

        // a day past retention, recorded, whose index retention deletes: removed from the registry, never missing
        LocalDate expired = today.minusDays(RETENTION + 3);
        es.put(DailyIndex.name(es.prefix, expired), "cam-001:e1", TestReads.json("cam-001:e1", "cam-001", "DPD", noonOf(expired), "ABC 125"));
        es.put(DailyIndex.registry(es.prefix), expired.toString(), "{\"day\":\"" + expired + "\",\"first_indexed_at\":\"" + noonOf(expired) + "\"}");
        SimpleMeterRegistry sweepMeters = new SimpleMeterRegistry();
        try (RetentionSweeper sweeper = new RetentionSweeper(es.conn.rest(), es.prefix, RETENTION, RetentionMechanism.SWEEPER,
                Clock.systemUTC(), ReadDaysMissingGauge.on(sweepMeters))) {
            assertEquals(List.of(DailyIndex.name(es.prefix, expired)), sweeper.runOnce().deleted());
        }
        assertEquals(Set.of(today), registry.recorded().stream().filter(d -> !d.equals(yesterday)).collect(java.util.stream.Collectors.toSet()),
                "the expired day left the registry with its index");
        assertEquals(List.of(yesterday), registry.missing(RETENTION, Instant.now()));
        assertEquals(1.0, sweepMeters.get("platewarden.read_days.missing").gauge().value(), "the sweep counts the missing day");
    }

    /** The registry's days; none while its index, created by the first record, has no started shard yet. */
    private static Set<LocalDate> recordedNow(DayRegistry registry) {
        try {
            return registry.recorded();
        } catch (RuntimeException shardNotStartedYet) {
            return Set.of();
        }
    }

    private static Instant noonOf(LocalDate day) {
        return day.atTime(12, 0).toInstant(ZoneOffset.UTC);
    }
}
