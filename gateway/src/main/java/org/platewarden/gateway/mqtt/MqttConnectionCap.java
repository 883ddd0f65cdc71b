package org.platewarden.gateway.mqtt;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.mqtt.MqttEndpoint;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.platewarden.core.log.ThrottledWarning;
import org.platewarden.core.net.ConnectionsPerAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code gateway.mqtt_max_connections_per_address}: how many MQTT connections one client address may
 * hold open, on the MQTT ports together (plain and TLS) and over every event loop's listener. A
 * connection counts from its CONNECT (Vert.x MQTT 5.1 shows the application nothing of a connection
 * before it has decoded its CONNECT, so one that never sends it is not seen here: the CONNECT
 * timeout is all that bounds it) until it closes, whichever way: DISCONNECT, the client or the
 * gateway closing it, a take-over, a refused CONNECT, an error. A CONNECT from an address at the cap
 * is answered CONNACK {@code QUOTA_EXCEEDED} (0x97, MQTT 5, with a reason string) or
 * {@code SERVER_UNAVAILABLE} (3, MQTT 3.1.1, which has no better code) before its credentials are
 * checked, and counted ({@code platewarden_gateway_mqtt_connections_refused_total}); the refusals
 * are logged at most once per 10 s, with the count of those left out (written by the next line, by
 * a flush 10 s after the last one, or at stop). {@code platewarden_gateway_mqtt_connections} is how
 * many are open (counted, from every address), beside {@code platewarden_gateway_connected_cameras},
 * those of them authenticated.
 */
public final class MqttConnectionCap {
    private static final Logger LOG = LoggerFactory.getLogger(MqttConnectionCap.class);
    static final String REASON = "too many MQTT connections from this address (gateway.mqtt_max_connections_per_address)";

    private final ConnectionsPerAddress open;
    private final Counter refused;
    private final ThrottledWarning refusals = new ThrottledWarning(LOG::warn, 10, TimeUnit.SECONDS, System::nanoTime);
    private final AtomicInteger total = new AtomicInteger();

    /** @param maxPerAddress open MQTT connections one client address may have; 0 = no cap */
    public MqttConnectionCap(int maxPerAddress, MeterRegistry registry) {
        this.open = new ConnectionsPerAddress(maxPerAddress);
        // registered now: scraped at 0 from the start, as the counters alerts watch are
        this.refused = Counter.builder("platewarden.gateway.mqtt.connections.refused")
                .description("MQTT CONNECTs refused: their client address had gateway.mqtt_max_connections_per_address connections open")
                .register(registry);
        Gauge.builder("platewarden.gateway.mqtt.connections", total, AtomicInteger::get)
                .description("MQTT connections open since their CONNECT (authenticated or not yet), from every address").register(registry);
    }

    /**
     * Counts the connection of a CONNECT just received and returns what releases it once it closes;
     * or, when its address has the cap open already, refuses it (CONNACK) and returns null.
     */
    Slot admit(MqttEndpoint endpoint) {
        String address = ConnectionsPerAddress.address(endpoint.remoteAddress());
        if (open.reserve(address)) {
            total.incrementAndGet();
            return new Slot(address);
        }
        refused.increment();
        refusals.warn("MQTT CONNECT from " + address + " refused (CONNACK " + (endpoint.protocolVersion() == 5 ? "QUOTA_EXCEEDED" : "SERVER_UNAVAILABLE")
                + "): it has " + open.open(address) + " MQTT connections open, gateway.mqtt_max_connections_per_address is " + open.max());
        ConnectRefusal.reject(endpoint, MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED, REASON);
        return null;
    }

    /** Logs how many refusals were left out of the log since its last line (see {@link ThrottledWarning#flush}). */
    void flushRefusals(boolean force) {
        refusals.flush(force);
    }

    /** One counted connection: released once, by whichever close handler the endpoint has when it closes. */
    final class Slot {
        private final String address;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(String address) {
            this.address = address;
        }

        void release() {
            if (!released.compareAndSet(false, true)) return;
            open.release(address);
            total.decrementAndGet();
        }
    }
}
