package org.platewarden.gateway.mqtt;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.vertx.mqtt.MqttEndpoint;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.platewarden.core.log.ThrottledWarning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code gateway.mqtt_max_pending_bytes_total}: the heap held by MQTT PUBLISHes awaiting durability
 * on all the gateway's MQTT connections together, over every event loop. Each connection's own
 * limit ({@link CameraSession#MAX_PENDING_BYTES}) bounds what one client holds; this bounds what
 * all of them hold, whatever their number (the per-address cap alone let one address hold
 * 256 × 8 MiB, and 60 connections flooding a node whose spool was full ran its 512 MiB heap out).
 *
 * <p>A PUBLISH takes its share ({@link #tryReserve}) when it is taken in for durability, at an
 * estimate from its payload's size ({@link #admissionBytes}), then what it keeps while it waits
 * (its reads as encoded for the spool: {@link Reservation#resize}), and gives it back once it is settled: PUBACK decided, refused, or
 * given up because its connection closed ({@link Reservation#release}, once, whichever comes first). One that does not fit is not held:
 * its connection is closed (MQTT 5: DISCONNECT {@code QUOTA_EXCEEDED}), counted in
 * {@code platewarden_gateway_mqtt_pending_refused_total{at="publish"}} and logged at most once per
 * 10 s with the count of those left out. While more than seven eighths of it is taken, new
 * connections are refused at CONNECT ({@link #nearlyFull}; {@code at="connect"}). Nothing acknowledged is lost: the client still has every QoS 1 message
 * not PUBACKed and resends it on its next connection. Vert.x MQTT 5.1.1 offers no way to pause
 * reading a connection (its {@code MqttEndpoint} has no pause, and the socket is internal), so
 * closing it is the only back-pressure a client that ignores its in-flight window feels.
 *
 * <p>Thread-safe: connections on every event loop share one instance.
 */
public final class MqttPendingBudget {
    private static final Logger LOG = LoggerFactory.getLogger(MqttPendingBudget.class);

    private final long max;
    private final AtomicLong pending = new AtomicLong();
    /** held bytes per payload byte of recent PUBLISHes, in thousandths (moving average, at least 1) */
    private final AtomicLong heldPerPayloadMilli = new AtomicLong(1000);
    static final String CONNECT_REASON = "the gateway has too many PUBLISHes awaiting durability (gateway.mqtt_max_pending_bytes_total); connect later";

    private final Counter refused;
    private final Counter refusedConnects;
    private final ThrottledWarning refusals = new ThrottledWarning(LOG::warn, 10, TimeUnit.SECONDS, System::nanoTime);
    private final ThrottledWarning connectRefusals = new ThrottledWarning(LOG::warn, 10, TimeUnit.SECONDS, System::nanoTime);

    public MqttPendingBudget(long maxBytes, MeterRegistry registry) {
        if (maxBytes <= 0) throw new IllegalArgumentException("the pending budget must be positive: " + maxBytes);
        this.max = maxBytes;
        Gauge.builder("platewarden.gateway.mqtt.pending.bytes", pending, AtomicLong::get).baseUnit("bytes")
                .description("heap held by MQTT PUBLISHes awaiting durability (estimated), all connections together").register(registry);
        Gauge.builder("platewarden.gateway.mqtt.pending.limit.bytes", () -> max).baseUnit("bytes")
                .description("gateway.mqtt_max_pending_bytes_total").register(registry);
        // registered now: scraped at 0 from the start, as the counters alerts watch are
        this.refused = Counter.builder("platewarden.gateway.mqtt.pending.refused").tag("at", "publish")
                .description("MQTT PUBLISHes (at=publish) whose connection was closed, and CONNECTs (at=connect) refused, because"
                        + " gateway.mqtt_max_pending_bytes_total was reached")
                .register(registry);
        this.refusedConnects = Counter.builder("platewarden.gateway.mqtt.pending.refused").tag("at", "connect")
                .description("MQTT PUBLISHes (at=publish) whose connection was closed, and CONNECTs (at=connect) refused, because"
                        + " gateway.mqtt_max_pending_bytes_total was reached")
                .register(registry);
    }

    /**
     * More than seven eighths of the budget is taken: a new connection is refused at its CONNECT
     * (before its credentials are checked), as its first PUBLISH would most likely not fit. Without
     * it a client closed for the budget reconnected at once and sent its whole window again, to be
     * read, decoded and refused, over and over: the event loops spent themselves on it (a node at a
     * full spool answered its liveness probe in seconds). Refused, it is answered CONNACK and closed
     * before it sends anything.
     */
    boolean nearlyFull() {
        return pending.get() > max - max / 8;
    }

    /** Refuses {@code endpoint}'s CONNECT: CONNACK QUOTA_EXCEEDED (0x97) with a reason (MQTT 5), SERVER_UNAVAILABLE (3, MQTT 3.1.1). */
    void refuseConnect(MqttEndpoint endpoint) {
        refusedConnects.increment();
        String address = org.platewarden.core.net.ConnectionsPerAddress.address(endpoint.remoteAddress());
        connectRefusals.warn("MQTT CONNECT from " + address + " refused (CONNACK " + (endpoint.protocolVersion() == 5 ? "QUOTA_EXCEEDED" : "SERVER_UNAVAILABLE")
                + "): MQTT PUBLISHes awaiting durability hold " + pending.get() + " of gateway.mqtt_max_pending_bytes_total " + max
                + " bytes; is the spool full or slow?");
        ConnectRefusal.reject(endpoint, MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED, CONNECT_REASON);
    }

    /**
     * Takes {@code bytes} of the budget, or returns null (taking nothing) when they would not fit
     * beside what is pending (when nothing is, they are taken whatever their size: see
     * {@link Reservation#resize}).
     */
    Reservation tryReserve(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative size: " + bytes);
        while (true) {
            long now = pending.get();
            if (now + bytes > max && now != 0) return null;
            if (pending.compareAndSet(now, now + bytes)) return new Reservation(bytes);
        }
    }

    /**
     * What a PUBLISH of {@code payloadBytes} is taken in at: its payload times what recent ones came
     * to hold per payload byte once parsed. Near what it will hold, so that under a flood a PUBLISH
     * that will not fit is refused before its reads are parsed and validated (the event loop's
     * dearest work) rather than after.
     */
    long admissionBytes(long payloadBytes) {
        return Math.max(payloadBytes, payloadBytes * heldPerPayloadMilli.get() / 1000);
    }

    /** A PUBLISH of {@code payloadBytes} was parsed and holds {@code heldBytes}: the estimate moves an eighth of the way there. */
    void observed(long payloadBytes, long heldBytes) {
        if (payloadBytes <= 0) return;
        long ratio = Math.max(1000, Math.min(20_000, heldBytes * 1000 / payloadBytes));
        heldPerPayloadMilli.accumulateAndGet(ratio, (old, seen) -> old + (seen - old) / 8);
    }

    /** A PUBLISH of {@code cameraId} that would hold {@code bytes} did not fit: counted, and logged at most once per 10 s. */
    void refused(String cameraId, long bytes) {
        refused.increment();
        refusals.warn("MQTT PUBLISHes awaiting durability reached gateway.mqtt_max_pending_bytes_total (" + max + " bytes, "
                + pending.get() + " pending): closing the connection of camera " + cameraId + " whose PUBLISH needing " + bytes
                + " bytes did not fit (it resends what was not acknowledged); is the spool full or slow?");
    }

    /** Logs how many refusals were left out of the log since its last line. */
    void flushRefusals(boolean force) {
        refusals.flush(force);
        connectRefusals.flush(force);
    }

    /** Bytes taken now, all connections together. */
    public long pending() {
        return pending.get();
    }

    public long max() {
        return max;
    }

    /**
     * One PUBLISH's share: taken at its payload's size when it arrives, then changed to what it holds
     * once its reads are parsed ({@link #resize}); given back once, however many paths try.
     */
    final class Reservation {
        private long bytes;
        private boolean released;

        private Reservation(long bytes) {
            this.bytes = bytes;
        }

        /**
         * Makes the share {@code newBytes}: less always works; more only if it fits, or if this
         * share is all that is pending (a PUBLISH within the packet limit whose reads hold more than
         * the whole budget would otherwise never be served, however often its client resent it: so
         * the total stays at most the budget or one PUBLISH's share, whichever is larger); else the
         * share stays as it was and false is returned.
         */
        synchronized boolean resize(long newBytes) {
            if (newBytes < 0) throw new IllegalArgumentException("negative size: " + newBytes);
            if (released) return false;
            long more = newBytes - bytes;
            if (more > 0) {
                while (true) {
                    long now = pending.get();
                    if (now + more > max && now != bytes) return false;
                    if (pending.compareAndSet(now, now + more)) break;
                }
            } else {
                pending.addAndGet(more);
            }
            bytes = newBytes;
            return true;
        }

        synchronized void release() {
            if (released) return;
            released = true;
            pending.addAndGet(-bytes);
        }
    }
}
