package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.CompactionConfig;
import org.platewarden.core.config.IndexerConfig;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.io.ChannelOpener;
import org.platewarden.core.spool.SegmentedSpool;

/**
 * Found by a chaos test: with the disk at 0 bytes free, every checkpoint write failed (ENOSPC) and
 * was logged once, never tried again. Everything was indexed, yet the segments holding it kept
 * their space, the gateway refused every read for want of that space, and so no batch ever
 * finished again to carry the checkpoint forward: ingest stayed 429 for good. The indexer now
 * retries the checkpoint on its own timer until it is persisted, with no read arriving.
 */
class IndexerCheckpointRetryTest {
    private static final int READS = 3000;

    @TempDir
    Path dir;
    private SegmentedSpool spool;
    private DeadLetterStore deadLetters;
    private Indexer indexer;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** The disk is full: writing checkpoint.tmp gets ENOSPC (the file is created, as the kernel would, then the write fails). */
    private final AtomicBoolean noSpace = new AtomicBoolean();

    @AfterEach
    void tearDown() throws Exception {
        if (indexer != null) indexer.stop().get();
        if (spool != null) spool.close();
        if (deadLetters != null) deadLetters.close();
    }

    @Test
    void aCheckpointThatFailedToPersistIsRetriedUntilItIsAndTheSegmentsAreFreedWithoutAnyNewRead() throws Exception {
        ChannelOpener opener = (path, options) -> {
            FileChannel real = FileChannel.open(path, options);
            if (path.getFileName().toString().equals("checkpoint.tmp") && noSpace.get()) {
                real.close();
                throw new IOException("No space left on device");
            }
            return real;
        };
        spool = TestSpools.open(dir.resolve("spool"), opener);
        for (int from = 1; from <= READS; from += 100) {
            List<byte[]> batch = new ArrayList<>();
            for (int i = from; i < from + 100; i++) {
                batch.add(TestReads.bytes("r" + i, "cam-001", "DPD", Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i), "P" + i));
            }
            spool.append(batch).join();
        }
        int segments = spool.segmentFiles().size();
        long bytes = spool.sizeBytes();
        assertTrue(segments > 2, segments + " segments");

        noSpace.set(true);
        deadLetters = new DeadLetterStore(dir.resolve("dl"));
        BulkTransport created = new BulkTransport() {
            @Override
            public CompletableFuture<List<BulkItemResult>> send(List<PendingRead> reads) {
                return CompletableFuture.completedFuture(reads.stream().map(r -> BulkItemResult.ok(201)).toList());
            }

            @Override
            public CompletableFuture<List<StoredRead>> stored(List<PendingRead> reads) {
                return CompletableFuture.completedFuture(List.of());
            }
        };
        indexer = new Indexer(spool, created, deadLetters, "p", new IndexerConfig(500, 1 << 20, 5, 2, 3600, CompactionConfig.defaults()),
                36_500, new RetryPolicy(Duration.ofMillis(5), Duration.ofMillis(50), () -> 0.5), registry, Clock.systemUTC());
        indexer.start().join();

        EsTestSupport.await("every read indexed", 10_000, () -> registry.counter("platewarden.indexer.reads.indexed").count() == READS);
        // retried on its own: every batch has finished, so nothing else would try again
        EsTestSupport.await("the checkpoint tried again after the last batch", 10_000, () -> failures() >= 5);
        assertEquals(0, spool.checkpoint(), "not persisted while the disk is full");
        assertEquals(segments, spool.segmentFiles().size(), "the indexed reads' segments keep their space");
        assertEquals(bytes, spool.sizeBytes());
        assertEquals(READS, indexer.lagReads());
        assertTrue(!Files.exists(dir.resolve("spool").resolve("checkpoint")));

        noSpace.set(false); // the filler is removed; no read is sent
        EsTestSupport.await("checkpoint persisted", 10_000, () -> spool.checkpoint() == READS);
        // the spool publishes the checkpoint, then deletes the segments behind it
        EsTestSupport.await("segments freed", 10_000, () -> spool.sizeBytes() <= TestSpools.SMALL_SEGMENTS.segmentBytes());
        assertEquals(1, spool.segmentFiles().size(), "every segment but the newest freed");
        assertEquals(READS, spool.lastDurableSeq(), "no append was needed");
        assertEquals(0, indexer.lagReads());
        assertTrue(Files.exists(dir.resolve("spool").resolve("checkpoint")));
        double failed = failures();
        Thread.sleep(200);
        assertEquals(failed, failures(), "no more attempts once persisted");
    }

    private double failures() {
        return registry.counter("platewarden.indexer.checkpoint.failures").count();
    }
}
