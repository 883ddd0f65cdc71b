package org.platewarden.gateway.mqtt;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.vertx.mqtt.MqttEndpoint;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.platewarden.core.log.ThrottledWarning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a CONNECT whose fields would stay in the heap beyond {@value #MAX_HELD_BYTES} bytes.
 *
 * <p>Why: Vert.x keeps a CONNECT's client id, credentials, Will (topic, payload, properties) and
 * properties (user properties) with its endpoint for the connection's whole life — while the
 * secret is checked, and after. Each may be as large as the packet limit
 * ({@code gateway.mqtt_max_message_bytes}, 256 KiB), so the 256 connections one address may hold
 * kept 64 MiB; measured: 500 connections of two addresses with 60 KB Wills held 37 MB of it. The
 * gateway ignores Wills and needs none of this beyond a short client id and secret, so a CONNECT
 * holding more is refused before its secret is checked: MQTT 5 CONNACK {@code PACKET_TOO_LARGE}
 * (0x95) with a reason string, MQTT 3.1.1 return code 3 ({@code SERVER_UNAVAILABLE}, 3.1.1 has no
 * better one). Counted in {@code platewarden_gateway_mqtt_connect_too_large_total}.
 */
final class ConnectSize {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectSize.class);
    /** far above a camera's client id, secret and a Will it might set; 256 connections of one address hold at most 2 MiB of it */
    static final int MAX_HELD_BYTES = 8 * 1024;
    private final Counter refused;
    private final ThrottledWarning refusals = new ThrottledWarning(LOG::warn, 10, TimeUnit.SECONDS, System::nanoTime);

    ConnectSize(MeterRegistry registry) {
        this.refused = Counter.builder("platewarden.gateway.mqtt.connect.too.large")
                .description("CONNECTs refused because their client id, credentials, Will and properties would hold more than "
                        + MAX_HELD_BYTES + " bytes for the connection's life")
                .register(registry);
    }

    /** Whether {@code endpoint}'s CONNECT is admitted; if not it has been refused (CONNACK) and counted. */
    boolean admit(MqttEndpoint endpoint) {
        long held = heldBytes(endpoint);
        if (held <= MAX_HELD_BYTES) return true;
        refused.increment();
        String reason = "the CONNECT's client id, credentials, Will and properties take " + held + " bytes; at most "
                + MAX_HELD_BYTES + " are taken (the gateway ignores Wills: send none, or a small one)";
        refusals.warn("MQTT CONNECT from " + endpoint.remoteAddress() + " refused: " + reason);
        ConnectRefusal.reject(endpoint, MqttConnectReturnCode.CONNECTION_REFUSED_PACKET_TOO_LARGE, reason);
        return false;
    }

    /** The bytes of the CONNECT's fields its endpoint keeps (as sent: strings in UTF-8). */
    static long heldBytes(MqttEndpoint endpoint) {
        long n = utf8(endpoint.clientIdentifier());
        if (endpoint.auth() != null) n += utf8(endpoint.auth().getUsername()) + utf8(endpoint.auth().getPassword());
        if (endpoint.will() != null && endpoint.will().isWillFlag()) {
            n += utf8(endpoint.will().getWillTopic());
            byte[] message = endpoint.will().getWillMessageBytes();
            n += message == null ? 0 : message.length;
            n += properties(endpoint.will().getWillProperties());
        }
        return n + properties(endpoint.connectProperties());
    }

    private static long properties(MqttProperties properties) {
        if (properties == null) return 0;
        long n = 0;
        for (MqttProperties.MqttProperty<?> p : properties.listAll()) {
            Object v = p.value();
            if (v instanceof String s) n += utf8(s);
            else if (v instanceof byte[] b) n += b.length;
            else if (v instanceof java.util.List<?> pairs) {
                for (Object pair : pairs) {
                    if (pair instanceof MqttProperties.StringPair sp) n += utf8(sp.key) + utf8(sp.value);
                }
            } else n += 4;
        }
        return n;
    }

    private static long utf8(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }
}
