package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;
import org.platewarden.gateway.testsupport.Spools;

/**
 * {@code gateway.mqtt_max_pending_bytes_total}: what all MQTT connections together may hold while
 * their PUBLISHes wait for durability. A chaos test found the per-connection limit alone let 60
 * connections pipelining 250 KB PUBLISHes at a full spool run a 512 MiB gateway out of memory
 * (event loops died, the node stayed half alive). Here several connections flood a gateway whose
 * spool is full with far more than a small budget: the budget holds, the node answers, and once
 * the spool has room every PUBLISH is stored and nothing acknowledged is missing.
 */
class MqttPendingBudgetTest {
    static final String TOPIC = "platewarden/reads/cam-001";
    static final long BUDGET = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void aShareIsTakenOnlyIfItFitsAndGivenBackOnce() {
        MqttPendingBudget budget = new MqttPendingBudget(1000, new SimpleMeterRegistry());
        MqttPendingBudget.Reservation a = budget.tryReserve(600);
        assertNotNull(a);
        assertNull(budget.tryReserve(401), "600 + 401 > 1000");
        MqttPendingBudget.Reservation b = budget.tryReserve(400);
        assertNotNull(b);
        assertEquals(1000, budget.pending());
        assertFalse(a.resize(601), "growing past the budget while another share is pending");
        assertEquals(1000, budget.pending(), "a refused resize changes nothing");
        assertTrue(a.resize(100));
        assertEquals(500, budget.pending());
        a.release();
        a.release();
        assertFalse(a.resize(1), "a released share stays released");
        assertEquals(400, budget.pending(), "released once, however often asked");
        // alone, a share may grow past the budget (a PUBLISH whose reads hold more than it must still be served once)
        assertTrue(b.resize(1500));
        assertNull(budget.tryReserve(1), "nothing else fits meanwhile");
        b.release();
        assertEquals(0, budget.pending());
        MqttPendingBudget.Reservation alone = budget.tryReserve(1200);
        assertNotNull(alone, "with nothing pending, even more than the budget is taken in");
        alone.release();
        assertEquals(0, budget.pending());
    }

    @Test
    void aPublishIsTakenInAtWhatRecentOnesCameToHold() {
        MqttPendingBudget budget = new MqttPendingBudget(1 << 20, new SimpleMeterRegistry());
        assertEquals(1000, budget.admissionBytes(1000), "at first, its payload");
        for (int i = 0; i < 100; i++) budget.observed(1000, 2400);
        long estimate = budget.admissionBytes(1000);
        assertTrue(estimate > 2300 && estimate <= 2400, "near 2.4 times: " + estimate);
        for (int i = 0; i < 100; i++) budget.observed(1000, 10);
        estimate = budget.admissionBytes(1000);
        assertTrue(estimate >= 1000 && estimate < 1010, "never less than the payload, which it holds until parsed: " + estimate);
    }

    @Test
    void sharesTakenAndGivenBackFromManyThreadsNeverExceedTheBudgetAndEndAtZero() throws Exception {
        // no share is larger than the budget, so the total never exceeds it
        MqttPendingBudget budget = new MqttPendingBudget(3000, new SimpleMeterRegistry());
        AtomicLong highest = new AtomicLong();
        AtomicInteger refused = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int seed = t;
            threads.add(started(() -> {
                java.util.Random random = new java.util.Random(seed);
                for (int i = 0; i < 20_000; i++) {
                    MqttPendingBudget.Reservation r = budget.tryReserve(1 + random.nextInt(2000));
                    if (r == null) {
                        refused.incrementAndGet();
                        continue;
                    }
                    if (!r.resize(1 + random.nextInt(3000))) refused.incrementAndGet();
                    highest.accumulateAndGet(budget.pending(), Math::max);
                    r.release();
                    r.release();
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertEquals(0, budget.pending(), "every share given back exactly once");
        assertTrue(highest.get() <= 3000, "at most the budget: " + highest.get());
        assertTrue(refused.get() > 0, "the budget was reached");
    }

    /**
     * The chaos test in small: six connections (two event loops) each pipeline 20 PUBLISHes of
     * about 20 KB without waiting for PUBACK, at a full spool: 2.4 MB of payload, some 5.8 MB as
     * held, against a budget of 1 MiB. Each camera behaves as a client does: what was not
     * acknowledged it resends on its next connection.
     */
    @Test
    void floodingConnectionsAtAFullSpoolAreHeldToTheBudgetAndServedOnceItHasRoom() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "\"event_loops\":2,\"mqtt_max_pending_bytes_total\":" + BUDGET, 16L * 1024 * 1024)) {
            long filled = Spools.fill(gw.spool, 32 * 1024, 16);
            // the first connection verifies the secret (PBKDF2); the cache then answers every CONNECT at once
            connected(gw).close();
            AtomicLong highest = new AtomicLong();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = started(() -> {
                while (sampling.get()) {
                    highest.accumulateAndGet(pending(gw), Math::max);
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
            });
            List<FloodingCamera> cameras = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                FloodingCamera camera = new FloodingCamera(gw.mqttPort(), "flood-" + c, c, 20, 20_000);
                cameras.add(camera);
                threads.add(started(camera));
            }
            // the budget fills: a PUBLISH beyond it closes its connection (QUOTA_EXCEEDED), and while it
            // is nearly full the cameras' reconnections are refused at CONNECT
            // at least one of each: how many PUBLISHes are refused before reconnections are refused at
            // CONNECT depends on the scheduling (a loaded machine let two through, then refused CONNECTs)
            awaitTrue(() -> refusedForBudget(gw) >= 1 && refusedConnects(gw) >= 1, 30_000,
                    () -> "connections closed and CONNECTs refused for the budget (" + refusedForBudget(gw) + ", " + refusedConnects(gw) + ")");
            assertTrue(pending(gw) > 0, "PUBLISHes wait for the spool");

            // the node answers meanwhile: alive, not ready (the spool is full), HTTP ingest says 429
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertEquals(200, get(http, gw, "/health/live").statusCode());
            assertEquals(503, get(http, gw, "/health/ready").statusCode());
            HttpResponse<String> ingest = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + "/v1/reads"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Authorization", GatewayHarness.basic("cam-001", "demo-cam-001"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Reads.read("cam-001", "HTTP01"))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(429, ingest.statusCode(), ingest.body());
            assertTrue(cameras.stream().allMatch(c -> c.acked().isEmpty()), "nothing is acknowledged while the spool is full");

            // the indexer catches up: the spool has room, the cameras' resends are stored and acknowledged
            gw.spool.advanceCheckpoint(filled);
            for (Thread t : threads) t.join(120_000);
            sampling.set(false);
            sampler.join();
            for (FloodingCamera camera : cameras) {
                assertNull(camera.failure(), camera.failure() == null ? "" : camera.failure().toString());
                assertEquals(20, camera.acked().size(), camera.clientId + " got every PUBACK (" + camera.connections() + " connections)");
            }
            assertTrue(highest.get() <= BUDGET, "held at most the budget: at most " + highest.get() + " bytes pending, budget " + BUDGET);
            System.out.println("flood: at most " + highest.get() + " of " + BUDGET + " bytes pending; " + (long) refusedForBudget(gw)
                    + " PUBLISHes and " + (long) refusedConnects(gw) + " CONNECTs refused for the budget; connections per camera " + cameras.stream().map(FloodingCamera::connections).toList());

            // nothing acknowledged is missing (a PUBLISH stored whose PUBACK its connection's close lost is stored again: same read ids)
            Set<String> stored = new HashSet<>();
            for (var doc : gw.spooled()) if (doc.has("plate_norm")) stored.add(doc.get("plate_norm").asText());
            Set<String> expected = new HashSet<>();
            for (FloodingCamera camera : cameras) expected.addAll(camera.plates());
            Set<String> missing = new HashSet<>(expected);
            missing.removeAll(stored);
            assertEquals(Set.of(), missing, "reads acknowledged but not in the spool");
            // and every share was given back
            awaitTrue(() -> pending(gw) == 0, 10_000, "the budget back at 0, pending " + pending(gw));
        }
    }

    /**
     * Each way a PUBLISH is settled gives its share back: a leak would refuse MQTT ingest for good.
     * (The default budget, 32 MiB: here the per-connection limit is met first.)
     */
    @Test
    void everyWayAPublishEndsGivesItsShareBack() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "", 16384)) {
            // stored and acknowledged
            PipelinedPublishTest.connectThenPublish(gw, 1, "PATH01");
            assertEquals(0, pending(gw));
            try (Socket s = connected(gw)) {
                // refused: another camera's topic, not JSON, every read invalid; and a QoS 0 PUBLISH
                send(s, RawMqtt.publishQos1("platewarden/reads/cam-002", 2, Reads.read("cam-002", "PATH02").getBytes(StandardCharsets.UTF_8)));
                send(s, RawMqtt.publishQos1(TOPIC, 3, "not json".getBytes(StandardCharsets.UTF_8)));
                send(s, RawMqtt.publishQos1(TOPIC, 4, "{\"camera_id\":\"cam-001\",\"plate\":\"NOTIME\"}".getBytes(StandardCharsets.UTF_8)));
                assertEquals(3, RawMqtt.readUntilClosedOr(s, 3, 15_000).size(), "three PUBACKs (3.1.1 acknowledges a dead-lettered refusal too)");
                send(s, publishQos0(Reads.read("cam-001", "PATH05").getBytes(StandardCharsets.UTF_8)));
                awaitTrue(() -> gw.spool.lastDurableSeq() == 2, 10_000, "the QoS 0 read stored");
            }
            awaitTrue(() -> pending(gw) == 0, 10_000, "refusals and QoS 0 gave their shares back");

            // over the per-connection limit: 40 PUBLISHes of 250 KB at a full spool (8 MiB is 33 of them)
            long filled = Spools.fill(gw.spool);
            try (Socket s = connected(gw)) {
                byte[] payload = readsPayload("Q", 1, 250_000);
                try {
                    for (int id = 1; id <= 40; id++) send(s, RawMqtt.publishQos1(TOPIC, id, payload));
                } catch (IOException closedWhileSending) {
                    // the gateway closed it: what it took in waits for the spool
                }
                assertEquals(List.of(), RawMqtt.readUntilClosedOr(s, 1, 15_000), "closed without a PUBACK");
            }
            awaitTrue(() -> pending(gw) == 0, 10_000, "a connection closed for its quota gave its shares back");

            // a connection that closes while its PUBLISH waits for the spool: woken at once, not at its next retry
            double before = spoolFullRetries(gw);
            Socket waiting = connected(gw);
            send(waiting, RawMqtt.publishQos1(TOPIC, 1, Reads.read("cam-001", "WAIT01").getBytes(StandardCharsets.UTF_8)));
            // refused at once, then after 100, 200, 400 and 800 ms: the next retry is 1.6 s away
            awaitTrue(() -> spoolFullRetries(gw) >= before + 5, 15_000, "retries behind the full spool");
            assertTrue(pending(gw) > 0);
            waiting.close();
            long closedAt = System.nanoTime();
            awaitTrue(() -> pending(gw) == 0, 10_000, "the waiting PUBLISH gave its share back");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
            assertTrue(ms < 1000, "given back " + ms + " ms after the close: the retry was woken, not waited for");

            // and the budget still takes PUBLISHes: room in the spool, a PUBLISH is acknowledged
            gw.spool.advanceCheckpoint(filled);
            PipelinedPublishTest.connectThenPublish(gw, 9, "PATH09");
            assertEquals(0, pending(gw));
            assertEquals(0.0, refusedForBudget(gw), "the budget refused nothing here");
        }
    }

    /** A camera that pipelines its PUBLISHes without waiting for PUBACKs and resends what was not acknowledged on its next connection. */
    static final class FloodingCamera implements Runnable {
        final String clientId;
        private final int port;
        private final List<byte[]> payloads = new ArrayList<>();
        private final List<String> plates = new ArrayList<>();
        private final Set<Integer> acked = ConcurrentHashMap.newKeySet();
        private final AtomicInteger connections = new AtomicInteger();
        private volatile Throwable failure;

        FloodingCamera(int port, String clientId, int number, int messages, int bytesEach) {
            this.port = port;
            this.clientId = clientId;
            for (int m = 0; m < messages; m++) {
                String prefix = "F" + number + String.format("%02d", m);
                List<String> messagePlates = new ArrayList<>();
                payloads.add(readsPayload(prefix, messagePlates, bytesEach));
                plates.addAll(messagePlates);
            }
        }

        @Override
        public void run() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(110);
            try {
                while (acked.size() < payloads.size() && System.nanoTime() < deadline) {
                    connections.incrementAndGet();
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        s.setSoTimeout(20_000);
                        OutputStream out = s.getOutputStream();
                        InputStream in = s.getInputStream();
                        out.write(RawMqtt.connect(clientId, "cam-001", "demo-cam-001"));
                        out.flush();
                        if (readPacket(in) == null) continue;
                        CountDownLatch readerDone = new CountDownLatch(1);
                        Thread reader = started(() -> {
                            try {
                                int[] packet;
                                while ((packet = readPacket(in)) != null) {
                                    if (packet[0] == RawMqtt.PUBACK) acked.add(packet[1]);
                                    if (acked.size() == payloads.size()) break;
                                }
                            } catch (IOException closed) {
                                // the gateway closed the connection
                            } finally {
                                readerDone.countDown();
                            }
                        });
                        try {
                            for (int i = 0; i < payloads.size(); i++) {
                                if (!acked.contains(i + 1)) out.write(RawMqtt.publishQos1(TOPIC, i + 1, payloads.get(i)));
                            }
                            out.flush();
                        } catch (IOException closedWhileSending) {
                            // resent on the next connection
                        }
                        readerDone.await(30, TimeUnit.SECONDS);
                        reader.interrupt();
                    } catch (IOException e) {
                        // connection refused or reset: try again
                    }
                    Thread.sleep(50);
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        Set<Integer> acked() {
            return acked;
        }

        List<String> plates() {
            return plates;
        }

        int connections() {
            return connections.get();
        }

        Throwable failure() {
            return failure;
        }
    }

    /** The next packet's type and, for a PUBACK, its packet id; null when the connection closed. */
    static int[] readPacket(InputStream in) throws IOException {
        int first = in.read();
        if (first < 0) return null;
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.read();
            if (b < 0) return null;
            length |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) break;
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) return null;
        int type = first >> 4;
        int id = type == RawMqtt.PUBACK && body.length >= 2 ? (body[0] & 0xff) << 8 | (body[1] & 0xff) : -1;
        return new int[] {type, id};
    }

    /** A JSON array of reads of about {@code bytes}, each with its own plate ({@code prefix} + a number). */
    static byte[] readsPayload(String prefix, List<String> plates, int bytes) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; b.length() < bytes; i++) {
            String plate = prefix + String.format("%03d", i);
            plates.add(plate);
            if (i > 0) b.append(',');
            b.append(Reads.read("cam-001", plate));
        }
        return b.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] readsPayload(String prefix, int ignored, int bytes) {
        return readsPayload(prefix, new ArrayList<>(), bytes);
    }

    static byte[] publishQos0(byte[] payload) {
        java.io.ByteArrayOutputStream v = new java.io.ByteArrayOutputStream();
        byte[] topic = TOPIC.getBytes(StandardCharsets.UTF_8);
        v.write(topic.length >> 8);
        v.write(topic.length & 0xff);
        v.writeBytes(topic);
        v.writeBytes(payload);
        return RawMqtt.packet(0x30, v.toByteArray());
    }

    static Socket connected(GatewayHarness gw) throws Exception {
        Socket s = new Socket("127.0.0.1", gw.mqttPort());
        send(s, PipelinedPublishTest.connect());
        List<RawMqtt.Packet> connack = RawMqtt.readUntilClosedOr(s, 1, 15_000);
        assertEquals(1, connack.size(), "no CONNACK");
        assertEquals(RawMqtt.CONNACK, connack.get(0).type());
        return s;
    }

    static void send(Socket s, byte[] bytes) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    static long pending(GatewayHarness gw) {
        return (long) gw.registry.find("platewarden.gateway.mqtt.pending.bytes").gauge().value();
    }

    static double refusedConnects(GatewayHarness gw) {
        return gw.registry.counter("platewarden.gateway.mqtt.pending.refused", "at", "connect").count();
    }

    static double spoolFullRetries(GatewayHarness gw) {
        var counter = gw.registry.find("platewarden.gateway.overloaded").tag("protocol", "mqtt").tag("what", "spool_full").counter();
        return counter == null ? 0 : counter.count();
    }

    static Thread started(Runnable task) {
        Thread t = new Thread(task);
        t.setDaemon(true);
        t.start();
        return t;
    }

    static double refusedForBudget(GatewayHarness gw) {
        return gw.registry.counter("platewarden.gateway.mqtt.pending.refused", "at", "publish").count();
    }

    static HttpResponse<String> get(HttpClient http, GatewayHarness gw, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, long timeoutMs, String what) throws InterruptedException {
        awaitTrue(condition, timeoutMs, () -> what);
    }

    /** The same, with the message built when the wait fails (so it shows the values then, not at the start). */
    static void awaitTrue(java.util.function.BooleanSupplier condition, long timeoutMs, java.util.function.Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + timeoutMs + " ms: " + what.get());
            Thread.sleep(5);
        }
    }
}
