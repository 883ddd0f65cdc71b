package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;

/**
 * A PUBLISH sent right behind CONNECT, before CONNACK (MQTT 3.1.1 §3.1.4 and MQTT 5 allow it), in
 * the same TCP write. Vert.x 5.1.1 closes a connection whose PUBLISH arrives before the endpoint
 * is accepted, so whether it works depends on whether authentication answers at once: from the
 * cache of recent successful verifications it does (accepted inside the CONNECT's handler), a
 * first verification runs PBKDF2 on a worker and does not. Either way nothing unacknowledged is
 * kept, and nothing kept goes unacknowledged.
 */
class PipelinedPublishTest {
    static final String TOPIC = "platewarden/reads/cam-001";

    @TempDir
    Path dir;

    @Test
    void onTheCamerasFirstConnectionItIsClosedWithoutConnackAndTheReadIsNotStored() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            try (Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
                send(s, RawMqtt.concat(connect(), publish(1, "PIP001")));
                // closed, not answered: no CONNACK, and no PUBACK for a read the gateway never saw
                assertEquals(List.of(), RawMqtt.readUntilClosedOr(s, 2, 15_000));
            }
            // the PUBLISH Vert.x refused is counted (and logged as one throttled line, not an ERROR with a stack trace each)
            var discarded = gw.registry.counter("platewarden.gateway.mqtt.packets.discarded");
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (discarded.count() < 1 && System.nanoTime() < deadline) Thread.sleep(10);
            assertEquals(1.0, discarded.count());
            // the client resends on a connection that waits for CONNACK: that one is stored, the first never was
            connectThenPublish(gw, 2, "PIP002");
            assertEquals(List.of("PIP002"), plates(gw));
        }
    }

    @Test
    void afterASuccessfulConnectionTheCachedCredentialsAcceptItAndItIsAcknowledgedOnceStored() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            connectThenPublish(gw, 1, "PIP003");
            try (Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
                send(s, RawMqtt.concat(connect(), publish(7, "PIP004")));
                List<RawMqtt.Packet> answer = RawMqtt.readUntilClosedOr(s, 2, 15_000);
                assertEquals(2, answer.size(), "CONNACK and PUBACK expected, got " + answer.size() + " packet(s)");
                assertEquals(RawMqtt.CONNACK, answer.get(0).type());
                assertArrayEquals(new byte[] {0, 0}, answer.get(0).body(), "CONNACK: accepted");
                assertEquals(RawMqtt.PUBACK, answer.get(1).type());
                assertArrayEquals(new byte[] {0, 7}, answer.get(1).body(), "PUBACK of packet 7");
                // PUBACK only after fsync: no waiting needed
                assertEquals(List.of("PIP003", "PIP004"), plates(gw));
            }
        }
    }

    /**
     * The gateway listens on every event loop; a camera's connections are spread over them. The
     * cache of verified secrets is one for all loops, so after one successful connection every
     * pipelined one is served, whichever loop it lands on (with a cache per loop, about half were
     * closed unanswered).
     */
    @Test
    void theCachedCredentialsServeItOnEveryEventLoop() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "\"event_loops\":2", 64L * 1024 * 1024)) {
            connectThenPublish(gw, 1, "PIP010");
            for (int i = 1; i <= 6; i++) {
                try (Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
                    send(s, RawMqtt.concat(connect(), publish(i, "PIP01" + i)));
                    List<RawMqtt.Packet> answer = RawMqtt.readUntilClosedOr(s, 2, 15_000);
                    assertEquals(2, answer.size(), "connection " + i + ": CONNACK and PUBACK expected, got " + answer.size() + " packet(s)");
                    assertEquals(RawMqtt.PUBACK, answer.get(1).type());
                }
            }
            assertEquals(List.of("PIP010", "PIP011", "PIP012", "PIP013", "PIP014", "PIP015", "PIP016"), plates(gw));
        }
    }

    /** The well-behaved way: CONNECT, wait for CONNACK, PUBLISH, wait for PUBACK. */
    static void connectThenPublish(GatewayHarness gw, int packetId, String plate) throws Exception {
        try (Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
            send(s, connect());
            List<RawMqtt.Packet> connack = RawMqtt.readUntilClosedOr(s, 1, 15_000);
            assertEquals(1, connack.size(), "no CONNACK");
            assertArrayEquals(new byte[] {0, 0}, connack.get(0).body());
            send(s, publish(packetId, plate));
            List<RawMqtt.Packet> puback = RawMqtt.readUntilClosedOr(s, 1, 15_000);
            assertEquals(1, puback.size(), "no PUBACK");
            assertEquals(RawMqtt.PUBACK, puback.get(0).type());
        }
    }

    static byte[] connect() {
        return RawMqtt.connect("raw-" + System.nanoTime(), "cam-001", "demo-cam-001");
    }

    static byte[] publish(int packetId, String plate) {
        return RawMqtt.publishQos1(TOPIC, packetId, Reads.read("cam-001", plate).getBytes(StandardCharsets.UTF_8));
    }

    static void send(Socket s, byte[] bytes) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    static List<String> plates(GatewayHarness gw) {
        assertTrue(gw.spooled().stream().allMatch(d -> d.get("camera_id").asText().equals("cam-001")));
        return gw.spooled().stream().map(d -> d.get("plate_norm").asText()).toList();
    }
}
