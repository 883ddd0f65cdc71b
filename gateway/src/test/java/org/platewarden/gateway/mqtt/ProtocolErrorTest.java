package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;

/** A packet the decoder refuses as malformed, from an authenticated MQTT 5 camera. */
class ProtocolErrorTest {
    @TempDir
    Path dir;

    @Test
    void aMalformedPacketIsAnsweredWithDisconnectProtocolErrorBeforeTheClose() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir); Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
            PipelinedPublishTest.send(s, RawMqtt.connect("raw-v5", "cam-001", "demo-cam-001", true));
            assertEquals(RawMqtt.CONNACK, RawMqtt.readUntilClosedOr(s, 1, 15_000).get(0).type());
            // a PUBLISH with QoS 3, which does not exist: refused by the decoder's fixed-header check
            PipelinedPublishTest.send(s, new byte[] {0x36, 0x02, 0x00, 0x00});
            List<RawMqtt.Packet> answer = RawMqtt.readUntilClosedOr(s, 2, 15_000);
            assertEquals(1, answer.size(), "DISCONNECT, then closed");
            assertEquals(RawMqtt.DISCONNECT, answer.get(0).type());
            assertEquals(0x82, answer.get(0).body()[0] & 0xff, "PROTOCOL_ERROR");
        }
    }

    /**
     * An MQTT 5 PUBLISH with an empty topic name (and no Topic Alias: one with an alias is disconnected,
     * below) has its read refused, dead-lettered and told why: the probe's was told "may publish only
     * to platewarden/reads/cam-001, not ''".
     */
    @Test
    void aPublishWithoutATopicNameIsToldThatTopicAliasesAreNotTaken() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir); Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
            PipelinedPublishTest.send(s, RawMqtt.connect("raw-v5-alias", "cam-001", "demo-cam-001", true));
            assertEquals(RawMqtt.CONNACK, RawMqtt.readUntilClosedOr(s, 1, 15_000).get(0).type());
            PipelinedPublishTest.send(s, RawMqtt.publishQos1("", 9, Reads.read("cam-001", "ALIAS1").getBytes(StandardCharsets.UTF_8), true));
            List<RawMqtt.Packet> answer = RawMqtt.readUntilClosedOr(s, 1, 15_000);
            assertEquals(RawMqtt.PUBACK, answer.get(0).type());
            String body = new String(answer.get(0).body(), StandardCharsets.UTF_8);
            assertEquals(0x90, answer.get(0).body()[2] & 0xff, "TOPIC_NAME_INVALID");
            org.junit.jupiter.api.Assertions.assertTrue(body.contains("not an empty topic name (the gateway takes no Topic Aliases"), body);
            assertEquals(0, gw.spool.lastDurableSeq(), "nothing stored");
        }
    }

    /**
     * The CONNACK says Maximum QoS 1. A PUBREC would tell the client its message was taken exactly
     * once, even one whose payload was refused; MQTT 5 wants DISCONNECT 0x9B instead.
     */
    @Test
    void aQos2PublishFromAnMqtt5ClientIsAnsweredWithQosNotSupported() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir); Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
            PipelinedPublishTest.send(s, RawMqtt.connect("raw-v5-qos2", "cam-001", "demo-cam-001", true));
            assertEquals(RawMqtt.CONNACK, RawMqtt.readUntilClosedOr(s, 1, 15_000).get(0).type());
            PipelinedPublishTest.send(s, RawMqtt.publishQos2("platewarden/reads/cam-001", 7,
                    Reads.read("cam-001", "QOS222").getBytes(StandardCharsets.UTF_8), true));
            List<RawMqtt.Packet> answer = RawMqtt.readUntilClosedOr(s, 2, 15_000);
            assertEquals(1, answer.size(), "DISCONNECT, then closed: " + answer);
            assertEquals(RawMqtt.DISCONNECT, answer.get(0).type());
            assertEquals(0x9B, answer.get(0).body()[0] & 0xff, "QOS_NOT_SUPPORTED");
            assertEquals(0, gw.spool.lastDurableSeq(), "nothing stored for a message the client was told was refused");
        }
    }

    /**
     * The CONNACK announces no Topic Alias Maximum (0): an alias is a protocol error, DISCONNECT 0x94
     * (3.3.2.3.4), beside a topic name (the probe's was taken, the alias ignored) as well as alone. The
     * read acknowledged before it stays stored; the aliased one is not taken (it stays with the client).
     */
    @Test
    void aPublishWithATopicAliasIsAnsweredWithTopicAliasInvalidAndTheReadAcknowledgedBeforeIsKept() throws Exception {
        for (String topic : List.of("platewarden/reads/cam-001", "")) {
            try (GatewayHarness gw = GatewayHarness.start(dir.resolve("alias" + topic.length()));
                 Socket s = new Socket("127.0.0.1", gw.mqttPort())) {
                PipelinedPublishTest.send(s, RawMqtt.connect("raw-v5-alias", "cam-001", "demo-cam-001", true));
                assertEquals(RawMqtt.CONNACK, RawMqtt.readUntilClosedOr(s, 1, 15_000).get(0).type());
                PipelinedPublishTest.send(s, RawMqtt.publishQos1("platewarden/reads/cam-001", 1,
                        Reads.read("cam-001", "NOALIAS1").getBytes(StandardCharsets.UTF_8), true));
                RawMqtt.Packet ack = RawMqtt.readUntilClosedOr(s, 1, 15_000).get(0);
                assertEquals(RawMqtt.PUBACK, ack.type());
                PipelinedPublishTest.send(s, RawMqtt.publishQos1WithTopicAlias(topic, 1, 2,
                        Reads.read("cam-001", "ALIAS2").getBytes(StandardCharsets.UTF_8)));
                List<RawMqtt.Packet> answer = RawMqtt.readUntilClosedOr(s, 2, 15_000);
                assertEquals(1, answer.size(), "DISCONNECT, then closed: " + answer);
                assertEquals(RawMqtt.DISCONNECT, answer.get(0).type());
                assertEquals(0x94, answer.get(0).body()[0] & 0xff, "TOPIC_ALIAS_INVALID");
                String body = new String(answer.get(0).body(), StandardCharsets.UTF_8);
                org.junit.jupiter.api.Assertions.assertTrue(body.contains("Topic Alias 1 refused: the gateway takes no Topic Aliases"), body);
                assertEquals(1, gw.spool.lastDurableSeq(), "the acknowledged read is stored, the aliased one not: " + topic);
            }
        }
    }
}
