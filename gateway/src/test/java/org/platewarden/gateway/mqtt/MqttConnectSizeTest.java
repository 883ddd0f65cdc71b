package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.gateway.testsupport.GatewayHarness;

/**
 * A CONNECT's client id, credentials, Will and properties stay with its connection for its whole life
 * (Vert.x keeps them): 256 connections of one address with Wills at the packet limit held 64 MiB. A
 * CONNECT holding more than ConnectSize.MAX_HELD_BYTES is refused before its secret is checked; a
 * camera's ordinary CONNECT, small Will included, is accepted.
 */
class MqttConnectSizeTest {
    @TempDir
    Path dir;

    @Test
    void aConnectWithALargeWillIsRefusedAndASmallOneAccepted() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            // MQTT 3.1.1: return code 3 (SERVER_UNAVAILABLE), then closed
            assertEquals(List.of(3), connackCodes(gw, connectWithWill(false, 20_000)));
            // MQTT 5: PACKET_TOO_LARGE (0x95)
            assertEquals(List.of(0x95), connackCodes(gw, connectWithWill(true, 20_000)));
            assertEquals(2.0, gw.registry.counter("platewarden.gateway.mqtt.connect.too.large").count());
            assertEquals(0.0, gw.registry.counter("platewarden.gateway.auth.failures", "protocol", "mqtt").count(),
                    "refused before its secret was checked");
            // a camera's usual CONNECT with a small Will is served
            assertEquals(List.of(0), connackCodes(gw, connectWithWill(false, 200)));
            assertEquals(List.of(0), connackCodes(gw, connectWithWill(true, 200)));
        }
    }

    /** The CONNACK's return / reason code, or nothing if the connection closed without one. */
    private static List<Integer> connackCodes(GatewayHarness gw, byte[] connect) throws Exception {
        try (Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
            PipelinedPublishTest.send(s, connect);
            List<RawMqtt.Packet> answer = RawMqtt.readUntilClosedOr(s, 1, 15_000);
            if (answer.isEmpty()) return List.of();
            assertEquals(RawMqtt.CONNACK, answer.get(0).type());
            return List.of(answer.get(0).body()[1] & 0xff);
        }
    }

    /** CONNECT of cam-001 with its secret, Clean Session 1 and a QoS 0 Will of {@code willBytes} bytes. */
    private static byte[] connectWithWill(boolean v5, int willBytes) {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        string(rest, "MQTT");
        rest.write(v5 ? 5 : 4);
        rest.write(0xC6); // user name, password, Will (QoS 0, not retained), Clean Session
        rest.write(0);
        rest.write(60);
        if (v5) rest.write(0); // no CONNECT properties
        string(rest, "will-" + System.nanoTime());
        if (v5) rest.write(0); // no Will properties
        string(rest, "cameras/cam-001/status");
        byte[] will = "x".repeat(willBytes).getBytes(StandardCharsets.UTF_8);
        rest.write(will.length >> 8);
        rest.write(will.length & 0xff);
        rest.writeBytes(will);
        string(rest, "cam-001");
        string(rest, "demo-cam-001");
        return RawMqtt.packet(0x10, rest.toByteArray());
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xff);
        out.writeBytes(b);
    }
}
