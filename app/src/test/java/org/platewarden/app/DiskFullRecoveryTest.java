package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.CompactionConfig;
import org.platewarden.core.config.IndexerConfig;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.config.SpoolConfig;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.io.ChannelOpener;
import org.platewarden.core.spool.SegmentedSpool;
import org.platewarden.gateway.GatewayListeners;
import org.platewarden.gateway.metrics.GatewayMetrics;
import org.platewarden.indexer.BulkItemResult;
import org.platewarden.indexer.BulkTransport;
import org.platewarden.indexer.Indexer;
import org.platewarden.indexer.PendingRead;
import org.platewarden.indexer.RetryPolicy;
import org.platewarden.indexer.StoredRead;

/**
 * The chaos test's "disk full" run, on a simulated small disk (its free space is a fixed size less
 * the spool's files and a filler; writing checkpoint.tmp gets ENOSPC when it has no room), with the
 * real gateway, spool and indexer and a scripted Elasticsearch:
 * <ol>
 * <li>Elasticsearch down: cameras' ~100 KB batches until the gateway answers 429 (a write plus
 * 16 MiB free is the rule);</li>
 * <li>a filler takes what is left; Elasticsearch back: everything is indexed, but every checkpoint
 * write fails;</li>
 * <li>the filler goes, leaving the disk as the spool stopped: not enough for a batch.</li>
 * </ol>
 * It used to stay 429 and not ready for good: nothing tried the checkpoint again, and only an
 * append could have carried it forward. Now, without any read sent, the checkpoint is persisted,
 * the indexed reads' segments deleted, readiness comes back and the next batch is accepted.
 */
class DiskFullRecoveryTest {
    private static final long RESERVE = 16L * 1024 * 1024;
    /** The simulated disk: the 16 MiB the spool keeps free and 1 MiB for it. */
    private static final long DISK = RESERVE + 1024 * 1024;

    @TempDir
    Path dir;
    private final AtomicLong filler = new AtomicLong();
    private final AtomicBoolean elasticsearchUp = new AtomicBoolean();
    private final Random random = new Random(7);

    private long usable() {
        try (Stream<Path> files = Files.list(dir.resolve("spool"))) {
            long used = 0;
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                try {
                    used += Files.size(f);
                } catch (IOException goneMeanwhile) {
                    // deleted while listed
                }
            }
            return Math.max(0, DISK - filler.get() - used);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void afterADiskFullTheGatewayAcceptsAgainWithoutAnyAppendOnceTheCheckpointIsPersisted() throws Exception {
        ChannelOpener disk = (path, options) -> {
            FileChannel real = FileChannel.open(path, options);
            if (path.getFileName().toString().equals("checkpoint.tmp") && usable() < 4096) {
                real.close();
                throw new IOException("No space left on device");
            }
            return real;
        };
        Files.createDirectories(dir.resolve("spool"));
        SegmentedSpool spool = SegmentedSpool.open(dir.resolve("spool"),
                new SpoolConfig(256 * 1024, 64L * 1024 * 1024, false, SpoolConfig.DEFAULT_GROUP_COMMIT_INTERVAL_MICROS), null, disk, this::usable);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DeadLetterStore deadLetters = new DeadLetterStore(dir.resolve("deadletter"));
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with("{\"data_dir\":\"" + dir.toString().replace("\\", "\\\\")
                + "\",\"gateway\":{\"host\":\"127.0.0.1\",\"http_port\":0,\"mqtt_port\":0,\"event_loops\":1}}");
        BulkTransport elasticsearch = new BulkTransport() {
            @Override
            public CompletableFuture<List<BulkItemResult>> send(List<PendingRead> reads) {
                if (!elasticsearchUp.get()) return CompletableFuture.failedFuture(new IOException("cut", new ConnectException("Connection refused")));
                return CompletableFuture.completedFuture(reads.stream().map(r -> BulkItemResult.ok(201)).toList());
            }

            @Override
            public CompletableFuture<List<StoredRead>> stored(List<PendingRead> reads) {
                return CompletableFuture.completedFuture(List.of());
            }
        };
        Indexer indexer = new Indexer(spool, elasticsearch, deadLetters, "platewarden", new IndexerConfig(5000, 8 << 20, 20, 2, 3600,
                CompactionConfig.defaults()), 21, new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(200), () -> 0.5), registry, Clock.systemUTC());
        Vertx vertx = Vertx.vertx();
        GatewayListeners gateway = GatewayListeners.deploy(vertx, config, spool, deadLetters, new GatewayMetrics(registry, spool)).await();
        indexer.start().join();
        HttpClient http = HttpClient.newHttpClient();
        int port = gateway.first().httpPort();
        try {
            // 1. Elasticsearch cut: batches until 429
            long accepted = 0;
            HttpResponse<String> answer = null;
            for (int i = 0; i < 2000; i++) {
                answer = post(http, port, batch(400));
                if (answer.statusCode() != 202) break;
                accepted += 400;
            }
            assertEquals(429, answer.statusCode(), answer.body());
            assertTrue(answer.body().contains("spool_full"), answer.body());
            assertTrue(accepted > 0);
            assertEquals(accepted, spool.lastDurableSeq());
            int segments = spool.segmentFiles().size();
            assertTrue(segments > 2, segments + " segments");

            // 2. a filler takes the rest; Elasticsearch back: all indexed, no checkpoint can be written
            filler.set(usable());
            elasticsearchUp.set(true);
            long all = accepted;
            await("every read indexed", () -> registry.counter("platewarden.indexer.reads.indexed").count() == all);
            await("checkpoint writes failing", () -> registry.counter("platewarden.indexer.checkpoint.failures").count() >= 2);
            assertEquals(0, spool.checkpoint());
            assertEquals(segments, spool.segmentFiles().size());
            assertEquals(429, post(http, port, batch(400)).statusCode());
            assertEquals(503, ready(http, port).statusCode());

            // 3. the filler goes: the disk is back where the spool stopped, too little for a batch
            filler.set(0);
            assertTrue(usable() < RESERVE + 100_000, usable() + " bytes free");
            await("checkpoint persisted without any append", () -> spool.checkpoint() == all);
            await("ready again without any append", () -> statusOf(ready(http, port)) == 200);
            assertEquals(all, spool.lastDurableSeq(), "nothing was appended to get here");
            assertTrue(spool.segmentFiles().size() < segments, "the indexed reads' segments are deleted");
            assertTrue(usable() > RESERVE + 500_000, usable() + " bytes free");
            HttpResponse<String> again = post(http, port, batch(400));
            assertEquals(202, again.statusCode(), again.body());
        } finally {
            indexer.stop().get(30, TimeUnit.SECONDS);
            vertx.close().await();
            gateway.close();
            spool.close();
            deadLetters.close();
        }
    }

    /** About 100 KB of reads, captured now, with plates and crops that do not compress away. */
    private String batch(int reads) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<String> items = new ArrayList<>();
        for (int i = 0; i < reads; i++) {
            byte[] noise = new byte[96];
            random.nextBytes(noise);
            String crop = Base64.getUrlEncoder().withoutPadding().encodeToString(noise);
            String plate = Long.toString(random.nextLong() & 0xffffffL, 36).toUpperCase() + (char) ('A' + random.nextInt(26));
            items.add("{\"camera_id\":\"cam-001\",\"captured_at\":\"" + now.minusMillis(i) + "\",\"plate\":\"" + plate
                    + "\",\"plate_confidence\":0.9,\"image_ref\":\"crops/" + crop + ".jpg\"}");
        }
        return "[" + String.join(",", items) + "]";
    }

    private static HttpResponse<String> post(HttpClient http, int port, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/reads"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("cam-001:demo-cam-001".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> ready(HttpClient http, int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int statusOf(HttpResponse<String> r) {
        return r.statusCode();
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!check.holds()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for: " + what);
            Thread.sleep(20);
        }
    }
}
