package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;

/**
 * MQTT 5 CONNACK advertises Maximum Packet Size, counted as the specification counts it (the whole
 * packet), so that it is exactly the largest packet the decoder's remaining-length limit lets through.
 */
class MaximumPacketSizeTest {
    static final int MAX_MESSAGE = 2048;
    static final String TOPIC = "platewarden/reads/cam-001";
    static final int MAXIMUM_PACKET_SIZE = 0x27;

    @TempDir
    Path dir;

    @Test
    void theTotalSizeAddsTheFixedHeaderByteAndTheVarintOfTheLimit() {
        assertEquals(1 + 1 + 0, MaximumPacketSize.of(0));
        assertEquals(1 + 1 + 127, MaximumPacketSize.of(127));
        assertEquals(1 + 2 + 128, MaximumPacketSize.of(128));
        assertEquals(1 + 2 + 16_383, MaximumPacketSize.of(16_383));
        assertEquals(1 + 3 + 16_384, MaximumPacketSize.of(16_384));
        assertEquals(1 + 3 + 262_144, MaximumPacketSize.of(262_144)); // the default limit
        assertEquals(1 + 3 + 2_097_151, MaximumPacketSize.of(2_097_151));
        assertEquals(1 + 4 + 2_097_152, MaximumPacketSize.of(2_097_152));
    }

    @Test
    void connackAdvertisesItAndAPacketOfExactlyThatSizeIsAcceptedWhileOneByteMoreIsRefused() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "\"mqtt_max_message_bytes\":" + MAX_MESSAGE, 64L * 1024 * 1024)) {
            try (Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
                PipelinedPublishTest.send(s, RawMqtt.connect("raw-max", "cam-001", "demo-cam-001", true));
                List<RawMqtt.Packet> connack = RawMqtt.readUntilClosedOr(s, 1, 15_000);
                assertEquals(RawMqtt.CONNACK, connack.get(0).type());
                Map<Integer, Long> properties = RawMqtt.connackIntegerProperties(connack.get(0).body());
                assertEquals(Map.of(0x21, 32L, 0x24, 1L, MAXIMUM_PACKET_SIZE, 1L + 2 + MAX_MESSAGE), properties);

                // taken at face value: a PUBLISH of exactly the advertised total size is stored
                int advertised = properties.get(MAXIMUM_PACKET_SIZE).intValue();
                byte[] exact = publishOfTotalSize(advertised, "EXACT1");
                assertEquals(advertised, exact.length);
                PipelinedPublishTest.send(s, exact);
                List<RawMqtt.Packet> puback = RawMqtt.readUntilClosedOr(s, 1, 15_000);
                assertEquals(RawMqtt.PUBACK, puback.get(0).type());
                byte[] ack = puback.get(0).body();
                assertTrue(ack[0] == 0 && ack[1] == 1 && (ack.length == 2 || ack[2] == 0), "PUBACK of packet 1, success");
                assertEquals("EXACT1", gw.spooled().get(0).get("plate_norm").asText());

                // and one byte more is what the decoder refuses (a client that ignores the property)
                PipelinedPublishTest.send(s, publishOfTotalSize(advertised + 1, "OVER01"));
                List<RawMqtt.Packet> answer = RawMqtt.readUntilClosedOr(s, 2, 15_000);
                assertEquals(RawMqtt.DISCONNECT, answer.get(0).type());
                assertEquals(0x95, answer.get(0).body()[0] & 0xff, "PACKET_TOO_LARGE");
            }
            assertEquals(1, gw.spooled().size());
        }
    }

    /** An MQTT 5 QoS 1 PUBLISH of a valid read, padded with JSON whitespace to {@code total} bytes on the wire. */
    static byte[] publishOfTotalSize(int total, String plate) {
        byte[] read = Reads.read("cam-001", plate).getBytes(StandardCharsets.UTF_8);
        int withoutPayload = RawMqtt.publishQos1(TOPIC, 1, new byte[0], true).length;
        int remaining = total - 1 - 2; // sizes here have a 2-byte remaining length (128..16383)
        int padding = remaining - (withoutPayload - 2) - read.length;
        byte[] payload = (new String(read, StandardCharsets.UTF_8) + " ".repeat(padding)).getBytes(StandardCharsets.UTF_8);
        byte[] packet = RawMqtt.publishQos1(TOPIC, 1, payload, true);
        assertEquals(total, packet.length, "padding arithmetic");
        return packet;
    }
}
