package org.platewarden.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the load generator from rotting without needing Platewarden: a few seconds of QoS 1
 * load against a real Mosquitto, then proof that every read the broker acknowledged (PUBACK) was
 * delivered to an independent subscriber, and that the acknowledged-id log is exact.
 */
class BenchSmokeIT {

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedReadReachesTheSubscriber() throws Exception {
        assumeTrue(MosquittoProcess.available(MosquittoProcess.DEFAULT_BINARY), "mosquitto is not installed");
        Vertx vertx = Vertx.vertx();
        try (MosquittoProcess broker = MosquittoProcess.start(MosquittoProcess.DEFAULT_BINARY, 0)) {
            MqttReceiver receiver = new MqttReceiver(vertx, "smoke-receiver");
            receiver.start("127.0.0.1", broker.port()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Path acks = dir.resolve("acks.txt");
            LoadSpec spec = new LoadSpec("smoke", "mqtt", "127.0.0.1", broker.port(), "/v1/reads", false,
                    4, 5, 1, 10, 2000, 3, 0, acks, "smoke", 1000, 1, 0, 0.03, 7);

            Map<String, Object> result = LoadRunner.run(vertx, spec);

            List<String> acked = AckLog.readAll(acks);
            assertTrue(acked.size() > 100, "only " + acked.size() + " reads acknowledged: " + result);
            assertEquals(((Number) result.get("acked_reads")).longValue(), acked.size(), "ack log and counters disagree");
            assertEquals(acked.size(), new HashSet<>(acked).size(), "a read id was acknowledged twice");
            assertEquals(0L, ((Number) result.get("errors")).longValue(), String.valueOf(result.get("first_error")));
            assertEquals(0, receiver.awaitAll(acked, 30_000), "acknowledged reads missing at the subscriber");
            assertEquals(0, receiver.unparseable());
            receiver.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCountLimitedRunStopsAtExactlyThatCount() throws Exception {
        assumeTrue(MosquittoProcess.available(MosquittoProcess.DEFAULT_BINARY), "mosquitto is not installed");
        Vertx vertx = Vertx.vertx();
        try (MosquittoProcess broker = MosquittoProcess.start(MosquittoProcess.DEFAULT_BINARY, 0)) {
            Path acks = dir.resolve("acks-count.txt");
            LoadSpec spec = new LoadSpec("smoke-count", "mqtt", "127.0.0.1", broker.port(), "/v1/reads", false,
                    3, 7, 1, 4, 0, 0, 1000, acks, "count", 1000, 1, 0, 0.03, 9);
            Map<String, Object> result = LoadRunner.run(vertx, spec);
            assertEquals(1000L, ((Number) result.get("acked_reads")).longValue(), String.valueOf(result));
            assertEquals(1000, Files.readAllLines(acks).size());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
