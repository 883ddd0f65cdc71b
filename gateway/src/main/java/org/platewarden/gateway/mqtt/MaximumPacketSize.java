package org.platewarden.gateway.mqtt;

/**
 * The MQTT 5 Maximum Packet Size (§3.2.2.3.6) the gateway advertises in CONNACK. The decoder's
 * limit ({@code gateway.mqtt_max_message_bytes}) is on the remaining length, while the property
 * counts the whole packet: the fixed header byte and the remaining length's own varint too. So the
 * largest packet the gateway accepts is 1 + varint length of the limit + the limit; advertising the
 * bare limit would make a compliant client refuse packets the gateway takes.
 */
final class MaximumPacketSize {
    private MaximumPacketSize() {
    }

    /** The total size of a packet whose remaining length is exactly {@code remainingLengthLimit}. */
    static int of(int remainingLengthLimit) {
        if (remainingLengthLimit < 0) throw new IllegalArgumentException("negative limit " + remainingLengthLimit);
        return 1 + varintLength(remainingLengthLimit) + remainingLengthLimit;
    }

    /** Bytes of MQTT's variable byte integer for {@code n}: 7 bits per byte. */
    static int varintLength(int n) {
        if (n <= 127) return 1;
        if (n <= 16_383) return 2;
        if (n <= 2_097_151) return 3;
        return 4;
    }
}
