package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.ConfigException;
import org.platewarden.core.config.ConfigReload;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.config.SecretHash;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;

/**
 * A reload of the credentials on a running gateway ({@link ConfigReload}), with real MQTT clients
 * (the Vert.x client, MQTT 3.1.1; MQTT 5 hand-encoded to see the DISCONNECT's reason code) and HTTP:
 * a removed camera's open connections are closed and its ingest refused, a re-keyed camera's old
 * secret stops working at once (also where it was cached), and the other cameras go on.
 */
class CredentialReloadTest {
    private static final int NOT_AUTHORIZED = 0x87;
    private static final int ADMINISTRATIVE_ACTION = 0x98;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void aRemovedCamerasOpenConnectionsAreClosedAndItsIngestRefusedWhileTheOthersGoOn() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            assertEquals(202, ingest(gw, "cam-001", "demo-cam-001", "RM0001").statusCode());
            MqttClient kept = VertxMqttClientTest.client(gw, "cam-002", "demo-cam-002");
            VertxMqttClientTest.await(kept.connect(gw.mqttPort(), "127.0.0.1"));
            MqttClient removed311 = VertxMqttClientTest.client(gw, "cam-001", "demo-cam-001");
            CompletableFuture<Void> removed311Closed = new CompletableFuture<>();
            removed311.closeHandler(v -> removed311Closed.complete(null));
            VertxMqttClientTest.await(removed311.connect(gw.mqttPort(), "127.0.0.1"));
            try (Socket removed5 = connectedV5(gw, "raw-removed", "cam-001", "demo-cam-001")) {
                ConfigReload.Prepared reload = reload(gw, tree -> removeById((ArrayNode) tree.get("cameras"), "cam-001"));
                assertEquals(List.of("cam-001"), List.copyOf(reload.changes().camerasRemoved()));

                List<RawMqtt.Packet> answer = RawMqtt.readUntilClosedOr(removed5, 2, 15_000);
                assertEquals(RawMqtt.DISCONNECT, answer.get(0).type(), "the removed camera's MQTT 5 connection is told why");
                assertEquals(NOT_AUTHORIZED, answer.get(0).body()[0] & 0xff);
            }
            removed311Closed.get(15, TimeUnit.SECONDS); // MQTT 3.1.1 has no DISCONNECT from the server: closed

            HttpResponse<String> refused = ingest(gw, "cam-001", "demo-cam-001", "RM0002");
            assertEquals(401, refused.statusCode(), "its secret was verified and cached before the reload: " + refused.body());
            // Mosquitto's client, MQTT 5: refused at CONNECT, nothing stored
            ProcessRun mosquitto = ProcessRun.run(List.of(MosquittoClientTest.MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", String.valueOf(gw.mqttPort()),
                    "-V", "mqttv5", "-q", "1", "-u", "cam-001", "-P", "demo-cam-001", "-t", "platewarden/reads/cam-001",
                    "-i", "mosq-" + System.nanoTime(), "-m", Reads.read("cam-001", "RM0003")), null);
            assertTrue(mosquitto.exitCode() != 0, mosquitto.output());
            MqttClient again = VertxMqttClientTest.client(gw, "cam-001", "demo-cam-001");
            ExecutionException connect = assertThrows(ExecutionException.class, () -> VertxMqttClientTest.await(again.connect(gw.mqttPort(), "127.0.0.1")));
            assertTrue(connect.getCause().getMessage().contains("NOT_AUTHORIZED"), connect.getCause().getMessage());

            // the camera left in place goes on, on the connection it had: its PUBLISH is acknowledged (after fsync)
            CompletableFuture<Integer> keptAck = new CompletableFuture<>();
            kept.publishCompletionHandler(keptAck::complete);
            VertxMqttClientTest.await(kept.publish("platewarden/reads/cam-002", Buffer.buffer(Reads.read("cam-002", "KP0001")),
                    MqttQoS.AT_LEAST_ONCE, false, false));
            keptAck.get(15, TimeUnit.SECONDS);
            assertEquals(202, ingest(gw, "cam-101", "demo-cam-101", "KP0002").statusCode());
            List<String> plates = gw.spooled().stream().map(d -> d.get("plate_norm").asText()).toList();
            assertTrue(plates.containsAll(List.of("RM0001", "KP0001", "KP0002")) && !plates.contains("RM0002") && !plates.contains("RM0003"),
                    plates.toString());
            VertxMqttClientTest.await(kept.disconnect());
        }
    }

    @Test
    void aReKeyedCamerasConnectionEndsItsOldSecretStopsAtOnceAndItsNewOneWorks() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            // cached: a camera does not pay a PBKDF2 per request; the cache must not outlive the secret
            assertEquals(202, ingest(gw, "cam-002", "demo-cam-002", "RK0001").statusCode());
            String newHash = SecretHash.hash("rotated-secret-002");
            try (Socket rekeyed = connectedV5(gw, "raw-rekeyed", "cam-002", "demo-cam-002");
                 Socket other = connectedV5(gw, "raw-other", "cam-101", "demo-cam-101")) {
                ConfigReload.Prepared reload = reload(gw, tree -> cameraById((ArrayNode) tree.get("cameras"), "cam-002").put("secret_hash", newHash));
                assertEquals(List.of("cam-002"), List.copyOf(reload.changes().camerasRekeyed()));

                List<RawMqtt.Packet> answer = RawMqtt.readUntilClosedOr(rekeyed, 2, 15_000);
                assertEquals(RawMqtt.DISCONNECT, answer.get(0).type());
                assertEquals(ADMINISTRATIVE_ACTION, answer.get(0).body()[0] & 0xff, "it may connect again with the secret in force");

                // the other camera's connection is untouched: it still publishes and gets its PUBACK
                PipelinedPublishTest.send(other, RawMqtt.publishQos1("platewarden/reads/cam-101", 7, Reads.read("cam-101", "OT0001").getBytes(), true));
                List<RawMqtt.Packet> puback = RawMqtt.readUntilClosedOr(other, 1, 15_000);
                assertEquals(RawMqtt.PUBACK, puback.get(0).type());
            }
            assertEquals(401, ingest(gw, "cam-002", "demo-cam-002", "RK0002").statusCode(), "the old secret, cached before the reload");
            assertEquals(202, ingest(gw, "cam-002", "rotated-secret-002", "RK0003").statusCode());
            MqttClient renewed = VertxMqttClientTest.client(gw, "cam-002", "rotated-secret-002");
            CompletableFuture<Integer> renewedAck = new CompletableFuture<>();
            renewed.publishCompletionHandler(renewedAck::complete);
            VertxMqttClientTest.await(renewed.connect(gw.mqttPort(), "127.0.0.1"));
            VertxMqttClientTest.await(renewed.publish("platewarden/reads/cam-002", Buffer.buffer(Reads.read("cam-002", "RK0004")),
                    MqttQoS.AT_LEAST_ONCE, false, false));
            renewedAck.get(15, TimeUnit.SECONDS);
            VertxMqttClientTest.await(renewed.disconnect());
            List<String> plates = gw.spooled().stream().map(d -> d.get("plate_norm").asText()).toList();
            assertTrue(plates.containsAll(List.of("RK0001", "OT0001", "RK0003", "RK0004")) && !plates.contains("RK0002"), plates.toString());
        }
    }

    @Test
    void anInvalidFileChangesNothingAndSaysWhy() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            try (Socket connected = connectedV5(gw, "raw-kept", "cam-001", "demo-cam-001")) {
                ConfigException invalid = assertThrows(ConfigException.class, () -> ConfigReload.prepare(gw.config, gw.credentials,
                        () -> gw.config.with("{\"cameras\":[{\"id\":\"cam-001\",\"agency\":\"NOPE\",\"secret_hash\":\"x\"}]}")));
                String why = ConfigReload.problems(invalid);
                assertTrue(why.contains("camera cam-001 belongs to unknown agency NOPE") && why.contains("nothing changed"), why);
                // still connected and served
                PipelinedPublishTest.send(connected, RawMqtt.publishQos1("platewarden/reads/cam-001", 3, Reads.read("cam-001", "IV0001").getBytes(), true));
                assertEquals(RawMqtt.PUBACK, RawMqtt.readUntilClosedOr(connected, 1, 15_000).get(0).type());
            }
            assertEquals(202, ingest(gw, "cam-002", "demo-cam-002", "IV0002").statusCode());
        }
    }

    /** Reloads the harness's credentials from its configuration as {@code edit} changes it (the whole tree, as a file would hold it). */
    private static ConfigReload.Prepared reload(GatewayHarness gw, Consumer<ObjectNode> edit) {
        ObjectNode tree = gw.config.toTree();
        edit.accept(tree);
        ConfigReload.Prepared prepared = ConfigReload.prepare(gw.config, gw.credentials, () -> PlatewardenConfig.fromTree(tree));
        assertEquals(List.of(), prepared.needsRestart(), "only credentials changed");
        prepared.apply();
        return prepared;
    }

    private static void removeById(ArrayNode list, String id) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).path("id").asText().equals(id)) {
                list.remove(i);
                return;
            }
        }
        throw new AssertionError("no " + id);
    }

    private static ObjectNode cameraById(ArrayNode cameras, String id) {
        for (int i = 0; i < cameras.size(); i++) {
            if (cameras.get(i).path("id").asText().equals(id)) return (ObjectNode) cameras.get(i);
        }
        throw new AssertionError("no " + id);
    }

    /** An MQTT 5 connection of {@code camera}, CONNACK received. */
    private static Socket connectedV5(GatewayHarness gw, String clientId, String camera, String secret) throws Exception {
        Socket s = new Socket("127.0.0.1", gw.mqttPort());
        PipelinedPublishTest.send(s, RawMqtt.connect(clientId, camera, secret, true));
        List<RawMqtt.Packet> connack = RawMqtt.readUntilClosedOr(s, 1, 15_000);
        assertEquals(RawMqtt.CONNACK, connack.get(0).type());
        assertEquals(0, connack.get(0).body()[1], "accepted");
        return s;
    }

    private static HttpResponse<String> ingest(GatewayHarness gw, String camera, String secret, String plate) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + "/v1/reads"))
                .header("Authorization", GatewayHarness.basic(camera, secret)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Reads.read(camera, plate))).build(), HttpResponse.BodyHandlers.ofString());
    }
}
