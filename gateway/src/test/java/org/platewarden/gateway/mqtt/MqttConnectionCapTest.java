package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.MqttConnectionException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;

/**
 * One client address cannot hold unlimited MQTT connections: beyond
 * gateway.mqtt_max_connections_per_address a CONNECT is refused (MQTT 5: QUOTA_EXCEEDED, 3.1.1:
 * SERVER_UNAVAILABLE), and a connection's count is released however it closes.
 */
class MqttConnectionCapTest {
    private static final int CAP = 3;

    @TempDir
    Path dir;

    private static MqttClient client(GatewayHarness gw, String camera, String clientId) {
        return MqttClient.create(gw.vertx, new MqttClientOptions().setUsername(camera).setPassword("demo-" + camera).setClientId(clientId));
    }

    private static void connect(GatewayHarness gw, MqttClient c) throws Exception {
        VertxMqttClientTest.await(c.connect(gw.mqttPort(), "127.0.0.1"));
    }

    /** The CONNACK code a refused Vert.x client (MQTT 3.1.1) got. */
    private static MqttConnectReturnCode refusal(GatewayHarness gw, MqttClient c) {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> connect(gw, c));
        assertTrue(e.getCause() instanceof MqttConnectionException, e.getCause().toString());
        return ((MqttConnectionException) e.getCause()).code();
    }

    /** The CONNACK reason code a raw CONNECT gets (the second byte of its body). */
    private static int rawConnack(GatewayHarness gw, boolean v5) throws Exception {
        try (Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
            PipelinedPublishTest.send(s, RawMqtt.connect("raw-" + System.nanoTime(), "cam-001", "demo-cam-001", v5));
            List<RawMqtt.Packet> answer = RawMqtt.readUntilClosedOr(s, 1, 15_000);
            assertEquals(RawMqtt.CONNACK, answer.get(0).type());
            return answer.get(0).body()[1] & 0xff;
        }
    }

    private static double openConnections(GatewayHarness gw) {
        return gw.registry.get("platewarden.gateway.mqtt.connections").gauge().value();
    }

    private static void awaitOpen(GatewayHarness gw, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (openConnections(gw) != n && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(n, openConnections(gw), "MQTT connections open");
    }

    private static double refused(GatewayHarness gw) {
        return gw.registry.counter("platewarden.gateway.mqtt.connections.refused").count();
    }

    @Test
    void aConnectBeyondItsAddressesCapIsRefusedWithTheReasonAndClosingOneLetsANewOneIn() throws Exception {
        // two event loops: the count is the port's, whichever loop a connection lands on
        try (GatewayHarness gw = GatewayHarness.start(dir, "\"mqtt_max_connections_per_address\":" + CAP + ",\"event_loops\":2", 64L * 1024 * 1024)) {
            List<MqttClient> held = new ArrayList<>();
            for (String camera : List.of("cam-001", "cam-002", "cam-101")) {
                MqttClient c = client(gw, camera, "held-" + camera);
                connect(gw, c);
                held.add(c);
            }
            awaitOpen(gw, CAP);

            assertEquals(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, refusal(gw, client(gw, "cam-001", "one-more")),
                    "MQTT 3.1.1: return code 3");
            assertEquals(0x97, rawConnack(gw, true), "MQTT 5: QUOTA_EXCEEDED");
            assertEquals(3, rawConnack(gw, false), "MQTT 3.1.1: SERVER_UNAVAILABLE");
            ProcessRun v5 = mosquittoPub(gw, "mqttv5");
            assertNotEquals(0, v5.exitCode(), v5.output());
            assertTrue(v5.output().toLowerCase().contains("quota exceeded"), v5.output());
            ProcessRun v311 = mosquittoPub(gw, "mqttv311");
            assertNotEquals(0, v311.exitCode(), v311.output());
            assertTrue(v311.output().toLowerCase().contains("unavailable"), v311.output());
            assertEquals(5.0, refused(gw));
            assertEquals(0, gw.spool.lastDurableSeq(), "nothing refused was read");
            assertTrue(held.stream().allMatch(MqttClient::isConnected), "the connections held are untouched");

            VertxMqttClientTest.await(held.remove(0).disconnect());
            awaitOpen(gw, CAP - 1);
            MqttClient again = client(gw, "cam-001", "again");
            connect(gw, again);
            VertxMqttClientTest.await(again.publish("platewarden/reads/cam-001", Buffer.buffer(Reads.read("cam-001", "CAP001")),
                    MqttQoS.AT_LEAST_ONCE, false, false));
            assertEquals(5.0, refused(gw));
            assertTrue(gw.registry.scrape().contains("platewarden_gateway_mqtt_connections_refused_total 5.0"), gw.registry.scrape());
        }
    }

    /** Refused credentials, a socket dropped without DISCONNECT, a take-over, a close after an oversize packet: each gives its count back. */
    @Test
    void everyWayAConnectionClosesReleasesItsCount() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "\"mqtt_max_connections_per_address\":2,\"mqtt_max_message_bytes\":2048",
                64L * 1024 * 1024)) {
            for (int i = 0; i < 3; i++) {
                MqttClient wrong = MqttClient.create(gw.vertx, new MqttClientOptions().setUsername("cam-001").setPassword("wrong").setClientId("w" + i));
                assertEquals(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, refusal(gw, wrong), "refused for its credentials, not the cap");
            }
            awaitOpen(gw, 0);
            for (int i = 0; i < 3; i++) assertEquals(0, rawConnack(gw, true), "accepted, then the socket is dropped");
            awaitOpen(gw, 0);

            MqttClient old = client(gw, "cam-001", "gate-7");
            CompletableFuture<Void> oldClosed = new CompletableFuture<>();
            old.closeHandler(v -> oldClosed.complete(null));
            connect(gw, old);
            connect(gw, client(gw, "cam-001", "gate-7")); // takes over: the old one is closed
            oldClosed.get(20, TimeUnit.SECONDS);
            awaitOpen(gw, 1);

            MqttClient oversize = client(gw, "cam-002", "big");
            CompletableFuture<Void> closed = new CompletableFuture<>();
            oversize.closeHandler(v -> closed.complete(null));
            connect(gw, oversize);
            oversize.publish("platewarden/reads/cam-002", Buffer.buffer("x".repeat(4096)), MqttQoS.AT_LEAST_ONCE, false, false);
            closed.get(20, TimeUnit.SECONDS);
            awaitOpen(gw, 1);

            connect(gw, client(gw, "cam-101", "last"));
            assertEquals(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, refusal(gw, client(gw, "cam-002", "over")),
                    "two open, the cap: the count is exact");
            assertEquals(1.0, refused(gw));
        }
    }

    /** With 0 there is no cap. */
    @Test
    void zeroMeansNoCap() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "\"mqtt_max_connections_per_address\":0", 64L * 1024 * 1024)) {
            for (int i = 0; i < 5; i++) connect(gw, client(gw, "cam-001", "n" + i));
            awaitOpen(gw, 5);
            assertEquals(0.0, refused(gw));
        }
    }

    private static ProcessRun mosquittoPub(GatewayHarness gw, String version) throws Exception {
        return ProcessRun.run(List.of(MosquittoClientTest.MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", String.valueOf(gw.mqttPort()),
                "-V", version, "-q", "1", "-u", "cam-002", "-P", "demo-cam-002", "-t", "platewarden/reads/cam-002",
                "-i", "mosq-" + System.nanoTime(), "-m", Reads.read("cam-002", "CAP999")), null);
    }
}
