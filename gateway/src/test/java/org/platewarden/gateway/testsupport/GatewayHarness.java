package org.platewarden.gateway.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.spool.Spool;
import org.platewarden.core.spool.SpoolRecord;
import org.platewarden.gateway.GatewayVerticle;

/** A real gateway on ephemeral ports over a real spool and dead-letter store in a temp directory. */
public final class GatewayHarness implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();

    public final Vertx vertx = Vertx.vertx();
    public final Spool spool;
    public final DeadLetterStore deadLetters;
    public final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    public final GatewayVerticle verticle;
    public final PlatewardenConfig config;

    private GatewayHarness(Path dir, String gatewayOverrides, long spoolCapacity) {
        String over = "{\"data_dir\":" + JSON.valueToTree(dir.toString()) + ",\"gateway\":{\"host\":\"127.0.0.1\",\"http_port\":0,\"mqtt_port\":0"
                + (gatewayOverrides.isEmpty() ? "" : "," + gatewayOverrides) + "}}";
        config = PlatewardenConfig.demoConfig().with(over);
        spool = Spools.open(dir.resolve("spool"), spoolCapacity);
        deadLetters = new DeadLetterStore(dir.resolve("deadletter"));
        verticle = new GatewayVerticle(config, spool, deadLetters, registry);
        vertx.deployVerticle(verticle).await();
    }

    public static GatewayHarness start(Path dir) {
        return new GatewayHarness(dir, "", 64L * 1024 * 1024);
    }

    public static GatewayHarness start(Path dir, String gatewayOverrides, long spoolCapacity) {
        return new GatewayHarness(dir, gatewayOverrides, spoolCapacity);
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

    @Override
    public void close() {
        vertx.close().await();
        spool.close();
        deadLetters.close();
    }
}
