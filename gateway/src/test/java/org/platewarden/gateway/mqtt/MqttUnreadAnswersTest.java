package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.gateway.testsupport.GatewayHarness;

/**
 * An authenticated client that sends and never reads what it is answered cannot fill the gateway's
 * heap with answers: one sending PINGREQs (two bytes each) without reading the PINGRESPs ran a
 * 256 MiB node out of memory in 3.6 s. Once it has sent 16 KiB more while its answers wait unwritten
 * the connection is closed (core's UnreadAnswersCap, on every server connection of the node), and
 * other cameras are served as before.
 */
class MqttUnreadAnswersTest {
    /** 4 million PINGREQs: twice what the kernel's send buffer (4 MiB at most) can take of their answers */
    private static final int FLOOD_BYTES = 8 * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void aClientThatSendsPingsAndNeverReadsTheAnswersIsClosed() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(4096); // the answers stay unread
                s.connect(new InetSocketAddress("127.0.0.1", gw.mqttPort()));
                PipelinedPublishTest.send(s, PipelinedPublishTest.connect());
                List<RawMqtt.Packet> connack = RawMqtt.readUntilClosedOr(s, 1, 15_000);
                assertEquals(1, connack.size(), "no CONNACK");
                assertArrayEquals(new byte[] {0, 0}, connack.get(0).body());

                byte[] pings = new byte[64 * 1024];
                for (int i = 0; i < pings.length; i += 2) pings[i] = (byte) 0xC0; // PINGREQ, remaining length 0
                OutputStream out = s.getOutputStream();
                int sent = 0;
                try {
                    while (sent < FLOOD_BYTES) {
                        out.write(pings);
                        sent += pings.length;
                    }
                } catch (IOException closedByTheServer) {
                    // expected once the gateway has closed the connection
                }
                assertTrue(closedByServerWithin(s, 30_000), "the connection of a client that does not read its PINGRESPs is closed ("
                        + sent / 2 + " PINGREQs sent)");
            }
            assertEquals(1.0, gw.registry.counter("platewarden.connections.closed.unread.answers").count());
            // a camera that reads its answers is served as before
            PipelinedPublishTest.connectThenPublish(gw, 1, "UNR001");
            assertEquals(List.of("UNR001"), PipelinedPublishTest.plates(gw));
        }
    }

    @Test
    void aClientThatReadsItsAnswersGetsItsPingrespsAsBefore() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            try (Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
                PipelinedPublishTest.send(s, PipelinedPublishTest.connect());
                assertEquals(RawMqtt.CONNACK, RawMqtt.readUntilClosedOr(s, 1, 15_000).get(0).type());
                for (int i = 0; i < 3; i++) {
                    PipelinedPublishTest.send(s, new byte[] {(byte) 0xC0, 0});
                    List<RawMqtt.Packet> answer = RawMqtt.readUntilClosedOr(s, 1, 15_000);
                    assertEquals(1, answer.size(), "PINGRESP " + i);
                    assertEquals(13, answer.get(0).type(), "PINGRESP " + i);
                }
            }
            assertEquals(0.0, gw.registry.counter("platewarden.connections.closed.unread.answers").count());
        }
    }

    /** Reads (and drops) what the server sent until it closes the connection, or {@code ms} pass with nothing more. */
    private static boolean closedByServerWithin(Socket s, int ms) throws IOException {
        s.setSoTimeout(ms);
        InputStream in = s.getInputStream();
        byte[] sink = new byte[64 * 1024];
        try {
            while (in.read(sink) >= 0) Arrays.fill(sink, (byte) 0);
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }
}
