package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.CompactionConfig;
import org.platewarden.core.config.IndexerConfig;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.spool.SegmentedSpool;
import org.platewarden.indexer.compaction.DailyIndexCompactor;
import org.platewarden.indexer.retention.RetentionSweeper;
import org.platewarden.templates.RetentionMechanism;

/** The role as the app deploys it: the verticle starts the indexer, (without ILM) the sweeper schedule and the compaction schedule. */
class IndexerVerticleIT {
    @TempDir
    Path dir;

    @Test
    void deployIndexesSweepsAndCompactsThenUndeploys() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (EsTestSupport es = new EsTestSupport("verticle");
             SegmentedSpool spool = TestSpools.open(dir.resolve("spool"));
             DeadLetterStore dl = new DeadLetterStore(dir.resolve("dl"))) {
            String expired = DailyIndex.name(es.prefix, LocalDate.now(ZoneOffset.UTC).minusDays(40));
            es.put(expired, "old", TestReads.json("old", "cam-001", "DPD", Instant.now().minus(Duration.ofDays(40)), "OLD"));
            // a finished day written in six refreshes: six segments, more than the default threshold of four
            String finished = DailyIndex.name(es.prefix, LocalDate.now(ZoneOffset.UTC).minusDays(3));
            for (int i = 0; i < 6; i++) {
                es.put(finished, "f" + i, TestReads.json("f" + i, "cam-001", "DPD", Instant.now().minus(Duration.ofDays(3)), "F" + i));
            }
            assertEquals(6, es.primarySegments(finished));
            Indexer indexer = new Indexer(spool, new ElasticsearchBulkTransport(es.conn.rest()), dl, es.prefix,
                    new IndexerConfig(100, 1 << 20, 20, 2, 3600, CompactionConfig.defaults()), 21, RetryPolicy.of(Duration.ofMillis(20), Duration.ofMillis(200)),
                    new SimpleMeterRegistry(), Clock.systemUTC());
            RetentionSweeper sweeper = new RetentionSweeper(es.conn.rest(), es.prefix, 21, RetentionMechanism.SWEEPER, Clock.systemUTC());
            DailyIndexCompactor compactor = new DailyIndexCompactor(es.conn.rest(), es.prefix, 21, CompactionConfig.defaults(), Clock.systemUTC(),
                    new SimpleMeterRegistry());
            String id = vertx.deployVerticle(new IndexerVerticle(indexer, sweeper, compactor, Duration.ofHours(1)))
                    .toCompletionStage().toCompletableFuture().get();
            spool.append(List.of(TestReads.bytes("cam-001:v:1", "cam-001", "DPD", Instant.now(), "V1"))).join();
            EsTestSupport.await("indexed", 30_000, () -> spool.checkpoint() == 1);
            EsTestSupport.await("expired index swept", 30_000, () -> !es.exists(expired));
            EsTestSupport.await("finished day compacted", 30_000, () -> es.primarySegments(finished) == 1);
            vertx.undeploy(id).toCompletionStage().toCompletableFuture().get();
            assertEquals(7, es.count(es.prefix + "-reads-*"), "the new read and the six of the compacted day");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}
