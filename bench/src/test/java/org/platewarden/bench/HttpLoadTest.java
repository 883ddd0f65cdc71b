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

    private void exactCount(boolean prebuilt) throws Exception {
        Vertx vertx = Vertx.vertx();
        Set<String> received = ConcurrentHashMap.newKeySet();
        AtomicLong duplicates = new AtomicLong();
        try {
            HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
                JsonArray reads = body.toJsonArray();
                for (int i = 0; i < reads.size(); i++) {
                    if (!received.add(reads.getJsonObject(i).getString("read_id"))) duplicates.incrementAndGet();
                }
                req.response().setStatusCode(202).putHeader("content-type", "application/json")
                        .end(new JsonObject().put("accepted", reads.size()).put("rejected", new JsonArray()).encode());
            })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
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
}
