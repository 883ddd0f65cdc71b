package org.platewarden.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP load generator against a minimal ingest endpoint (202 with the gateway's answer): with
 * request bodies built before the clock or during the run, a count-limited load sends exactly that
 * many reads, each once, and the acknowledged-id log holds exactly the ids the endpoint accepted.
 */
class HttpLoadTest {

    @TempDir
    Path dir;

    /** A minimal ingest endpoint: 202 with the gateway's answer, every read id it was sent in {@code received}. */
    private static HttpServer endpoint(Vertx vertx, Set<String> received, AtomicLong duplicates) throws Exception {
        return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            JsonArray reads = body.toJsonArray();
            for (int i = 0; i < reads.size(); i++) {
                if (!received.add(reads.getJsonObject(i).getString("read_id"))) duplicates.incrementAndGet();
            }
            req.response().setStatusCode(202).putHeader("content-type", "application/json")
                    .end(new JsonObject().put("accepted", reads.size()).put("rejected", new JsonArray()).encode());
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void exactCount(boolean prebuilt) throws Exception {
        Vertx vertx = Vertx.vertx();
        Set<String> received = ConcurrentHashMap.newKeySet();
        AtomicLong duplicates = new AtomicLong();
        try {
            HttpServer server = endpoint(vertx, received, duplicates);
            Path acks = dir.resolve("acks-" + prebuilt + ".txt");
            AtomicLong clock = new AtomicLong();
            // 1 003 reads: not a multiple of the batch nor of the connections
            Map<String, Object> result = LoadRunner.run(vertx, new LoadSpec("t", "http", "127.0.0.1", server.actualPort(), "/v1/reads",
                    true, 3, 10, 1, 1, 0, 0, 1003, acks, "t" + prebuilt, 1000, 1, 0, 0.03, 5, prebuilt), clock::set);
            assertTrue(clock.get() != 0, "the clock start was reported");
            assertEquals(1003L, ((Number) result.get("acked_reads")).longValue(), String.valueOf(result));
            assertEquals(prebuilt ? "built before the clock" : "built during the run", result.get("request_bodies"));
            List<String> acked = AckLog.readAll(acks);
            assertEquals(1003, acked.size());
            assertEquals(received, new HashSet<>(acked), "the log holds exactly the ids the endpoint accepted");
            assertEquals(0, duplicates.get(), "no read was sent twice");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void bodiesBuiltBeforeTheClockSendExactlyTheCountOnce() throws Exception {
        exactCount(true);
    }

    @Test
    void bodiesBuiltDuringTheRunSendExactlyTheCountOnce() throws Exception {
        exactCount(false);
    }

    /**
     * The load command's generator warm-up: its reads are sent and their acknowledged ids logged
     * (the no-loss proof covers them), but the timed run's figures count only the timed reads.
     */
    @Test
    void generatorWarmUpIsLoggedButNotCounted() throws Exception {
        Vertx vertx = Vertx.vertx();
        Set<String> received = ConcurrentHashMap.newKeySet();
        AtomicLong duplicates = new AtomicLong();
        try {
            HttpServer server = endpoint(vertx, received, duplicates);
            Path acks = dir.resolve("acks-warm.txt");
            Path results = dir.resolve("results.json");
            int exit = new picocli.CommandLine(new LoadCommand()).execute("--transport", "http", "--port",
                    Integer.toString(server.actualPort()), "--connections", "2", "--batch", "10", "--rate", "2000",
                    "--generator-warmup", "1", "--duration", "0", "--count", "500", "--ack-file", acks.toString(),
                    "--results", results.toString(), "--run-id", "warm");
            assertEquals(0, exit);
            Map<String, Object> result = ResultsFile.read(results).get(0);
            assertEquals(500L, ((Number) result.get("acked_reads")).longValue(), "only the timed reads count: " + result);
            assertEquals(1.0, ((Number) result.get("generator_warmup_s")).doubleValue());
            List<String> acked = AckLog.readAll(acks);
            // about 2 000 warm-up reads at 2 000 reads/s for 1 s, then the 500 timed ones
            assertTrue(acked.size() >= 500 + 1000, "warm-up reads are in the ack file too: " + acked.size());
            assertEquals(500, acked.stream().filter(id -> id.contains(":warm-")).count(), "the timed run's ids");
            assertEquals(acked.size() - 500, acked.stream().filter(id -> id.contains(":warmw-")).count(), "the warm-up's ids");
            assertEquals(received, new HashSet<>(acked), "the log holds exactly the ids the endpoint accepted");
            assertEquals(0, duplicates.get(), "no read id was sent twice across warm-up and timed run");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
