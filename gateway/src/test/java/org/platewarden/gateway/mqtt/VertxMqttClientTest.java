package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.spool.SpoolFullException;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;

/** The gateway against the Vert.x MQTT client (which in 5.1.1 speaks MQTT 3.1.1 only). */
class VertxMqttClientTest {
    @TempDir
    Path dir;

    static MqttClient client(GatewayHarness gw, String user, String password) {
        return MqttClient.create(gw.vertx, new MqttClientOptions().setUsername(user).setPassword(password)
                .setClientId("vertx-" + System.nanoTime()).setMaxInflightQueue(100));
    }

    static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void pubackIsSentOnlyOnceTheReadIsReadableFromTheSpool() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            MqttClient c = client(gw, "cam-001", "demo-cam-001");
            CompletableFuture<Long> durableAtPuback = new CompletableFuture<>();
            c.publishCompletionHandler(id -> durableAtPuback.complete(gw.spool.lastDurableSeq()));
            await(c.connect(gw.mqttPort(), "127.0.0.1"));
            await(c.publish("platewarden/reads/cam-001", Buffer.buffer(Reads.read("cam-001", "VX0001")), MqttQoS.AT_LEAST_ONCE, false, false));
            assertEquals(1L, durableAtPuback.get(20, TimeUnit.SECONDS));
            assertEquals("VX0001", gw.spooled().get(0).get("plate_norm").asText());
            assertEquals(1.0, gw.registry.get("platewarden.gateway.connected.cameras").gauge().value());
            await(c.disconnect());
        }
    }

    @Test
    void aBurstOfPublishesIsAcknowledgedInOrderAndEveryAcknowledgedReadIsSpooled() throws Exception {
        // PUBACKs are written by the AckSender thread, many per flush: they must still leave in
        // PUBLISH order (MQTT 3.1.1 4.6) and each only after its read is durable
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            MqttClient c = client(gw, "cam-001", "demo-cam-001");
            List<Integer> sent = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            List<Integer> acked = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            List<Long> durableAtAck = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            CompletableFuture<Void> all = new CompletableFuture<>();
            int n = 300;
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            Runnable publishNext = () -> {
                int i = next.getAndIncrement();
                if (i < n) {
                    c.publish("platewarden/reads/cam-001", Buffer.buffer(Reads.read("cam-001", String.format("BU%04d", i))),
                            MqttQoS.AT_LEAST_ONCE, false, false).onSuccess(sent::add);
                }
            };
            c.publishCompletionHandler(id -> {
                acked.add(id);
                durableAtAck.add(gw.spool.lastDurableSeq());
                if (acked.size() == n) all.complete(null);
                publishNext.run(); // keeps the client's in-flight window (100) full
            });
            await(c.connect(gw.mqttPort(), "127.0.0.1"));
            gw.vertx.runOnContext(v -> {
                for (int i = 0; i < 100; i++) publishNext.run();
            });
            all.get(30, TimeUnit.SECONDS);
            assertEquals(sent, acked, "PUBACKs in PUBLISH order");
            for (int i = 0; i < n; i++) {
                assertTrue(durableAtAck.get(i) >= i + 1, "PUBACK " + i + " before its read was durable (" + durableAtAck.get(i) + ")");
            }
            assertEquals(n, gw.spooled().size());
            await(c.disconnect());
        }
    }

    @Test
    void wrongPasswordIsRefused() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            MqttClient c = client(gw, "cam-001", "wrong");
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> await(c.connect(gw.mqttPort(), "127.0.0.1")));
            assertTrue(e.getCause().getMessage().contains("NOT_AUTHORIZED"), e.getCause().getMessage());
        }
    }

    /**
     * A client resends the PUBLISH it got no PUBACK for on every reconnect: one dead letter, every
     * attempt counted — also when the reconnections land on other event loops (two here).
     */
    @Test
    void aResentOversizeMessageIsDeadLetteredOnceAndCountedEachTime() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "\"mqtt_max_message_bytes\":2048,\"event_loops\":2", 64L * 1024 * 1024)) {
            String big = "[" + (Reads.read("cam-001", "BIG003") + ",").repeat(30) + Reads.read("cam-001", "BIG004") + "]";
            for (int attempt = 0; attempt < 3; attempt++) {
                MqttClient c = client(gw, "cam-001", "demo-cam-001");
                CompletableFuture<Void> closed = new CompletableFuture<>();
                c.closeHandler(v -> closed.complete(null));
                await(c.connect(gw.mqttPort(), "127.0.0.1"));
                c.publish("platewarden/reads/cam-001", Buffer.buffer(big), MqttQoS.AT_LEAST_ONCE, false, false);
                closed.get(20, TimeUnit.SECONDS);
            }
            assertEquals(3.0, gw.registry.counter("platewarden.gateway.mqtt.oversize").count());
            assertEquals(3.0, gw.registry.find("platewarden.gateway.reads.rejected").tag("protocol", "mqtt").tag("reason", "too_large").counter().count(),
                    "counted with every other refusal too");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (gw.deadLetters().isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
            Thread.sleep(200); // a second dead letter, were one written, would be started by now
            assertEquals(1, gw.deadLetters().stream().filter(l -> l.reason().startsWith("too_large")).count(), gw.deadLetters().toString());
            assertEquals(0, gw.spool.lastDurableSeq());
        }
    }

    /**
     * A camera reconnecting with the same client id while its old connection is still open (half
     * open, not timed out yet): the new one takes over and the old one is closed, as MQTT requires.
     * Another camera using the same client id closes nothing of this one's.
     */
    @Test
    void aNewConnectionWithTheSameClientIdTakesOverOnlyForTheSameCamera() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "\"event_loops\":2", 64L * 1024 * 1024)) {
            MqttClient old = MqttClient.create(gw.vertx, new MqttClientOptions().setUsername("cam-001").setPassword("demo-cam-001").setClientId("gate-7"));
            CompletableFuture<Void> oldClosed = new CompletableFuture<>();
            old.closeHandler(v -> oldClosed.complete(null));
            await(old.connect(gw.mqttPort(), "127.0.0.1"));

            MqttClient otherCamera = MqttClient.create(gw.vertx, new MqttClientOptions().setUsername("cam-002").setPassword("demo-cam-002").setClientId("gate-7"));
            await(otherCamera.connect(gw.mqttPort(), "127.0.0.1"));
            Thread.sleep(300);
            assertFalse(oldClosed.isDone(), "another camera's client id does not close this camera's connection");

            MqttClient fresh = MqttClient.create(gw.vertx, new MqttClientOptions().setUsername("cam-001").setPassword("demo-cam-001").setClientId("gate-7"));
            await(fresh.connect(gw.mqttPort(), "127.0.0.1"));
            oldClosed.get(20, TimeUnit.SECONDS);
            await(fresh.publish("platewarden/reads/cam-001", Buffer.buffer(Reads.read("cam-001", "TKO001")), MqttQoS.AT_LEAST_ONCE, false, false));
            assertTrue(otherCamera.isConnected(), "the other camera's connection stays");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (gw.spool.lastDurableSeq() < 1 && System.nanoTime() < deadline) Thread.sleep(20);
            assertEquals(1, gw.spool.lastDurableSeq(), "the new connection is served");
        }
    }

    @Test
    void oversizeMessageClosesConnectionAndStoresNothing() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "\"mqtt_max_message_bytes\":2048", 64L * 1024 * 1024)) {
            MqttClient c = client(gw, "cam-001", "demo-cam-001");
            CompletableFuture<Void> closed = new CompletableFuture<>();
            c.closeHandler(v -> closed.complete(null));
            await(c.connect(gw.mqttPort(), "127.0.0.1"));
            String big = "[" + (Reads.read("cam-001", "BIG001") + ",").repeat(30) + Reads.read("cam-001", "BIG002") + "]";
            c.publish("platewarden/reads/cam-001", Buffer.buffer(big), MqttQoS.AT_LEAST_ONCE, false, false);
            closed.get(20, TimeUnit.SECONDS);
            assertEquals(0, gw.spool.lastDurableSeq());
            assertEquals(1.0, gw.registry.counter("platewarden.gateway.mqtt.oversize").count());
        }
    }

    @Test
    void anotherCamerasTopicIsDeadLetteredAndAcknowledgedSoTheConnectionGoesOn() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            MqttClient c = client(gw, "cam-001", "demo-cam-001");
            CompletableFuture<Void> closed = new CompletableFuture<>();
            c.closeHandler(v -> closed.complete(null));
            java.util.Set<Integer> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
            c.publishCompletionHandler(acked::add);
            await(c.connect(gw.mqttPort(), "127.0.0.1"));
            int refused = await(c.publish("platewarden/reads/cam-101", Buffer.buffer(Reads.read("cam-101", "TOP999")), MqttQoS.AT_LEAST_ONCE, false, false));
            // the next read on the same connection is stored and acknowledged too (before, the
            // close left it stored but unacknowledged, and the client resent the refused one for ever)
            int next = await(c.publish("platewarden/reads/cam-001", Buffer.buffer(Reads.read("cam-001", "TOP998")), MqttQoS.AT_LEAST_ONCE, false, false));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (acked.size() < 2 && System.nanoTime() < deadline) Thread.sleep(20);
            assertEquals(java.util.Set.of(refused, next), acked);
            assertFalse(closed.isDone(), "the connection stays open");
            assertEquals(1, gw.spool.lastDurableSeq(), "only the read on the camera's own topic is stored");
            assertTrue(gw.deadLetters().stream().anyMatch(l -> l.reason().startsWith("topic_not_allowed")));
            // counted like every other refusal, under its own reason
            assertTrue(gw.registry.scrape().contains(
                    "platewarden_gateway_reads_rejected_total{protocol=\"mqtt\",reason=\"topic_not_allowed\",source=\"mqtt\"} 1.0"),
                    gw.registry.scrape());
        }
    }

    /**
     * A read on the wrong topic captured before the retention window keeps no plate in its dead letter, as any refused read;
     * one captured 20 days ago keeps its bytes in the file of its capture day, deleted when that day expires.
     */
    @Test
    void aReadOnTheWrongTopicPastRetentionIsDeadLetteredWithoutItsPlate() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            MqttClient c = client(gw, "cam-001", "demo-cam-001");
            java.util.Set<Integer> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
            c.publishCompletionHandler(acked::add);
            await(c.connect(gw.mqttPort(), "127.0.0.1"));
            String old = Reads.read("cam-002", "SEC7777", java.time.Instant.now().minus(40, java.time.temporal.ChronoUnit.DAYS));
            String fresh = Reads.read("cam-002", "SEC8888");
            java.time.Instant twentyDaysAgo = java.time.Instant.now().minus(20, java.time.temporal.ChronoUnit.DAYS);
            String middle = Reads.read("cam-002", "SEC9999", twentyDaysAgo);
            int id = await(c.publish("platewarden/reads/cam-002", Buffer.buffer("[" + old + "," + fresh + "," + middle + "]"), MqttQoS.AT_LEAST_ONCE, false, false));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!acked.contains(id) && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue(acked.contains(id));
            List<DeadLetter> letters = gw.deadLetters();
            assertEquals(3, letters.size(), letters.toString());
            assertTrue(letters.stream().allMatch(l -> l.reason().startsWith("topic_not_allowed")), letters.toString());
            Path middleDay = dir.resolve("deadletter").resolve(org.platewarden.core.deadletter.DeadLetterStore.fileName(
                    java.time.LocalDate.ofInstant(twentyDaysAgo, java.time.ZoneOffset.UTC)));
            assertTrue(java.nio.file.Files.readString(middleDay).contains("SEC9999"), "filed under its capture day");
            assertTrue(letters.stream().noneMatch(l -> String.valueOf(l.payload()).contains("SEC7777")), "the old read's plate is kept nowhere: " + letters);
            assertTrue(letters.stream().anyMatch(l -> l.payloadWithheld() != null), letters.toString());
            assertTrue(letters.stream().anyMatch(l -> String.valueOf(l.payload()).contains("SEC8888")), "a read within retention keeps its bytes");
        }
    }

    @Test
    void malformedPayloadIsDeadLetteredThenAcknowledged() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            DeadLetter letter = deadLetteredBeforePuback(gw, "<xml>not a read</xml>".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertTrue(letter.reason().startsWith("invalid_json"));
            assertEquals("gateway-mqtt", letter.stage());
        }
    }

    @Test
    void aPayloadThatIsNotUtf8IsDeadLetteredWithItsExactBytes() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            byte[] sent = {'{', '"', 'p', 'l', 'a', 't', 'e', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'};
            DeadLetter letter = deadLetteredBeforePuback(gw, sent);
            assertTrue(letter.reason().startsWith("invalid_json"), letter.reason());
            assertEquals("{\"plate\":\"\uFFFD\uFFFD\"}", letter.payload()); // greppable
            assertArrayEquals(sent, letter.payloadBytes()); // exact
        }
    }

    /** Publishes a payload the gateway refuses (QoS 1, 3.1.1) and returns its dead letter, present when the PUBACK came. */
    private static DeadLetter deadLetteredBeforePuback(GatewayHarness gw, byte[] payload) throws Exception {
        MqttClient c = client(gw, "cam-001", "demo-cam-001");
        CompletableFuture<Integer> lettersAtPuback = new CompletableFuture<>();
        c.publishCompletionHandler(id -> lettersAtPuback.complete(gw.deadLetters().size()));
        await(c.connect(gw.mqttPort(), "127.0.0.1"));
        c.publish("platewarden/reads/cam-001", Buffer.buffer(payload), MqttQoS.AT_LEAST_ONCE, false, false);
        assertEquals(1, lettersAtPuback.get(20, TimeUnit.SECONDS));
        await(c.disconnect());
        return gw.deadLetters().get(0);
    }

    @Test
    void fullSpoolWithholdsThePubackUntilSpaceIsFreed() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "", 16384)) {
            long filledSeq = org.platewarden.gateway.testsupport.Spools.fill(gw.spool);
            long filled = filledSeq;
            MqttClient c = client(gw, "cam-001", "demo-cam-001");
            CompletableFuture<Long> durableAtPuback = new CompletableFuture<>();
            c.publishCompletionHandler(id -> durableAtPuback.complete(gw.spool.lastDurableSeq()));
            await(c.connect(gw.mqttPort(), "127.0.0.1"));
            c.publish("platewarden/reads/cam-001", Buffer.buffer(Reads.read("cam-001", "WAIT01")), MqttQoS.AT_LEAST_ONCE, false, false);
            // while the spool stays full the read is neither acknowledged nor dropped
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (gw.registry.find("platewarden.gateway.overloaded").tag("what", "spool_full").counter() == null && System.nanoTime() < deadline) Thread.sleep(20);
            Thread.sleep(300);
            assertFalse(durableAtPuback.isDone(), "PUBACK sent although the spool is full");
            assertTrue(c.isConnected());
            // the indexer catches up: the checkpoint frees the filler records
            gw.spool.advanceCheckpoint(filled);
            long durable = durableAtPuback.get(20, TimeUnit.SECONDS);
            assertEquals(filled + 1, durable);
            assertTrue(new String(gw.spool.read(filled, 1).get(0).json(), java.nio.charset.StandardCharsets.UTF_8).contains("\"plate_norm\":\"WAIT01\""));
            await(c.disconnect());
        }
    }

    /**
     * A camera that gives up waiting (disconnects without a PUBACK) resends the PUBLISH on its next
     * connection; its bad read is dead-lettered once, when the batch is stored, not once per attempt.
     */
    @Test
    void aBadReadWaitingBehindAFullSpoolIsDeadLetteredOnceWhenItsBatchIsStored() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "", 16384)) {
            long filled = org.platewarden.gateway.testsupport.Spools.fill(gw.spool);
            byte[] payload = ("[" + Reads.read("cam-001", "WAIT02") + ",{\"camera_id\":\"cam-001\",\"plate\":\"NOTIME\"}]")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            MqttClient first = client(gw, "cam-001", "demo-cam-001");
            await(first.connect(gw.mqttPort(), "127.0.0.1"));
            first.publish("platewarden/reads/cam-001", Buffer.buffer(payload), MqttQoS.AT_LEAST_ONCE, false, false);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (gw.registry.find("platewarden.gateway.overloaded").tag("what", "spool_full").counter() == null && System.nanoTime() < deadline) Thread.sleep(20);
            Thread.sleep(300);
            await(first.disconnect());
            assertEquals(List.of(), gw.deadLetters(), "the batch was not stored, so its bad read waits for the resend");

            MqttClient second = client(gw, "cam-001", "demo-cam-001");
            CompletableFuture<Integer> lettersAtPuback = new CompletableFuture<>();
            second.publishCompletionHandler(id -> lettersAtPuback.complete(gw.deadLetters().size()));
            await(second.connect(gw.mqttPort(), "127.0.0.1"));
            second.publish("platewarden/reads/cam-001", Buffer.buffer(payload), MqttQoS.AT_LEAST_ONCE, false, false);
            Thread.sleep(300);
            gw.spool.advanceCheckpoint(filled);
            assertEquals(1, lettersAtPuback.get(20, TimeUnit.SECONDS), "dead-lettered before the PUBACK");
            await(second.disconnect());
            assertEquals(1, gw.deadLetters().size());
            assertTrue(gw.deadLetters().get(0).reason().contains("captured_at"), gw.deadLetters().get(0).reason());
        }
    }
}
