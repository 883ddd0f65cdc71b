package org.platewarden.gateway.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.platewarden.core.config.LiveCredentials;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.net.PlatewardenVertx;
import org.platewarden.core.spool.Spool;
import org.platewarden.core.spool.SpoolRecord;
import org.platewarden.core.tls.LiveTls;
import org.platewarden.gateway.GatewayListeners;
import org.platewarden.gateway.GatewayVerticle;
import org.platewarden.gateway.metrics.GatewayMetrics;

/** A real gateway on ephemeral ports over a real spool and dead-letter store in a temp directory. */
public final class GatewayHarness implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();

    public final Spool spool;
    public final DeadLetterStore deadLetters;
    public final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** as a node makes it: its servers' connections bounded ({@link PlatewardenVertx}) */
    public final Vertx vertx = PlatewardenVertx.create(new VertxOptions(), registry);
    public final GatewayVerticle verticle;
    public final PlatewardenConfig config;
    /** the cameras in force: a test reloads them ({@code ConfigReload}) */
    public final LiveCredentials credentials;
    /** the certificates the TLS listeners serve, as a node reads them: a test renews them ({@code LiveTls.reread}) */
    public final LiveTls tls;
    private final GatewayListeners listeners;

    private GatewayHarness(Path dir, String gatewayOverrides, long spoolCapacity) {
        this(dir, gatewayOverrides, spoolCapacity, "{}");
    }

    private GatewayHarness(Path dir, String gatewayOverrides, long spoolCapacity, String configOverrides) {
        this(dir, gatewayOverrides, Spools.open(dir.resolve("spool"), spoolCapacity), configOverrides);
    }

    private GatewayHarness(Path dir, String gatewayOverrides, Spool spool, String configOverrides) {
        // one event loop unless a test asks for more (as the node deploys them: GatewayListeners)
        String loops = gatewayOverrides.contains("\"event_loops\"") ? "" : ",\"event_loops\":1";
        String over = "{\"data_dir\":" + JSON.valueToTree(dir.toString()) + ",\"gateway\":{\"host\":\"127.0.0.1\",\"http_port\":0,\"mqtt_port\":0"
                + loops + (gatewayOverrides.isEmpty() ? "" : "," + gatewayOverrides) + "}}";
        config = PlatewardenConfig.demoConfig().with(over).with(configOverrides);
        this.spool = spool;
        deadLetters = new DeadLetterStore(dir.resolve("deadletter"), 0, java.time.Clock.systemUTC(),
                config.deadletter().maxBytesPerCameraPerDay(), registry);
        credentials = LiveCredentials.of(config);
        tls = LiveTls.load(config, true, false, java.time.Instant.now());
        listeners = GatewayListeners.deploy(vertx, config, credentials, tls, spool, deadLetters, new GatewayMetrics(registry, spool)).await();
        verticle = listeners.first();
    }

    public static GatewayHarness start(Path dir) {
        return new GatewayHarness(dir, "", 64L * 1024 * 1024);
    }

    public static GatewayHarness start(Path dir, String gatewayOverrides, long spoolCapacity) {
        return new GatewayHarness(dir, gatewayOverrides, spoolCapacity);
    }

    /** Over a spool the test opened (with injected faults, say); closed with the harness. */
    public static GatewayHarness start(Path dir, Spool spool) {
        return new GatewayHarness(dir, "", spool, "{}");
    }

    /** With more of the configuration than the gateway section ({@code {"deadletter":{…}}}). */
    public static GatewayHarness startWithConfig(Path dir, String configOverrides) {
        return new GatewayHarness(dir, "", 64L * 1024 * 1024, configOverrides);
    }

    public static String basic(String user, String secret) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public int httpPort() {
        return verticle.httpPort();
    }

    public int mqttPort() {
        return verticle.mqttPort();
    }

    /** Every durable record, parsed. */
    public List<JsonNode> spooled() {
        List<JsonNode> out = new ArrayList<>();
        for (SpoolRecord r : spool.read(0, 100_000)) {
            try {
                out.add(JSON.readTree(r.json()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    public List<DeadLetter> deadLetters() {
        return deadLetters.readAll();
    }

    /**
     * Stops the gateway as the node does ({@code PlatewardenNode.close}): its instances undeployed
     * first, so requests under way finish while the worker pools are open; then Vert.x closes.
     */
    public io.vertx.core.Future<Void> stop() {
        List<io.vertx.core.Future<Void>> undeployed = new ArrayList<>();
        for (String id : vertx.deploymentIDs()) undeployed.add(vertx.undeploy(id));
        return io.vertx.core.Future.join(undeployed).transform(ignored -> vertx.close());
    }

    @Override
    public void close() {
        vertx.close().await();
        listeners.close();
        spool.close();
        deadLetters.close();
    }
}
