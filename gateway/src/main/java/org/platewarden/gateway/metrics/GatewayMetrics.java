package org.platewarden.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.platewarden.core.spool.Spool;

/**
 * The gateway's meters. Names (Prometheus form): {@code platewarden_gateway_reads_accepted_total{protocol,source}},
 * {@code platewarden_gateway_reads_rejected_total{protocol,source,reason}} (each reason a listener can refuse with at 0
 * from its start: {@link #rejectable}),
 * {@code platewarden_gateway_ack_latency_seconds{protocol}} (with p50/p95/p99),
 * {@code platewarden_gateway_spool_bytes}, {@code platewarden_gateway_connected_cameras},
 * {@code platewarden_gateway_auth_failures_total{protocol}}, {@code platewarden_gateway_overloaded_total{protocol,what}},
 * {@code platewarden_gateway_mqtt_oversize_total}, {@code platewarden_gateway_mqtt_disconnects_total{reason}}.
 */
public final class GatewayMetrics {
    private final MeterRegistry registry;
    private final AtomicInteger connectedCameras = new AtomicInteger();

    public GatewayMetrics(MeterRegistry registry, Spool spool) {
        this.registry = registry;
        Gauge.builder("platewarden.gateway.spool.bytes", spool, Spool::sizeBytes).baseUnit("bytes")
                .description("bytes held by the spool on disk").register(registry);
        Gauge.builder("platewarden.gateway.connected.cameras", connectedCameras, AtomicInteger::get)
                .description("MQTT connections currently authenticated").register(registry);
        // at 0 from the start, as the rejections by reason: an alert on a counter's increase misses the
        // first one when its series only appears with it (a camera's secret rotated badly, oversize packets)
        registry.counter("platewarden.gateway.auth.failures", "protocol", "http");
        registry.counter("platewarden.gateway.auth.failures", "protocol", "mqtt");
        registry.counter("platewarden.gateway.mqtt.oversize");
        registry.counter("platewarden.gateway.mqtt.packets.discarded");
        registry.counter("platewarden.gateway.read_ids.with_plate", "source", "http");
        registry.counter("platewarden.gateway.read_ids.with_plate", "source", "mqtt");
    }

    public MeterRegistry registry() {
        return registry;
    }

    // meters are looked up once per tag combination: building and registering one per read or per
    // acknowledgement showed up in the ingest profile
    private final Map<String, Counter> acceptedCounters = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejectedCounters = new ConcurrentHashMap<>();
    private final Map<String, Timer> ackTimers = new ConcurrentHashMap<>();

    public void accepted(String protocol, String source, int n) {
        if (n > 0) acceptedCounters.computeIfAbsent(protocol + '\u0000' + source, k ->
                Counter.builder("platewarden.gateway.reads.accepted").tag("protocol", protocol).tag("source", source)
                        .register(registry)).increment(n);
    }

    /** An accepted read whose camera-sent read_id holds its plate ({@code PlateInReadIds}). */
    public void readIdWithPlate(String source) {
        registry.counter("platewarden.gateway.read_ids.with_plate", "source", source).increment();
    }

    public void rejected(String protocol, String source, String reason) {
        rejectedCounter(protocol, source, reason).increment();
    }

    /**
     * Registers the rejected-reads counter of each reason a listener can refuse with, at 0, when the
     * listener starts: an alert on its rate, or on its absence, sees it before the first refusal.
     */
    public void rejectable(String protocol, String source, Collection<String> reasons) {
        for (String reason : reasons) rejectedCounter(protocol, source, reason);
    }

    private Counter rejectedCounter(String protocol, String source, String reason) {
        return rejectedCounters.computeIfAbsent(protocol + '\u0000' + source + '\u0000' + reason, k ->
                Counter.builder("platewarden.gateway.reads.rejected").tag("protocol", protocol).tag("source", source)
                        .tag("reason", reason).register(registry));
    }

    public void ackLatency(String protocol, long startNanos) {
        ackTimers.computeIfAbsent(protocol, k -> Timer.builder("platewarden.gateway.ack.latency").tag("protocol", protocol)
                .publishPercentiles(0.5, 0.95, 0.99).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)).record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void authFailure(String protocol) {
        registry.counter("platewarden.gateway.auth.failures", "protocol", protocol).increment();
    }

    public void overloaded(String protocol, String what) {
        registry.counter("platewarden.gateway.overloaded", "protocol", protocol, "what", what).increment();
    }

    public void mqttOversize() {
        registry.counter("platewarden.gateway.mqtt.oversize").increment();
    }

    /** A packet the MQTT server discarded because its connection was not (or no longer) accepted. */
    public void mqttPacketOutsideConnection() {
        registry.counter("platewarden.gateway.mqtt.packets.discarded").increment();
    }

    /** Registers the MQTT disconnects counter of each reason, at 0, when the listener starts (as {@link #rejectable}). */
    public void mqttDisconnectable(Collection<String> reasons) {
        for (String reason : reasons) registry.counter("platewarden.gateway.mqtt.disconnects", "reason", reason);
    }

    public void mqttDisconnect(String reason) {
        registry.counter("platewarden.gateway.mqtt.disconnects", "reason", reason).increment();
    }

    public void cameraConnected() {
        connectedCameras.incrementAndGet();
    }

    public void cameraDisconnected() {
        connectedCameras.decrementAndGet();
    }

    public int connectedCameras() {
        return connectedCameras.get();
    }
}
