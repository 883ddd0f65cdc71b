package org.platewarden.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import org.platewarden.core.tls.LiveTls;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import java.time.Clock;
import java.time.Duration;
import org.platewarden.core.config.GatewayConfig;
import org.platewarden.core.config.LiveCredentials;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.net.HttpConnectionGuard;
import org.platewarden.core.read.ReadIdKey;
import org.platewarden.core.read.ReadValidator;
import org.platewarden.core.spool.Spool;
import org.platewarden.gateway.auth.CameraAuthenticator;
import org.platewarden.gateway.http.HttpIngestServer;
import org.platewarden.gateway.ingest.PlateInReadIds;
import org.platewarden.gateway.ingest.ReadIngestor;
import org.platewarden.gateway.ingest.SpoolHealth;
import org.platewarden.gateway.metrics.GatewayMetrics;
import org.platewarden.gateway.mqtt.ClientSessions;
import org.platewarden.gateway.mqtt.MqttConnectionCap;
import org.platewarden.gateway.mqtt.MqttIngestServer;
import org.platewarden.gateway.mqtt.MqttPendingBudget;

/**
 * The gateway on one event loop: HTTP ingest (+ health, metrics) and the MQTT server, with one
 * validator and one ingestor in front of the spool. {@link GatewayListeners} deploys one per loop
 * on the same ports, all with the same camera authenticator (and its bounded worker pool) and
 * meters. The spool and dead-letter store belong to the caller (the indexer reads the same spool).
 * A connection's state (PUBACK order) lives on the event loop of the instance that accepted it.
 */
public final class GatewayVerticle extends VerticleBase {
    static final Duration AUTH_CACHE_TTL = Duration.ofMinutes(5);

    private final PlatewardenConfig config;
    private final Spool spool;
    private final DeadLetterStore deadLetters;
    /** Shared by every instance on the same ports: a gauge registers once, so per-instance gauges would undercount. */
    private final GatewayMetrics metrics;
    /** one for every instance ({@link GatewayListeners}) */
    private final CameraAuthenticator authenticator;
    private HttpServer http;
    private MqttIngestServer mqtt;
    /**
     * One for every instance: each learns of a full or failed spool from its own appends, and
     * readiness must say so on whichever event loop the probe lands
     */
    private final SpoolHealth spoolHealth;
    /** One for every instance: a camera's reconnection may land on another event loop than the connection it replaces */
    private final ClientSessions mqttSessions;
    /** One for every instance: the per-address connection cap is the port's */
    private final HttpConnectionGuard httpGuard;
    /** One for every instance: the per-address cap of the MQTT ports */
    private final MqttConnectionCap mqttCap;
    /** One for every instance: the bytes awaiting durability on all MQTT connections, every loop */
    private final MqttPendingBudget mqttBudget;
    /** The key of derived read ids: one for the node, so a resend gets the same id on any instance */
    private final ReadIdKey readIdKey;
    /** The node's TLS certificates, one for every instance: a reload's renewal reaches every loop's listeners */
    private final LiveTls tls;
    /** Accepted reads whose sent id holds the plate: one for the node, so its WARN is throttled node-wide */
    private final PlateInReadIds plateInReadIds;

    /** One of the instances {@link GatewayListeners} deploys, sharing the ports, the meters, the camera authenticator and the spool's health. */
    GatewayVerticle(PlatewardenConfig config, Spool spool, DeadLetterStore deadLetters, GatewayMetrics metrics, CameraAuthenticator authenticator,
                    SpoolHealth spoolHealth, ClientSessions mqttSessions, HttpConnectionGuard httpGuard, MqttConnectionCap mqttCap,
                    MqttPendingBudget mqttBudget, ReadIdKey readIdKey, LiveTls tls, PlateInReadIds plateInReadIds) {
        this.tls = tls;
        this.plateInReadIds = plateInReadIds;
        this.httpGuard = httpGuard;
        this.mqttBudget = mqttBudget;
        this.mqttCap = mqttCap;
        this.readIdKey = readIdKey;
        this.config = config;
        this.spool = spool;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.authenticator = authenticator;
        this.spoolHealth = spoolHealth;
        this.mqttSessions = mqttSessions;
    }

    /** The camera registry's authenticator (the cameras in force, whatever reloads replace them), verifying secrets on {@code workers} with the configured cap. */
    static CameraAuthenticator authenticator(PlatewardenConfig config, LiveCredentials credentials, WorkerExecutor workers) {
        GatewayConfig gw = config.gateway();
        return new CameraAuthenticator(credentials, workers, gw.workerPoolSize() + gw.workerQueueLimit(), AUTH_CACHE_TTL, System::nanoTime);
    }

    @Override
    public Future<?> start() {
        GatewayConfig gw = config.gateway();
        context.exceptionHandler(new StrayErrors(metrics));
        ReadIngestor ingestor = new ReadIngestor(ReadValidator.fromConfig(config, Clock.systemUTC(), readIdKey), spool, deadLetters, spoolHealth, metrics,
                plateInReadIds);
        HttpIngestServer httpIngest = new HttpIngestServer(vertx, gw, authenticator, ingestor, spoolHealth, metrics, httpGuard).withTls(tls);
        mqtt = new MqttIngestServer(vertx, gw, authenticator, ingestor, metrics, mqttSessions, mqttCap, mqttBudget).withTls(tls);
        return httpIngest.listen(gw.host(), gw.httpPort())
                .onSuccess(server -> http = server)
                .compose(server -> mqtt.listen())
                // a failed start is not followed by stop(): release what did bind
                .recover(err -> stop().transform(ignored -> Future.failedFuture(err)));
    }

    /**
     * Stops taking connections at once; an HTTP request already under way gets up to
     * {@code shutdown_grace_seconds} to be answered (its reads fsynced, the 202 sent) before its
     * connection is closed, so a restart does not cut off a camera's batch halfway. MQTT closes at
     * once: a PUBLISH not yet acknowledged is resent by the client (QoS 1), and the client's
     * session state is gone with the connection anyway.
     */
    @Override
    public Future<?> stop() {
        Future<Void> h = http == null ? Future.succeededFuture() : http.shutdown(Duration.ofSeconds(config.shutdownGraceSeconds()));
        Future<Void> m = mqtt == null ? Future.succeededFuture() : mqtt.close();
        return Future.join(h, m);
    }

    /** Bound HTTP port (the configured one, or the one picked for port 0). */
    public int httpPort() {
        return http == null ? -1 : http.actualPort();
    }

    public int mqttPort() {
        return mqtt == null ? -1 : mqtt.actualPort();
    }

    /** -1 when TLS is not configured. */
    public int mqttTlsPort() {
        return mqtt == null ? -1 : mqtt.actualTlsPort();
    }

    public SpoolHealth spoolHealth() {
        return spoolHealth;
    }
}
