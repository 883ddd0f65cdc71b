package org.platewarden.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.spool.SpoolFullException;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;

class HttpSpoolFullTest {
    @TempDir
    Path dir;

    @Test
    void fullSpoolIs429WithRetryAfterAndNotReady() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "", 16384)) {
            // fill the spool directly until it refuses
            long filledSeq = org.platewarden.gateway.testsupport.Spools.fill(gw.spool);
            long before = gw.spool.lastDurableSeq();
            HttpClient http = HttpClient.newHttpClient();
            String body = "[" + Reads.read("cam-001", "FULL01") + "," + Reads.read("cam-001", "FULL02") + "]";
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + "/v1/reads"))
                    .header("Authorization", GatewayHarness.basic("cam-001", "demo-cam-001"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(429, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("Retry-After").isPresent());
            assertEquals(before, gw.spool.lastDurableSeq());
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, ready.statusCode(), ready.body());
        }
    }

    /**
     * A refused batch is resent whole by the camera; had its invalid reads been dead-lettered on
     * each refusal, ops would find one dead letter per retry for one bad read.
     */
    @Test
    void aBatchRefusedForAFullSpoolLeavesNoDeadLetterItsRetryWouldDuplicate() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "", 16384)) {
            org.platewarden.gateway.testsupport.Spools.fill(gw.spool);
            HttpClient http = HttpClient.newHttpClient();
            String body = "[" + Reads.read("cam-001", "FULL03") + ",{\"camera_id\":\"cam-001\",\"plate\":\"NOTIME\"}]";
            for (int attempt = 0; attempt < 3; attempt++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + "/v1/reads"))
                        .header("Authorization", GatewayHarness.basic("cam-001", "demo-cam-001"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(429, r.statusCode(), r.body());
            }
            assertEquals(List.of(), gw.deadLetters(), "nothing was accepted, so nothing is dead-lettered yet: the camera resends the batch");
        }
    }

    /**
     * The gateway listens on every event loop; the one whose append was refused is not the only one
     * readiness may ask. Every probe, on any loop, must say DOWN.
     */
    @Test
    void aFullSpoolIsNotReadyOnEveryEventLoop() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "\"event_loops\":2", 16384)) {
            org.platewarden.gateway.testsupport.Spools.fill(gw.spool);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + "/v1/reads"))
                    .header("Authorization", GatewayHarness.basic("cam-001", "demo-cam-001"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Reads.read("cam-001", "FULL04"), StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(429, r.statusCode(), r.body());
            for (int i = 0; i < 6; i++) {
                // a new client each time: a new connection, spread over the loops
                HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gw.httpPort() + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, ready.statusCode(), "probe " + i + ": " + ready.body());
            }
        }
    }

    /**
     * Readiness after a full disk used to clear only when an append got through (or the indexer
     * deleted a segment): a gateway a load balancer had taken out of rotation for it, so that no
     * read reached it, stayed out after ops freed the disk. The spool now sees the room on its own.
     */
    @Test
    void aGatewayRefusingForAFullDiskIsReadyAgainOnceTheDiskHasRoomWithoutAnyRead() throws Exception {
        java.util.concurrent.atomic.AtomicLong free = new java.util.concurrent.atomic.AtomicLong(1L << 30);
        org.platewarden.core.spool.SegmentedSpool spool = org.platewarden.core.spool.SegmentedSpool.open(dir.resolve("spool"),
                new org.platewarden.core.config.SpoolConfig(1024 * 1024, 64L * 1024 * 1024), null,
                org.platewarden.core.io.ChannelOpener.DEFAULT, free::get);
        try (GatewayHarness gw = GatewayHarness.start(dir, spool)) {
            HttpClient http = HttpClient.newHttpClient();
            assertEquals(202, post(http, gw, Reads.read("cam-001", "DISK01")).statusCode());
            free.set(1000); // someone else's files filled the disk
            HttpResponse<String> refused = post(http, gw, Reads.read("cam-001", "DISK02"));
            assertEquals(429, refused.statusCode(), refused.body());
            HttpResponse<String> ready = ready(http, gw);
            assertEquals(503, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("too little free space"), ready.body());
            long sizeWhenRefused = spool.sizeBytes();

            free.set(1L << 30); // ops freed it; no camera sends (the balancer sends none here)
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (ready(http, gw).statusCode() != 200 && System.nanoTime() < deadline) Thread.sleep(50);
            ready = ready(http, gw);
            assertEquals(200, ready.statusCode(), ready.body());
            assertEquals(sizeWhenRefused, spool.sizeBytes(), "nothing was freed in the spool: the disk's room was seen");
            assertEquals(1, spool.lastDurableSeq(), "no read was appended meanwhile");
            assertEquals(202, post(http, gw, Reads.read("cam-001", "DISK03")).statusCode());
        }
    }

    private static HttpResponse<String> post(HttpClient http, GatewayHarness gw, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + "/v1/reads"))
                .header("Authorization", GatewayHarness.basic("cam-001", "demo-cam-001"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> ready(HttpClient http, GatewayHarness gw) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
