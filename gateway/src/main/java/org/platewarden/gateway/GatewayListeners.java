package org.platewarden.gateway;

import io.vertx.core.Future;
import org.platewarden.core.tls.LiveTls;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import org.platewarden.core.config.GatewayConfig;
import org.platewarden.core.config.LiveCredentials;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.net.FreePort;
import org.platewarden.core.net.HttpConnectionGuard;
import org.platewarden.core.read.ReadIdKey;
import org.platewarden.core.spool.Spool;
import org.platewarden.gateway.auth.CameraAuthenticator;
import org.platewarden.gateway.ingest.PlateInReadIds;
import org.platewarden.gateway.ingest.SpoolHealth;
import org.platewarden.gateway.metrics.GatewayMetrics;
import org.platewarden.gateway.mqtt.ClientSessions;
import org.platewarden.gateway.mqtt.SessionPersistence;
import org.platewarden.gateway.mqtt.MqttConnectionCap;
import org.platewarden.gateway.mqtt.MqttPendingBudget;

/**
 * The gateway role on {@code gateway.event_loops} event loops: one {@link GatewayVerticle} per
 * loop, all listening on the same ports (Vert.x shares a server between instances that ask for the
 * same host and port and spreads connections over them), so validation, a CPU cost, is not capped
 * at one core. They share the meters, the MQTT connection cap and pending budget (every loop's
 * connections count against one), one {@link SpoolHealth} (each instance learns of a full or
 * failed spool from its own appends; readiness must say so on every loop) and one
 * {@link CameraAuthenticator}: its cache of verified
 * secrets is then the same whichever loop a connection lands on (with one per loop, a camera that
 * pipelines PUBLISH behind CONNECT was refused on each loop it had not yet connected to), and its
 * cap on PBKDF2 verifications in flight bounds the one worker pool they all use.
 */
public final class GatewayListeners implements AutoCloseable {
    static final String AUTH_POOL = "platewarden-camera-auth";

    private final WorkerExecutor authWorkers;
    private final GatewayVerticle first;
    private final SessionPersistence mqttSessionFile;
    /** stops the MQTT connections' revocation when the credentials change */
    private final AutoCloseable revocations;

    private GatewayListeners(WorkerExecutor authWorkers, GatewayVerticle first, SessionPersistence mqttSessionFile, AutoCloseable revocations) {
        this.authWorkers = authWorkers;
        this.first = first;
        this.mqttSessionFile = mqttSessionFile;
        this.revocations = revocations;
    }

    /** With the configuration's cameras, never reloaded (tests). */
    public static Future<GatewayListeners> deploy(Vertx vertx, PlatewardenConfig config, Spool spool, DeadLetterStore deadLetters,
                                                  GatewayMetrics metrics) {
        return deploy(vertx, config, LiveCredentials.of(config), spool, deadLetters, metrics);
    }

    /**
     * Deploys every instance; fails if one does not start or does not share the first one's ports.
     * Call at start-up, off the event loops: a configured port 0 is replaced by a free port first.
     *
     * @param credentials the cameras in force: a reload that removes, re-keys or moves a camera closes
     *                    its open MQTT connections, and new connections and requests use the new ones
     */
    public static Future<GatewayListeners> deploy(Vertx vertx, PlatewardenConfig config, LiveCredentials credentials, Spool spool,
                                                  DeadLetterStore deadLetters, GatewayMetrics metrics) {
        return deploy(vertx, config, credentials, LiveTls.NONE, spool, deadLetters, metrics);
    }

    /**
     * As {@link #deploy(Vertx, PlatewardenConfig, LiveCredentials, Spool, DeadLetterStore, GatewayMetrics)},
     * with the node's TLS certificates ({@code tls}: MQTT TLS and HTTPS ingest serve its gateway pair,
     * which a reload renews without a restart).
     */
    public static Future<GatewayListeners> deploy(Vertx vertx, PlatewardenConfig config, LiveCredentials credentials, LiveTls tls, Spool spool,
                                                  DeadLetterStore deadLetters, GatewayMetrics metrics) {
        PlatewardenConfig concrete = concreteIngestPorts(config);
        GatewayConfig gw = concrete.gateway();
        WorkerExecutor authWorkers = vertx.createSharedWorkerExecutor(AUTH_POOL, gw.workerPoolSize());
        CameraAuthenticator authenticator = GatewayVerticle.authenticator(concrete, credentials, authWorkers);
        SpoolHealth spoolHealth = new SpoolHealth(spool);
        ClientSessions mqttSessions = new ClientSessions(gw.mqttSessionExpiryMaxSeconds());
        SessionPersistence mqttSessionFile;
        try {
            mqttSessionFile = SessionPersistence.start(vertx, mqttSessions, concrete.dataPath());
        } catch (IOException e) {
            authWorkers.close();
            return Future.failedFuture(e);
        }
        HttpConnectionGuard httpGuard = new HttpConnectionGuard(vertx, "gateway", gw.maxConnectionsPerAddress(), gw.httpHeaderTimeoutSeconds(),
                metrics.registry());
        MqttConnectionCap mqttCap = new MqttConnectionCap(gw.mqttMaxConnectionsPerAddress(), metrics.registry());
        MqttPendingBudget mqttBudget = new MqttPendingBudget(gw.mqttMaxPendingBytesTotal(), metrics.registry());
        warnIfPendingBudgetCrowdsTheHeap(gw.mqttMaxPendingBytesTotal(), Runtime.getRuntime().maxMemory());
        // every instance derives the same id for the same read (a resend may land on any event loop)
        ReadIdKey readIdKey = ReadIdKey.forNode(concrete);
        PlateInReadIds plateInReadIds = new PlateInReadIds(metrics);
        GatewayVerticle first = new GatewayVerticle(concrete, spool, deadLetters, metrics, authenticator, spoolHealth, mqttSessions, httpGuard,
                mqttCap, mqttBudget, readIdKey, tls, plateInReadIds);
        Future<?> deployed = vertx.deployVerticle(first);
        for (int i = 1; i < gw.effectiveEventLoops(); i++) {
            int instance = i;
            deployed = deployed.compose(previous -> {
                GatewayVerticle more = new GatewayVerticle(concrete, spool, deadLetters, metrics, authenticator, spoolHealth, mqttSessions, httpGuard,
                        mqttCap, mqttBudget, readIdKey, tls, plateInReadIds);
                return vertx.deployVerticle(more).compose(id -> more.httpPort() == first.httpPort() && more.mqttPort() == first.mqttPort()
                        ? Future.succeededFuture(id)
                        : Future.failedFuture(new IllegalStateException("gateway instance " + instance + " did not share the ports of the first")));
            });
        }
        return deployed.map(ids -> new GatewayListeners(authWorkers, first, mqttSessionFile, credentials.onChange(changes -> {
                    int told = mqttSessions.endConnectionsOf(changes);
                    if (told > 0) org.slf4j.LoggerFactory.getLogger(GatewayListeners.class).info(
                            "closing {} MQTT connection(s) of cameras removed, re-keyed or moved by the reload", told);
                })))
                .onFailure(e -> {
                    authWorkers.close();
                    // its last save writes and fsyncs a file: not on the event loop this failure is reported on
                    vertx.executeBlocking(() -> {
                        mqttSessionFile.close();
                        return null;
                    });
                });
    }

    /**
     * The budget is heap (what waiting PUBLISHes hold): one above a quarter of the heap would let a
     * flood behind a full spool crowd out everything else, so it is said at start-up.
     */
    static boolean warnIfPendingBudgetCrowdsTheHeap(long budget, long maxHeap) {
        if (maxHeap == Long.MAX_VALUE || budget <= maxHeap / 4) return false;
        org.slf4j.LoggerFactory.getLogger(GatewayListeners.class).warn(
                "gateway.mqtt_max_pending_bytes_total is {} MiB, more than a quarter of the {} MiB heap: MQTT PUBLISHes waiting for a"
                        + " full spool may hold that much; lower it or raise the heap (PLATEWARDEN_JAVA_OPTS=-Xmx...)",
                budget >> 20, maxHeap >> 20);
        return true;
    }

    /** The first instance: its ports are every instance's. */
    public GatewayVerticle first() {
        return first;
    }

    /**
     * Closes the authentication pool and saves the MQTT sessions (after the verticles stopped with
     * their Vert.x instance, so connections closed by the stop are saved as closed).
     */
    @Override
    public void close() {
        try {
            revocations.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        authWorkers.close();
        mqttSessionFile.close();
    }

    /**
     * Port 0 ("any free port", used by tests) is not shared between server instances: every instance
     * would get its own random port. So a free port is chosen once here and given to all of them.
     */
    static PlatewardenConfig concreteIngestPorts(PlatewardenConfig config) {
        GatewayConfig gw = config.gateway();
        if (gw.effectiveEventLoops() < 2 || (gw.httpPort() != 0 && gw.mqttPort() != 0)) return config;
        int http = gw.httpPort() != 0 ? gw.httpPort() : FreePort.pick();
        int mqtt = gw.mqttPort() != 0 ? gw.mqttPort() : FreePort.pick();
        return config.with("{\"gateway\":{\"http_port\":" + http + ",\"mqtt_port\":" + mqtt + "}}");
    }
}
