package org.platewarden.gateway.mqtt;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.read.Rejection;
import org.platewarden.gateway.ingest.ReadIngestor;
import org.platewarden.gateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records an authenticated camera's packet the decoder refused as above
 * {@code gateway.mqtt_max_message_bytes}: counted, logged, and dead-lettered like every other
 * refusal, so ops can see it without the log. The dead letter has no payload: the decoder skips
 * the bytes without keeping them.
 *
 * <p>Vert.x closes the connection as soon as its exception handler returns, so the dead letter
 * cannot be durable before the close without blocking the event loop: it is only started. A failed
 * write is logged (the refusal is then in the log alone); it never holds up or fails the close.
 */
final class OversizeRefusals {
    private static final Logger LOG = LoggerFactory.getLogger(OversizeRefusals.class);

    /**
     * A client resends a QoS 1 PUBLISH it got no PUBACK for on every reconnect, so the same oversize
     * packet comes back every few seconds: it is dead-lettered (and logged) once per camera and
     * reason in this window, the repeats only counted ({@code platewarden_gateway_mqtt_oversize_total}).
     */
    static final Duration REPEAT_WINDOW = Duration.ofMinutes(10);

    private final int limit;
    private final ReadIngestor ingestor;
    private final GatewayMetrics metrics;
    private final LongSupplier nanoClock;
    /** shared by every event loop's listener: which refusals were dead-lettered lately */
    private final ClientSessions shared;

    OversizeRefusals(int limit, ReadIngestor ingestor, GatewayMetrics metrics, ClientSessions shared) {
        this(limit, ingestor, metrics, shared, System::nanoTime);
    }

    OversizeRefusals(int limit, ReadIngestor ingestor, GatewayMetrics metrics, ClientSessions shared, LongSupplier nanoClock) {
        this.limit = limit;
        this.ingestor = ingestor;
        this.metrics = metrics;
        this.shared = shared;
        this.nanoClock = nanoClock;
    }

    /** Counts, logs and dead-letters the refusal (a repeat within the window only counted); returns its reason (for the DISCONNECT). */
    String refused(Throwable cause, String cameraId) {
        metrics.mqttOversize();
        // with every other refusal, under its code, so one query shows all of a camera's refusals
        metrics.rejected(CameraSession.PROTOCOL, CameraSession.PROTOCOL, Rejection.TOO_LARGE);
        String reason = MqttOversize.reason(cause, limit);
        if (!shared.newOversizeRefusal(cameraId, reason, nanoClock.getAsLong(), REPEAT_WINDOW)) return reason;
        LOG.warn("camera {}: {}; the connection is closed (repeats within {} min are counted, not dead-lettered again)",
                cameraId, reason, REPEAT_WINDOW.toMinutes());
        Future<Void> written;
        try {
            written = ingestor.deadLetter(List.of(DeadLetter.withoutPayload(CameraSession.STAGE, cameraId, reason)));
        } catch (RuntimeException e) {
            written = Future.failedFuture(e);
        }
        written.onFailure(err -> LOG.error("camera {}: the dead letter of an oversize packet was not written; the refusal is only in this log: {}",
                cameraId, reason, err));
        return reason;
    }

    /** A packet refused before its sender was authenticated: counted and logged, never dead-lettered. */
    void refusedUnauthenticated(Throwable cause, String claimedUser) {
        metrics.mqttOversize();
        LOG.info("unauthenticated MQTT client (username {}): {}; not dead-lettered", claimedUser, MqttOversize.reason(cause, limit));
    }
}
