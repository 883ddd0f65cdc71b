package org.platewarden.gateway.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hand-encoded MQTT 3.1.1 (or 5, with no properties) packets over a plain socket, for what a client library will not do
 * (pipelining PUBLISH behind CONNECT in one write, an oversize first packet) and to see exactly
 * which packets the gateway answers with.
 */
final class RawMqtt {
    static final int CONNACK = 2;
    static final int PUBACK = 4;
    static final int DISCONNECT = 14;

    private RawMqtt() {
    }

    /** A received packet: its type (the fixed header's high nibble) and what followed the remaining length. */
    record Packet(int type, byte[] body) {
    }

    /** CONNECT, protocol level 4 (3.1.1), clean session, keep-alive 60 s, with username and password. */
    static byte[] connect(String clientId, String user, String password) {
        return connect(clientId, user, password, false);
    }

    /** The same at protocol level 5 when {@code v5}. */
    static byte[] connect(String clientId, String user, String password, boolean v5) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        string(v, "MQTT");
        v.write(v5 ? 5 : 4);
        v.write(0x80 | 0x40 | 0x02);
        v.write(0);
        v.write(60);
        if (v5) v.write(0); // no properties
        string(v, clientId);
        string(v, user);
        string(v, password);
        return packet(0x10, v.toByteArray());
    }

    /** PUBLISH at QoS 1 with the given packet id (MQTT 3.1.1). */
    static byte[] publishQos1(String topic, int packetId, byte[] payload) {
        return publishQos1(topic, packetId, payload, false);
    }

    /** The same, with an empty property list when {@code v5}. */
    static byte[] publishQos1(String topic, int packetId, byte[] payload, boolean v5) {
        return publish(0x32, topic, packetId, payload, v5);
    }

    /** PUBLISH at QoS 2 (fixed header 0x34), with an empty property list when {@code v5}. */
    static byte[] publishQos2(String topic, int packetId, byte[] payload, boolean v5) {
        return publish(0x34, topic, packetId, payload, v5);
    }

    /** An MQTT 5 PUBLISH at QoS 1 whose properties are a Topic Alias ({@code topic} may be empty: the alias alone). */
    static byte[] publishQos1WithTopicAlias(String topic, int topicAlias, int packetId, byte[] payload) {
        return publish(0x32, topic, packetId, payload, new byte[] {0x03, 0x23, (byte) (topicAlias >> 8), (byte) topicAlias});
    }

    private static byte[] publish(int firstByte, String topic, int packetId, byte[] payload, boolean v5) {
        return publish(firstByte, topic, packetId, payload, v5 ? new byte[] {0} : new byte[0]);
    }

    /** {@code properties}: MQTT 5's property length and properties as sent; empty for MQTT 3.1.1. */
    private static byte[] publish(int firstByte, String topic, int packetId, byte[] payload, byte[] properties) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        string(v, topic);
        v.write(packetId >> 8);
        v.write(packetId & 0xff);
        v.writeBytes(properties);
        v.writeBytes(payload);
        return packet(firstByte, v.toByteArray());
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /**
     * Every packet the server sends until it closes the connection (or {@code timeoutMs} passes
     * without a byte: then {@link AssertionError}, since every case here ends with a close or is
     * ended by the caller after {@code expected} packets).
     */
    static List<Packet> readUntilClosedOr(Socket socket, int expected, int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        InputStream in = socket.getInputStream();
        List<Packet> packets = new ArrayList<>();
        try {
            while (packets.size() < expected) {
                int first = in.read();
                if (first < 0) return packets;
                int length = 0;
                for (int shift = 0; ; shift += 7) {
                    int b = in.read();
                    if (b < 0) throw new AssertionError("connection closed inside a fixed header");
                    length |= (b & 0x7f) << shift;
                    if ((b & 0x80) == 0) break;
                }
                byte[] body = in.readNBytes(length);
                if (body.length < length) throw new AssertionError("connection closed inside a packet");
                packets.add(new Packet(first >> 4, body));
            }
        } catch (java.net.SocketException e) {
            return packets; // reset by the server: closed as far as the client can tell
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no packet and no close within " + timeoutMs + " ms; got " + packets.size() + " packet(s)");
        }
        return packets;
    }

    /**
     * The integer properties of an MQTT 5 CONNACK body (flags, reason code, properties), by
     * identifier. Only what the gateway sends is known; anything else fails the test, so a new
     * property is noticed rather than misread.
     */
    static Map<Integer, Long> connackIntegerProperties(byte[] connackBody) {
        int pos = 2;
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            int b = connackBody[pos++] & 0xff;
            length |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) break;
        }
        int end = pos + length;
        Map<Integer, Long> properties = new TreeMap<>();
        while (pos < end) {
            int id = connackBody[pos++] & 0xff;
            int width = switch (id) {
                case 0x24, 0x25, 0x28, 0x29, 0x2A -> 1; // maximum QoS, retain/wildcard/subscription-id/shared available
                case 0x21, 0x22 -> 2;                   // receive maximum, topic alias maximum
                case 0x11, 0x27 -> 4;                   // session expiry interval, maximum packet size
                default -> throw new AssertionError("CONNACK property 0x" + Integer.toHexString(id) + " not known to this test");
            };
            long value = 0;
            for (int i = 0; i < width; i++) value = value << 8 | (connackBody[pos++] & 0xff);
            properties.put(id, value);
        }
        return properties;
    }

    /** A packet: its first byte, the remaining length as a variable byte integer, then {@code rest}. */
    static byte[] packet(int firstByte, byte[] rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int n = rest.length;
        do {
            int digit = n % 128;
            n /= 128;
            out.write(n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        out.writeBytes(rest);
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xff);
        out.writeBytes(b);
    }
}
