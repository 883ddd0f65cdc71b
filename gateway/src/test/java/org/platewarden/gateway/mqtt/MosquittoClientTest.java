package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;

/** The gateway against Mosquitto's command-line client, MQTT 3.1.1 and 5, QoS 0 and 1. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MosquittoClientTest {
    static final String MOSQUITTO_PUB = "/usr/bin/mosquitto_pub";
    static final int MAX_MESSAGE = 4096;

    Path dir;
    GatewayHarness gw;

    @BeforeAll
    void start(@TempDir Path tmp) {
        dir = tmp;
        assertTrue(Files.isExecutable(Path.of(MOSQUITTO_PUB)), "mosquitto_pub is required (Debian package mosquitto-clients)");
        gw = GatewayHarness.start(dir, "\"mqtt_max_message_bytes\":" + MAX_MESSAGE, 64L * 1024 * 1024);
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    ProcessRun pub(String version, int qos, String user, String password, String topic, String message, String... extra) throws Exception {
        // stdbuf: line-buffered, so -d's packet log survives mosquitto_pub 2.0.11 aborting (an
        // assertion in its logging) after libmosquitto refused a PUBLISH above the server's maximum
        List<String> cmd = new ArrayList<>(List.of("stdbuf", "-oL", MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", String.valueOf(gw.mqttPort()),
                "-V", version, "-q", String.valueOf(qos), "-u", user, "-P", password, "-t", topic,
                "-i", "mosq-" + System.nanoTime()));
        cmd.addAll(List.of(extra));
        if (message.length() > 1000) {
            Path f = Files.createTempFile(dir, "payload", ".json");
            Files.writeString(f, message);
            cmd.addAll(List.of("-f", f.toString()));
        } else {
            cmd.addAll(List.of("-m", message));
        }
        return ProcessRun.run(cmd, null);
    }

    JsonNode spooledPlate(String plateNorm) {
        return gw.spooled().stream().filter(d -> d.get("plate_norm").asText().equals(plateNorm)).findFirst().orElse(null);
    }

    /** MQTT 3.1 (protocol level 3, "MQIsdp") too: old cameras in the field speak it, and are served as 3.1.1 clients are. */
    @ParameterizedTest
    @ValueSource(strings = {"mqttv311", "mqttv5", "mqttv31"})
    void qos1ReadIsInTheSpoolWhenThePubackArrives(String version) throws Exception {
        String plate = "Q1" + version.substring("mqtt".length()).toUpperCase();
        ProcessRun run = pub(version, 1, "cam-001", "demo-cam-001", "platewarden/reads/cam-001", Reads.read("cam-001", plate));
        assertEquals(0, run.exitCode(), run.output());
        // mosquitto_pub exits only after the PUBACK; the gateway sends it only after fsync: no waiting here
        JsonNode doc = spooledPlate(plate);
        assertTrue(doc != null, "read not in spool after PUBACK");
        assertEquals("mqtt", doc.get("source").asText());
        assertEquals("DPD", doc.get("agency").asText());
        assertEquals("cam-001", doc.get("camera_id").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void qos0ReadIsStored(String version) throws Exception {
        String plate = "Q0" + (version.endsWith("5") ? "V5" : "V3");
        ProcessRun run = pub(version, 0, "cam-002", "demo-cam-002", "platewarden/reads/cam-002", Reads.read("cam-002", plate));
        assertEquals(0, run.exitCode(), run.output());
        // QoS 0 has no acknowledgement to wait for: poll
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (spooledPlate(plate) == null && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(spooledPlate(plate) != null, "QoS 0 read never reached the spool");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mqttv311", "mqttv5", "mqttv31"})
    void wrongPasswordIsRefused(String version) throws Exception {
        long before = gw.spool.lastDurableSeq();
        ProcessRun run = pub(version, 1, "cam-001", "not-the-secret", "platewarden/reads/cam-001", Reads.read("cam-001", "PWD001"));
        assertNotEquals(0, run.exitCode(), run.output());
        String out = run.output().toLowerCase();
        assertTrue(version.endsWith("5") ? out.contains("bad user name or password") : out.contains("not authori"), run.output());
        assertEquals(before, gw.spool.lastDurableSeq());
    }

    @Test
    void publishingToAnotherCamerasTopicIsDeadLetteredOnceAndAcknowledgedToA311Client() throws Exception {
        long before = gw.spool.lastDurableSeq();
        ProcessRun run = pub("mqttv311", 1, "cam-001", "demo-cam-001", "platewarden/reads/cam-002", Reads.read("cam-002", "TOP001"));
        // 3.1.1 has no negative PUBACK: the refusal is in the dead-letter store, and a close would
        // only make the client resend it for ever
        assertEquals(0, run.exitCode(), run.output());
        assertEquals(before, gw.spool.lastDurableSeq());
        assertEquals(1, gw.deadLetters().stream().filter(l -> l.reason().startsWith("topic_not_allowed") && l.payload().contains("TOP001")).count());
    }

    @Test
    void publishingToAnotherCamerasTopicIsNotAuthorizedForA5ClientAndCounted() throws Exception {
        long before = gw.spool.lastDurableSeq();
        double counted = topicNotAllowed();
        ProcessRun run = pub("mqttv5", 1, "cam-001", "demo-cam-001", "platewarden/reads/cam-002", Reads.read("cam-002", "TOP005"));
        assertTrue(run.output().toLowerCase().contains("not authori"), run.output());
        assertEquals(before, gw.spool.lastDurableSeq());
        assertTrue(gw.deadLetters().stream().anyMatch(l -> l.reason().startsWith("topic_not_allowed") && l.payload().contains("TOP005")));
        // the refusal is counted with the others, and scraped
        assertEquals(counted + 1, topicNotAllowed());
        assertTrue(gw.registry.scrape().contains("platewarden_gateway_reads_rejected_total{protocol=\"mqtt\",reason=\"topic_not_allowed\",source=\"mqtt\"} "
                + (counted + 1)));
    }

    double topicNotAllowed() {
        var c = gw.registry.find("platewarden.gateway.reads.rejected").tag("reason", "topic_not_allowed").counter();
        return c == null ? 0 : c.count();
    }

    /**
     * MQTT 3.1.1 has no Maximum Packet Size property, so the client sends the packet and the
     * gateway refuses it (a v5 client that ignores the property is refused the same way: see
     * MaximumPacketSizeTest and OversizeDeadLetterTest).
     */
    @Test
    void oversizeMessageFromA311ClientClosesTheConnectionStoresNothingAndLeavesADeadLetter() throws Exception {
        long before = gw.spool.lastDurableSeq();
        double oversizeBefore = gw.registry.counter("platewarden.gateway.mqtt.oversize").count();
        int lettersBefore = gw.deadLetters().size();
        String topic = "platewarden/reads/cam-001";
        String big = "[" + (Reads.read("cam-001", "BIG001") + ",").repeat(40) + Reads.read("cam-001", "BIG002") + "]";
        assertTrue(big.length() > MAX_MESSAGE);
        ProcessRun run = pub("mqttv311", 1, "cam-001", "demo-cam-001", topic, big, "-d");
        assertNotEquals(0, run.exitCode(), run.output());
        assertEquals(before, gw.spool.lastDurableSeq());
        assertTrue(gw.registry.counter("platewarden.gateway.mqtt.oversize").count() > oversizeBefore);

        // the refusal leaves a dead letter (written as the connection closes: poll for it); the
        // decoder discarded the bytes, so it has no payload, but says how big the packet was:
        // its remaining length (topic, packet id, payload), what the limit measures
        List<DeadLetter> letters = awaitDeadLetters(lettersBefore + 1);
        DeadLetter letter = letters.get(letters.size() - 1);
        int remainingLength = 2 + topic.length() + 2 + big.length();
        assertEquals("gateway-mqtt", letter.stage());
        assertEquals("cam-001", letter.cameraId());
        assertEquals(null, letter.readId());
        assertEquals("too_large: MQTT packet of " + remainingLength + " bytes (remaining length) is above gateway.mqtt_max_message_bytes ("
                + MAX_MESSAGE + "); the decoder discarded it unread, so no payload is kept", letter.reason());
        assertEquals(null, letter.payload());
        assertEquals(null, letter.payloadBase64());
        assertEquals(0, letter.payloadBytes().length);
        // and the file line has no payload fields at all: jq's `select(.payload)` skips it
        String line = Files.readAllLines(Files.list(dir.resolve("deadletter")).findFirst().orElseThrow()).stream()
                .filter(l -> l.contains("\"too_large: MQTT packet of " + remainingLength + " ")).findFirst().orElseThrow();
        assertFalse(line.contains("\"payload"), line);
    }

    /**
     * MQTT 5: CONNACK's Maximum Packet Size reaches libmosquitto, which then keeps a larger PUBLISH
     * to itself (a program using the library gets MOSQ_ERR_OVERSIZE_PACKET; mosquitto_pub 2.0.11
     * does not report it well: it exits 0 or aborts) instead of sending it and being disconnected. A PUBLISH of exactly
     * the advertised size is sent and stored: the property is not smaller than what is accepted.
     */
    @Test
    void aV5ClientSendsAPacketOfExactlyTheAdvertisedSizeAndKeepsALargerOneToItself() throws Exception {
        String topic = "platewarden/reads/cam-001";
        int payloadAtLimit = MAX_MESSAGE - (2 + topic.length() + 2 + 1); // remaining length: topic, packet id, no properties
        String exact = padded(Reads.read("cam-001", "EXACT5"), payloadAtLimit);
        ProcessRun sent = pub("mqttv5", 1, "cam-001", "demo-cam-001", topic, exact, "-d");
        assertEquals(0, sent.exitCode(), sent.output());
        assertTrue(sent.output().contains("received PUBACK"), sent.output());
        assertTrue(spooledPlate("EXACT5") != null, "a packet of exactly the advertised size was not stored");

        double oversizeBefore = gw.registry.counter("platewarden.gateway.mqtt.oversize").count();
        int lettersBefore = gw.deadLetters().size();
        // two bytes over: libmosquitto 2.0.11 leaves the fixed header byte out of its check, so it
        // sends a packet one byte over the advertised size, which the gateway refuses (DISCONNECT
        // PACKET_TOO_LARGE and a dead letter, as for a 3.1.1 client)
        String over = padded(Reads.read("cam-001", "OVER05"), payloadAtLimit + 2);
        ProcessRun kept = pub("mqttv5", 1, "cam-001", "demo-cam-001", topic, over, "-d");
        assertTrue(kept.output().contains("received CONNACK"), kept.output());
        // (its -d log says "sending PUBLISH" before the size check): the gateway never refused it,
        // so no DISCONNECT, and nothing to count or dead-letter
        assertFalse(kept.output().contains("Received DISCONNECT"), "the client sent a packet above the advertised size:\n" + kept.output());
        assertEquals(oversizeBefore, gw.registry.counter("platewarden.gateway.mqtt.oversize").count());
        assertEquals(lettersBefore, gw.deadLetters().size());
        assertEquals(null, spooledPlate("OVER05"));
    }

    /** {@code json} followed by spaces up to {@code length} bytes (ASCII): still one valid read. */
    static String padded(String json, int length) {
        return json + " ".repeat(length - json.length());
    }

    List<DeadLetter> awaitDeadLetters(int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<DeadLetter> letters = gw.deadLetters();
        while (letters.size() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(20);
            letters = gw.deadLetters();
        }
        assertTrue(letters.size() >= atLeast, "dead letters: " + letters);
        return letters;
    }

    @ParameterizedTest
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void malformedPayloadIsDeadLetteredBeforeThePuback(String version) throws Exception {
        String marker = "garbage-" + version;
        ProcessRun run = pub(version, 1, "cam-001", "demo-cam-001", "platewarden/reads/cam-001", "{" + marker);
        if (version.equals("mqttv311")) assertEquals(0, run.exitCode(), run.output()); // 3.1.1: plain PUBACK after the dead letter
        List<DeadLetter> letters = gw.deadLetters();
        assertTrue(letters.stream().anyMatch(l -> l.stage().equals("gateway-mqtt") && l.payload().contains(marker)
                && l.reason().startsWith("invalid_json")), letters.toString());
    }
}
