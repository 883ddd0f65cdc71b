package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;

/**
 * The gateway against MQTT.js (gateway/src/test/mqttjs, {@code npm install} there). Asserts the
 * MQTT 5 reason codes (the Vert.x MQTT client of 5.1.1 speaks 3.1.1 only). Without node_modules the
 * test fails when CI=true and is skipped otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttJsClientTest {
    static final Path SCRIPT_DIR = Path.of(System.getProperty("platewarden.repo.root", ".."), "gateway/src/test/mqttjs").toAbsolutePath().normalize();

    GatewayHarness gw;

    @BeforeAll
    void start(@TempDir Path dir) {
        Path modules = SCRIPT_DIR.resolve("node_modules/mqtt");
        if (!Files.isDirectory(modules)) {
            String msg = "MQTT.js not installed: run `npm install` in " + SCRIPT_DIR;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError(msg);
            Assumptions.assumeTrue(false, msg);
        }
        gw = GatewayHarness.start(dir);
    }

    @AfterAll
    void stop() {
        if (gw != null) gw.close();
    }

    record Publish(String topic, String payload, int qos) {
    }

    /** Runs the node client; on each PUBACK line records whether the spool already held a new record at that moment. */
    List<JsonNode> run(int protocolVersion, String user, String password, List<Publish> publishes, Map<Integer, Long> durableAtPuback) throws Exception {
        return run(protocolVersion, user, password, publishes, durableAtPuback, null);
    }

    /** {@code connectProperties}: MQTT 5 CONNECT properties as MQTT.js names them, or null. */
    List<JsonNode> run(int protocolVersion, String user, String password, List<Publish> publishes, Map<Integer, Long> durableAtPuback,
                       ObjectNode connectProperties) throws Exception {
        return run(protocolVersion, user, password, publishes, durableAtPuback, connectProperties, null);
    }

    /** {@code subscribe}: a topic filter the client subscribes to before it publishes, or null. */
    List<JsonNode> run(int protocolVersion, String user, String password, List<Publish> publishes, Map<Integer, Long> durableAtPuback,
                       ObjectNode connectProperties, String subscribe) throws Exception {
        ObjectNode spec = GatewayHarness.JSON.createObjectNode();
        if (connectProperties != null) spec.set("properties", connectProperties);
        if (subscribe != null) spec.put("subscribe", subscribe);
        spec.put("url", "mqtt://127.0.0.1:" + gw.mqttPort()).put("username", user).put("password", password).put("protocolVersion", protocolVersion);
        ArrayNode arr = spec.putArray("publishes");
        for (Publish p : publishes) arr.addObject().put("topic", p.topic()).put("payload", p.payload()).put("qos", p.qos());
        List<JsonNode> events = new ArrayList<>();
        ProcessRun run = ProcessRun.run(List.of("node", SCRIPT_DIR.resolve("publish.js").toString(), spec.toString()), line -> {
            if (line.contains("\"event\":\"puback\"") && durableAtPuback != null) {
                try {
                    durableAtPuback.put(GatewayHarness.JSON.readTree(line).get("messageId").asInt(), gw.spool.lastDurableSeq());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        for (String line : run.lines()) {
            if (line.startsWith("{")) events.add(GatewayHarness.JSON.readTree(line));
        }
        assertTrue(events.stream().anyMatch(e -> e.get("event").asText().matches("done|error")), run.output());
        return events;
    }

    static List<JsonNode> of(List<JsonNode> events, String type) {
        return events.stream().filter(e -> e.get("event").asText().equals(type)).toList();
    }

    @Test
    void v5PubacksAfterFsyncAndInPublishOrder() throws Exception {
        long before = gw.spool.lastDurableSeq();
        List<Publish> pubs = new ArrayList<>();
        for (int i = 0; i < 5; i++) pubs.add(new Publish("platewarden/reads/cam-001", Reads.read("cam-001", "JSO" + i), 1));
        Map<Integer, Long> durableAt = new ConcurrentHashMap<>();
        List<JsonNode> events = run(5, "cam-001", "demo-cam-001", pubs, durableAt);
        List<JsonNode> acks = of(events, "puback");
        assertEquals(5, acks.size(), events.toString());
        int last = -1;
        for (JsonNode a : acks) {
            assertEquals(0, a.get("reasonCode").asInt());
            assertTrue(a.get("messageId").asInt() > last, "PUBACKs out of PUBLISH order: " + acks);
            last = a.get("messageId").asInt();
        }
        // when the k-th PUBACK was seen, at least k new records were durable
        for (int k = 0; k < acks.size(); k++) {
            long durable = durableAt.get(acks.get(k).get("messageId").asInt());
            assertTrue(durable - before >= k + 1, "PUBACK " + k + " seen with only " + (durable - before) + " new durable records");
        }
        for (int i = 0; i < 5; i++) {
            String plate = "JSO" + i;
            assertTrue(gw.spooled().stream().anyMatch(d -> d.get("plate_norm").asText().equals(plate)));
        }
    }

    @Test
    void v5ReasonCodes() throws Exception {
        String good = Reads.read("cam-001", "RCOK01");
        String bad = "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + java.time.Instant.now() + "\",\"plate\":\"X\"}";
        List<JsonNode> events = run(5, "cam-001", "demo-cam-001", List.of(
                new Publish("platewarden/reads/cam-002", good, 1),                 // another camera's topic
                new Publish("vendor/other/topic", good, 1),                        // not a reads topic
                new Publish("platewarden/reads/cam-001", "{not json", 1),          // malformed payload
                new Publish("platewarden/reads/cam-001", "[" + bad + "]", 1),      // every read invalid
                new Publish("platewarden/reads/cam-001", "[" + good + "," + bad + "]", 1)), null); // mixed batch
        List<JsonNode> acks = of(events, "puback");
        assertEquals(5, acks.size(), events.toString());
        assertEquals(0x87, acks.get(0).get("reasonCode").asInt(), "NOT_AUTHORIZED");
        assertEquals(0x90, acks.get(1).get("reasonCode").asInt(), "TOPIC_NAME_INVALID");
        assertEquals(0x99, acks.get(2).get("reasonCode").asInt(), "PAYLOAD_FORMAT_INVALID");
        assertTrue(acks.get(2).get("reasonString").asText().startsWith("invalid_json"));
        assertEquals(0x83, acks.get(3).get("reasonCode").asInt(), "IMPLEMENTATION_SPECIFIC_ERROR");
        assertTrue(acks.get(3).get("reasonString").asText().contains("plate_length"), acks.get(3).toString());
        assertEquals(0, acks.get(4).get("reasonCode").asInt(), "mixed batch: SUCCESS once both are durable");
        assertTrue(acks.get(4).get("reasonString").asText().startsWith("1 of 2 reads refused"), acks.get(4).toString());
        assertEquals(1, gw.spooled().stream().filter(d -> d.get("plate_norm").asText().equals("RCOK01")).count());
        assertTrue(gw.deadLetters().stream().filter(l -> l.stage().equals("gateway-mqtt") && l.reason().startsWith("plate_length")).count() >= 2);
    }

    /**
     * MQTT 3.1.1 has no negative PUBACK. A message to another camera's topic used to close the
     * connection: MQTT.js resent it on every reconnect (a dead letter each time) and the read behind
     * it, stored, was never acknowledged. It is dead-lettered once and acknowledged instead.
     */
    @Test
    void v311AnotherCamerasTopicIsDeadLetteredOnceAndTheReadsAroundItAreAcknowledged() throws Exception {
        List<JsonNode> events = run(4, "cam-001", "demo-cam-001", List.of(
                new Publish("platewarden/reads/cam-001", Reads.read("cam-001", "TPA001"), 1),
                new Publish("platewarden/reads/cam-002", Reads.read("cam-002", "TPB002"), 1),
                new Publish("platewarden/reads/cam-001", Reads.read("cam-001", "TPC003"), 1)), null);
        assertEquals(3, of(events, "puback").size(), events.toString());
        assertEquals(1, gw.spooled().stream().filter(d -> d.get("plate_norm").asText().equals("TPA001")).count());
        assertEquals(1, gw.spooled().stream().filter(d -> d.get("plate_norm").asText().equals("TPC003")).count());
        assertEquals(0, gw.spooled().stream().filter(d -> d.get("plate_norm").asText().equals("TPB002")).count());
        assertEquals(1, gw.deadLetters().stream().filter(l -> l.reason().startsWith("topic_not_allowed") && l.payload().contains("TPB002")).count());
    }

    /**
     * The client's CONNECT decides whether reason strings come back: none on a PUBACK when it set
     * Request Problem Information to 0, none that would make a packet larger than its Maximum
     * Packet Size; the reason code always.
     */
    @Test
    void v5ReasonStringsOnlyWhereTheClientTakesThem() throws Exception {
        List<Publish> refused = List.of(new Publish("platewarden/reads/cam-002", Reads.read("cam-002", "RPI001"), 1));
        JsonNode plain = of(run(5, "cam-001", "demo-cam-001", refused, null), "puback").get(0);
        assertTrue(plain.path("reasonString").asText().startsWith("topic_not_allowed"), plain.toString());

        ObjectNode noProblemInfo = GatewayHarness.JSON.createObjectNode().put("requestProblemInformation", false);
        JsonNode quiet = of(run(5, "cam-001", "demo-cam-001", refused, null, noProblemInfo), "puback").get(0);
        assertEquals(0x87, quiet.get("reasonCode").asInt());
        assertTrue(quiet.path("reasonString").isMissingNode() || quiet.path("reasonString").isNull(), quiet.toString());

        ObjectNode small = GatewayHarness.JSON.createObjectNode().put("maximumPacketSize", 64);
        List<JsonNode> events = run(5, "cam-001", "demo-cam-001", refused, null, small);
        JsonNode fits = of(events, "puback").get(0);
        assertEquals(0x87, fits.get("reasonCode").asInt(), events.toString());
        assertTrue(fits.path("reasonString").isMissingNode() || fits.path("reasonString").isNull(), fits.toString());
    }

    @Test
    void v5ConnackTellsTheClientTheLargestPacketTheGatewayTakes() throws Exception {
        // the default limit, 262144 bytes of remaining length: + 3 varint bytes + the fixed header byte
        List<JsonNode> v5 = run(5, "cam-001", "demo-cam-001", List.of(new Publish("platewarden/reads/cam-001", Reads.read("cam-001", "MPS005"), 1)), null);
        assertEquals(262_148, of(v5, "connack").get(0).path("maximumPacketSize").asInt(), v5.toString());
        // MQTT 3.1.1 has no CONNACK properties: such a client learns the limit from being disconnected
        List<JsonNode> v4 = run(4, "cam-001", "demo-cam-001", List.of(new Publish("platewarden/reads/cam-001", Reads.read("cam-001", "MPS004"), 1)), null);
        assertTrue(of(v4, "connack").get(0).path("maximumPacketSize").isMissingNode(), v4.toString());
    }

    @Test
    void wrongPasswordRefusedWithVersionSpecificCode() throws Exception {
        List<JsonNode> v5 = run(5, "cam-001", "nope", List.of(new Publish("platewarden/reads/cam-001", "{}", 1)), null);
        JsonNode e5 = of(v5, "error").get(0);
        assertEquals(0x86, e5.get("code").asInt(), "BAD_USER_NAME_OR_PASSWORD: " + e5);
        List<JsonNode> v4 = run(4, "cam-001", "nope", List.of(new Publish("platewarden/reads/cam-001", "{}", 1)), null);
        JsonNode e4 = of(v4, "error").get(0);
        assertEquals(5, e4.get("code").asInt(), "3.1.1 NOT_AUTHORIZED: " + e4);
    }

    /**
     * Cameras only publish: MQTT.js is told its subscription is not authorised, with the reason (the probe's
     * was "Subscribe error: Unspecified error", 0x80); a 3.1.1 client gets 0x80, all 3.1.1 has. The
     * connection stays usable: the read published after it is stored.
     */
    @Test
    void aSubscriptionIsRefusedNotAuthorizedOverMqtt5AndTheConnectionPublishesOn() throws Exception {
        String read = Reads.read("cam-001", "SUBACK5");
        List<JsonNode> events = run(5, "cam-001", "demo-cam-001", List.of(new Publish("platewarden/reads/cam-001", read, 1)), null, null,
                "platewarden/reads/#");
        JsonNode suback = of(events, "suback").get(0);
        assertEquals(0x87, suback.get("granted").get(0).asInt(), suback.toString());
        assertTrue(suback.get("reasonString").asText().contains("cameras only publish"), suback.toString());
        assertEquals("Subscribe error: Not authorized", of(events, "subscribed").get(0).get("error").get("message").asText());
        assertEquals(0, of(events, "puback").get(0).get("reasonCode").asInt(), events.toString());

        events = run(4, "cam-001", "demo-cam-001", List.of(), null, null, "platewarden/reads/#");
        assertEquals(0x80, of(events, "suback").get(0).get("granted").get(0).asInt(), events.toString());
    }

    @Test
    void v311PublishIsAcknowledgedAfterFsync() throws Exception {
        Map<Integer, Long> durableAt = new ConcurrentHashMap<>();
        long before = gw.spool.lastDurableSeq();
        List<JsonNode> events = run(4, "cam-101", "demo-cam-101", List.of(new Publish("platewarden/reads/cam-101", Reads.read("cam-101", "V311JS"), 1)), durableAt);
        List<JsonNode> acks = of(events, "puback");
        assertEquals(1, acks.size(), events.toString());
        assertTrue(durableAt.get(acks.get(0).get("messageId").asInt()) > before);
        JsonNode doc = gw.spooled().stream().filter(d -> d.get("plate_norm").asText().equals("V311JS")).findFirst().orElse(null);
        assertNotNull(doc);
        assertEquals("ACSO", doc.get("agency").asText());
    }
}
