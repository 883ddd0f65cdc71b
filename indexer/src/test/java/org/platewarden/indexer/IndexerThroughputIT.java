package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.IndexerConfig;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.spool.SegmentedSpool;

/**
 * A measurement, not a gate: drains a pre-filled spool into the real node with the default bulk
 * settings and prints reads/s. Runs only with {@code -Dplatewarden.bench=true}; asserts only the count.
 */
class IndexerThroughputIT {
    @TempDir
    Path dir;

    @Test
    void drainRate() throws Exception {
        assumeTrue(Boolean.getBoolean("platewarden.bench"), "set -Dplatewarden.bench=true to measure");
        int n = Integer.getInteger("platewarden.bench.reads", 50_000);
        try (EsTestSupport es = new EsTestSupport("bench");
             SegmentedSpool spool = SegmentedSpool.open(dir.resolve("spool"), new org.platewarden.core.config.SpoolConfig(16 << 20, 1L << 30));
             DeadLetterStore dl = new DeadLetterStore(dir.resolve("dl"))) {
            Instant base = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS);
            List<byte[]> chunk = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                chunk.add(TestReads.bytes("cam-001:bench:" + i, "cam-001", "DPD", base.plusMillis(i * 1700L), "B" + (100000 + i)));
                if (chunk.size() == 1000) {
                    spool.append(chunk).join();
                    chunk = new ArrayList<>();
                }
            }
            if (!chunk.isEmpty()) spool.append(chunk).join();
            Indexer indexer = new Indexer(spool, new ElasticsearchBulkTransport(es.conn.rest()), dl, es.prefix,
                    IndexerConfig.defaults(), 21, RetryPolicy.defaults(), new SimpleMeterRegistry(), Clock.systemUTC());
            long t0 = System.nanoTime();
            indexer.start().join();
            EsTestSupport.await("drain", 600_000, () -> spool.checkpoint() == n);
            double seconds = (System.nanoTime() - t0) / 1e9;
            indexer.stop().get();
            System.out.printf("INDEXER THROUGHPUT: %d reads in %.2f s = %.0f reads/s (defaults: 5000 reads/bulk, 2 in flight)%n",
                    n, seconds, n / seconds);
            assertEquals(n, es.count(es.prefix + "-reads-*"));
        }
    }
}
