package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;

/**
 * CONNACK's Session Present, as independent clients see it: 1 when a camera reconnects with Clean
 * Session / Clean Start 0 within its session's expiry, so the client keeps (and resends) what was not
 * acknowledged; an MQTT 5 client answered 0 there must discard it [MQTT-3.2.2-5]. MQTT 3.1.1 through
 * the Vert.x client, MQTT 5 through MQTT.js (gateway/src/test/mqttjs).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttSessionPresentTest {
    static final String TOPIC = "platewarden/reads/cam-001";
    GatewayHarness gw;

    @BeforeAll
    void start(@TempDir Path dir) {
        // a one-hour maximum, so a longer MQTT 5 request is visibly shortened in CONNACK
        gw = GatewayHarness.start(dir, "\"mqtt_session_expiry_max_seconds\":3600", 64L * 1024 * 1024);
    }

    @AfterAll
    void stop() {
        if (gw != null) gw.close();
    }

    /** Connects (3.1.1), publishes one QoS 1 read, disconnects; returns CONNACK's Session Present. */
    boolean connect311(String camera, String secret, String clientId, boolean cleanSession, String plate) throws Exception {
        MqttClient c = MqttClient.create(gw.vertx, new MqttClientOptions().setUsername(camera).setPassword(secret)
                .setClientId(clientId).setCleanSession(cleanSession));
        java.util.concurrent.CompletableFuture<Integer> puback = new java.util.concurrent.CompletableFuture<>();
        c.publishCompletionHandler(puback::complete);
        boolean present = VertxMqttClientTest.await(c.connect(gw.mqttPort(), "127.0.0.1")).isSessionPresent();
        // publish() completes when the PUBLISH is sent; its read is durable once the PUBACK is in
        VertxMqttClientTest.await(c.publish("platewarden/reads/" + camera, Buffer.buffer(Reads.read(camera, plate)), MqttQoS.AT_LEAST_ONCE, false, false));
        puback.get(20, java.util.concurrent.TimeUnit.SECONDS);
        VertxMqttClientTest.await(c.disconnect());
        // the client's disconnect completes once its DISCONNECT is sent; the next connection must find this
        // one closed on the gateway too, or it would resume its session whatever its Clean Session was
        // (taking over a session still open is what MQTT asks for): wait for the gateway's close
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (gw.registry.get("platewarden.gateway.connected.cameras").gauge().value() > 0) {
            if (System.nanoTime() > deadline) throw new AssertionError("the gateway did not close the connection within 20 s");
            Thread.sleep(10);
        }
        return present;
    }

    @Test
    void mqtt311PersistentSessionIsPresentOnReconnectAndCleanSessionEndsIt() throws Exception {
        assertFalse(connect311("cam-001", "demo-cam-001", "cam-001-main", false, "SES001"), "first connection: no session yet");
        assertTrue(connect311("cam-001", "demo-cam-001", "cam-001-main", false, "SES002"), "reconnection with Clean Session 0 resumes it");
        assertFalse(connect311("cam-002", "demo-cam-002", "cam-001-main", false, "SES003"), "another camera's same client id resumes nothing");
        assertFalse(connect311("cam-001", "demo-cam-001", "cam-001-main", true, "SES004"), "Clean Session 1: always 0");
        assertFalse(connect311("cam-001", "demo-cam-001", "cam-001-main", false, "SES005"), "the clean connection ended the stored session");
        assertTrue(connect311("cam-001", "demo-cam-001", "cam-001-main", false, "SES006"));
        assertEquals(6, gw.spooled().stream().filter(r -> r.get("plate_norm").asText().matches("SES00[1-6]")).count(), "every read was taken");
    }

    @Test
    void aTakeOverWithCleanSession0ResumesTheOpenSession() throws Exception {
        MqttClient first = MqttClient.create(gw.vertx, new MqttClientOptions().setUsername("cam-001").setPassword("demo-cam-001")
                .setClientId("cam-001-takeover").setCleanSession(false));
        assertFalse(VertxMqttClientTest.await(first.connect(gw.mqttPort(), "127.0.0.1")).isSessionPresent());
        assertTrue(connect311("cam-001", "demo-cam-001", "cam-001-takeover", false, "SES101"),
                "the new connection takes over a session that exists (its old connection is still open)");
    }

    // MQTT 5 (MQTT.js)

    List<JsonNode> runMqttJs(String clientId, boolean clean, Long sessionExpiry, String plate) throws Exception {
        Path script = MqttJsClientTest.SCRIPT_DIR.resolve("publish.js");
        if (!Files.isDirectory(MqttJsClientTest.SCRIPT_DIR.resolve("node_modules/mqtt"))) {
            String msg = "MQTT.js not installed: run `npm ci` in " + MqttJsClientTest.SCRIPT_DIR;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError(msg);
            Assumptions.assumeTrue(false, msg);
        }
        ObjectNode spec = GatewayHarness.JSON.createObjectNode();
        spec.put("url", "mqtt://127.0.0.1:" + gw.mqttPort()).put("username", "cam-001").put("password", "demo-cam-001")
                .put("protocolVersion", 5).put("clientId", clientId).put("clean", clean);
        if (sessionExpiry != null) spec.putObject("properties").put("sessionExpiryInterval", sessionExpiry);
        spec.putArray("publishes").addObject().put("topic", TOPIC).put("payload", Reads.read("cam-001", plate)).put("qos", 1);
        ProcessRun run = ProcessRun.run(List.of("node", script.toString(), spec.toString()), null);
        List<JsonNode> events = new ArrayList<>();
        for (String line : run.lines()) if (line.startsWith("{")) events.add(GatewayHarness.JSON.readTree(line));
        assertEquals(1, MqttJsClientTest.of(events, "puback").size(), run.output());
        return events;
    }

    static JsonNode connack(List<JsonNode> events) {
        return MqttJsClientTest.of(events, "connack").get(0);
    }

    @Test
    void mqtt5SessionWithAnExpiryIsPresentOnReconnect() throws Exception {
        JsonNode first = connack(runMqttJs("js-expiry", false, 300L, "SES201"));
        assertFalse(first.get("sessionPresent").asBoolean(), first.toString());
        assertTrue(first.path("sessionExpiryInterval").isMissingNode() || first.get("sessionExpiryInterval").isNull(),
                "300 s is within the maximum: CONNACK does not restate it: " + first);
        JsonNode second = connack(runMqttJs("js-expiry", false, 300L, "SES202"));
        assertTrue(second.get("sessionPresent").asBoolean(), "Clean Start 0 within the expiry resumes the session: " + second);
        JsonNode clean = connack(runMqttJs("js-expiry", true, 300L, "SES203"));
        assertFalse(clean.get("sessionPresent").asBoolean(), "Clean Start 1: " + clean);
    }

    @Test
    void mqtt5SessionWithoutAnExpiryEndsWithItsConnection() throws Exception {
        connack(runMqttJs("js-no-expiry", false, null, "SES301"));
        JsonNode second = connack(runMqttJs("js-no-expiry", false, null, "SES302"));
        assertFalse(second.get("sessionPresent").asBoolean(), "no Session Expiry Interval = 0: nothing outlives the connection: " + second);
    }

    @Test
    void mqtt5ExpiryAboveTheMaximumIsShortenedInConnack() throws Exception {
        JsonNode first = connack(runMqttJs("js-long", false, 4_000_000_000L, "SES401"));
        assertEquals(3600, first.get("sessionExpiryInterval").asLong(), "the server's maximum, told to the client: " + first);
        assertTrue(connack(runMqttJs("js-long", false, 4_000_000_000L, "SES402")).get("sessionPresent").asBoolean());
    }

    @Test
    void aSessionOutlivesAGatewayRestart(@TempDir Path restartDir) throws Exception {
        GatewayHarness before = GatewayHarness.start(restartDir);
        GatewayHarness after = null;
        try {
            MqttClient c = MqttClient.create(before.vertx, new MqttClientOptions().setUsername("cam-001").setPassword("demo-cam-001")
                    .setClientId("cam-001-restart").setCleanSession(false));
            assertFalse(VertxMqttClientTest.await(c.connect(before.mqttPort(), "127.0.0.1")).isSessionPresent());
            // the client stays connected: the stop closes its connection, and the session is saved as closed then
            before.close();
            before = null;
            assertTrue(Files.readString(restartDir.resolve("mqtt/sessions.json")).contains("cam-001-restart"));
            after = GatewayHarness.start(restartDir);
            MqttClient again = MqttClient.create(after.vertx, new MqttClientOptions().setUsername("cam-001").setPassword("demo-cam-001")
                    .setClientId("cam-001-restart").setCleanSession(false));
            assertTrue(VertxMqttClientTest.await(again.connect(after.mqttPort(), "127.0.0.1")).isSessionPresent(),
                    "the session saved at stop is taken back at start");
            VertxMqttClientTest.await(again.disconnect());
        } finally {
            if (before != null) before.close();
            if (after != null) after.close();
        }
    }

    @Test
    void anMqtt5ClientWithoutAClientIdIsToldTheOneItIsAssignedAndCanResumeItsSessionWithIt() throws Exception {
        JsonNode first = connack(runMqttJs("", true, 300L, "SES501"));
        String assigned = first.path("assignedClientIdentifier").asText("");
        assertTrue(assigned.startsWith("platewarden-"), "MQTT 5 requires the assigned id in CONNACK [MQTT-3.2.2-16]: " + first);
        assertFalse(first.get("sessionPresent").asBoolean());
        JsonNode again = connack(runMqttJs(assigned, false, 300L, "SES502"));
        assertTrue(again.get("sessionPresent").asBoolean(), "the assigned id names the session it began: " + again);
        assertTrue(again.path("assignedClientIdentifier").isMissingNode() || again.get("assignedClientIdentifier").isNull(),
                "a client that sent an id is assigned none: " + again);
    }

    @Test
    void anMqtt311ClientWithoutAClientIdIsServedWithoutASession() throws Exception {
        for (int round = 0; round < 2; round++) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gw.mqttPort())) {
                socket.getOutputStream().write(RawMqtt.concat(RawMqtt.connect("", "cam-001", "demo-cam-001")));
                List<RawMqtt.Packet> connack = RawMqtt.readUntilClosedOr(socket, 1, 10_000);
                assertEquals(2, connack.get(0).type(), "CONNACK");
                assertEquals(0, connack.get(0).body()[0], "Session Present 0: a zero-length client id with Clean Session 1 has none");
                assertEquals(0, connack.get(0).body()[1], "accepted");
                socket.getOutputStream().write(RawMqtt.publishQos1(TOPIC, 1, Reads.read("cam-001", "SES60" + round).getBytes()));
                List<RawMqtt.Packet> puback = RawMqtt.readUntilClosedOr(socket, 1, 10_000);
                assertEquals(4, puback.get(0).type(), "PUBACK");
            }
        }
        assertEquals(2, gw.spooled().stream().filter(r -> r.get("plate_norm").asText().startsWith("SES60")).count());
    }
}
