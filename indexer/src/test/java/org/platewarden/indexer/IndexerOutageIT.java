package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.CompactionConfig;
import org.platewarden.core.config.IndexerConfig;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.spool.Spool;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.testkit.ElasticsearchFixture;

/**
 * Elasticsearch goes away mid-stream (connections refused, in-flight requests cut) and comes back:
 * every acknowledged read ends up indexed exactly once and the checkpoint reaches the end. The
 * shared node itself is never stopped; a TCP proxy in front of it is.
 */
class IndexerOutageIT {
    @TempDir
    Path dir;
    private EsTestSupport es;
    private Vertx vertx;
    private TcpProxy proxy;
    private ElasticsearchConnection viaProxy;
    private Spool spool;
    private DeadLetterStore deadLetters;
    private Indexer indexer;

    @BeforeEach
    void setUp() throws Exception {
        es = new EsTestSupport("outage");
        vertx = Vertx.vertx();
        URI target = URI.create(ElasticsearchFixture.url());
        proxy = new TcpProxy(vertx, target.getHost(), target.getPort());
        int port = proxy.start();
        viaProxy = new ElasticsearchConnection("http://127.0.0.1:" + port);
        spool = TestSpools.open(dir.resolve("spool"));
        deadLetters = new DeadLetterStore(dir.resolve("deadletter"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (indexer != null) indexer.stop().get();
        spool.close();
        deadLetters.close();
        viaProxy.close();
        proxy.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
        es.close();
    }

    @Test
    void everyAcknowledgedReadIsIndexedExactlyOnceAcrossAnOutage() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        indexer = new Indexer(spool, new ElasticsearchBulkTransport(viaProxy.rest()), deadLetters, es.prefix,
                new IndexerConfig(100, 512 * 1024, 20, 2, 3600, CompactionConfig.defaults()), 21, RetryPolicy.of(Duration.ofMillis(20), Duration.ofMillis(400)),
                registry, Clock.systemUTC());
        indexer.start().join();
        Instant base = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(1, ChronoUnit.DAYS);
        int total = 0;

        total += appendReads(base, total, 600);
        EsTestSupport.await("some reads indexed before the outage", 30_000, () -> spool.checkpoint() > 0);

        proxy.stop(); // Elasticsearch unreachable: connections refused, open ones cut
        total += appendReads(base, total, 900);
        Thread.sleep(1500);
        long stuckAt = spool.checkpoint();
        assertTrue(stuckAt < spool.lastDurableSeq(), "nothing can be indexed while Elasticsearch is away");
        assertTrue(indexer.lagReads() > 0);
        Thread.sleep(500);
        assertEquals(stuckAt, spool.checkpoint(), "the checkpoint does not move while Elasticsearch is away");

        proxy.start(); // back
        total += appendReads(base, total, 600);
        // cut connections while bulks are in flight: some answers are lost after Elasticsearch indexed
        for (int i = 0; i < 5; i++) {
            total += appendReads(base, total, 200);
            Thread.sleep(30);
            proxy.cutConnections();
        }
        final int expected = total;
        EsTestSupport.await("the checkpoint to reach the end", 120_000, () -> spool.checkpoint() == expected);

        Map<String, Integer> ids = es.readIdCounts(es.prefix);
        assertEquals(expected, ids.size(), "every read present");
        assertTrue(ids.values().stream().allMatch(c -> c == 1), "every read exactly once");
        for (int i = 0; i < expected; i++) assertTrue(ids.containsKey("cam-001:out:" + i), "read " + i);
        assertEquals(expected, es.count(es.prefix + "-reads-*"));
        assertEquals(0, deadLetters.readAll().size());
        double requestRetries = registry.find("platewarden.indexer.retries").counters().stream()
                .filter(c -> c.getId().getTag("cause").startsWith("request_")).mapToDouble(Counter::count).sum();
        assertTrue(requestRetries > 0, "whole-request failures were retried");
    }

    private int appendReads(Instant base, int from, int n) {
        List<byte[]> chunk = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            chunk.add(TestReads.bytes("cam-001:out:" + i, "cam-001", "DPD", base.plusSeconds(i * 61L), "OUT" + i));
            if (chunk.size() == 100) {
                spool.append(chunk).join();
                chunk = new ArrayList<>();
            }
        }
        if (!chunk.isEmpty()) spool.append(chunk).join();
        return n;
    }
}
