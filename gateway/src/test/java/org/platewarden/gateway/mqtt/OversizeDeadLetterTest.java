package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.gateway.testsupport.GatewayHarness;

/**
 * A packet above {@code gateway.mqtt_max_message_bytes} where a client library does not send one
 * (MosquittoClientTest has the common case): before the connection is accepted, and with a
 * dead-letter store that fails. Only an authenticated camera's refusal is dead-lettered (as over
 * HTTP, a client without valid credentials leaves no dead letter: anyone who can reach the port
 * could otherwise fill the disk); one pipelined behind CONNECT is recorded once the credentials
 * verify.
 */
class OversizeDeadLetterTest {
    static final int MAX_MESSAGE = 2048;
    static final String TOPIC = "platewarden/reads/cam-001";
    static final byte[] BIG = new byte[MAX_MESSAGE + 100];
    /** What the limit measures and the decoder reports: topic, packet id, payload. */
    static final int REMAINING_LENGTH = 2 + TOPIC.length() + 2 + BIG.length;
    static final String REASON = "too_large: MQTT packet of " + REMAINING_LENGTH + " bytes (remaining length) is above "
            + "gateway.mqtt_max_message_bytes (" + MAX_MESSAGE + "); the decoder discarded it unread, so no payload is kept";

    static {
        java.util.Arrays.fill(BIG, (byte) '[');
    }

    @TempDir
    Path dir;

    GatewayHarness start() {
        return GatewayHarness.start(dir, "\"mqtt_max_message_bytes\":" + MAX_MESSAGE, 64L * 1024 * 1024);
    }

    @Test
    void anOversizeFirstPacketClosesTheConnectionAndLeavesNoDeadLetter() throws Exception {
        try (GatewayHarness gw = start()) {
            try (Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
                PipelinedPublishTest.send(s, RawMqtt.publishQos1(TOPIC, 1, BIG));
                assertEquals(List.of(), RawMqtt.readUntilClosedOr(s, 1, 15_000));
            }
            // an authenticated camera's oversize packet, after it: its dead letter is the only one
            // (dead letters are written in order, so one for the first packet would be there too)
            try (Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
                PipelinedPublishTest.send(s, PipelinedPublishTest.connect());
                List<RawMqtt.Packet> connack = RawMqtt.readUntilClosedOr(s, 1, 15_000);
                assertArrayEquals(new byte[] {0, 0}, connack.get(0).body());
                PipelinedPublishTest.send(s, RawMqtt.publishQos1(TOPIC, 1, BIG));
                assertEquals(List.of(), RawMqtt.readUntilClosedOr(s, 1, 15_000), "closed, nothing acknowledged");
            }
            DeadLetter only = awaitOneDeadLetter(gw);
            assertEquals("cam-001", only.cameraId());
            assertEquals(REASON, only.reason());
        }
    }

    @Test
    void anOversizePublishPipelinedBehindConnectIsDeadLetteredOnlyIfTheCredentialsVerify() throws Exception {
        try (GatewayHarness gw = start()) {
            try (Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
                PipelinedPublishTest.send(s, RawMqtt.concat(RawMqtt.connect("raw-bad", "cam-001", "not-the-secret"), RawMqtt.publishQos1(TOPIC, 1, BIG)));
                assertEquals(List.of(), RawMqtt.readUntilClosedOr(s, 1, 15_000));
            }
            awaitCount(gw, "platewarden.gateway.auth.failures", 1);
            // the first verification of cam-001's secret: not cached, so the connection is closed
            // by the oversize PUBLISH before CONNACK, and recorded when PBKDF2 answers
            try (Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
                PipelinedPublishTest.send(s, RawMqtt.concat(PipelinedPublishTest.connect(), RawMqtt.publishQos1(TOPIC, 1, BIG)));
                assertEquals(List.of(), RawMqtt.readUntilClosedOr(s, 1, 15_000));
            }
            DeadLetter only = awaitOneDeadLetter(gw);
            assertEquals("gateway-mqtt", only.stage());
            assertEquals("cam-001", only.cameraId());
            assertEquals(REASON, only.reason());
            assertEquals(null, only.payload());
            // both refusals are counted, the unauthenticated one too
            assertEquals(2.0, gw.registry.counter("platewarden.gateway.mqtt.oversize").count());
            assertEquals(0, gw.spool.lastDurableSeq());
        }
    }

    @Test
    void aFailingDeadLetterWriteNeitherKeepsTheConnectionOpenNorCostsTheDisconnect() throws Exception {
        try (GatewayHarness gw = start()) {
            gw.deadLetters.close(); // its writer is shut down: every append fails at once
            try (Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
                PipelinedPublishTest.send(s, RawMqtt.connect("raw-v5", "cam-001", "demo-cam-001", true));
                List<RawMqtt.Packet> connack = RawMqtt.readUntilClosedOr(s, 1, 15_000);
                assertEquals(RawMqtt.CONNACK, connack.get(0).type());
                assertEquals(0, connack.get(0).body()[1], "CONNACK: success");
                PipelinedPublishTest.send(s, RawMqtt.publishQos1(TOPIC, 1, BIG, true));
                List<RawMqtt.Packet> answer = RawMqtt.readUntilClosedOr(s, 2, 15_000);
                assertEquals(1, answer.size(), "DISCONNECT, then closed");
                assertEquals(RawMqtt.DISCONNECT, answer.get(0).type());
                assertEquals(0x95, answer.get(0).body()[0] & 0xff, "PACKET_TOO_LARGE");
                // the reason string property: the MQTT 5 remaining length has the (empty) property list's length too
                String reasonString = new String(answer.get(0).body(), java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(reasonString.contains("too_large: MQTT packet of " + (REMAINING_LENGTH + 1) + " bytes"), reasonString);
            }
            assertEquals(1.0, gw.registry.counter("platewarden.gateway.mqtt.oversize").count());
            assertEquals(List.of(), gw.deadLetters());
        }
    }

    static DeadLetter awaitOneDeadLetter(GatewayHarness gw) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<DeadLetter> letters = gw.deadLetters();
        while (letters.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            letters = gw.deadLetters();
        }
        assertEquals(1, letters.size(), letters.toString());
        return letters.get(0);
    }

    static void awaitCount(GatewayHarness gw, String counter, double n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (gw.registry.counter(counter, "protocol", "mqtt").count() < n && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(gw.registry.counter(counter, "protocol", "mqtt").count() >= n, counter);
    }
}
