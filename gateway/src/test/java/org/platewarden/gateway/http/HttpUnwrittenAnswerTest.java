package org.platewarden.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.LiveCredentials;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.net.HttpConnectionGuard;
import org.platewarden.core.read.ReadIdKey;
import org.platewarden.core.read.ReadValidator;
import org.platewarden.core.spool.Spool;
import org.platewarden.gateway.auth.CameraAuthenticator;
import org.platewarden.gateway.ingest.ReadIngestor;
import org.platewarden.gateway.ingest.SpoolHealth;
import org.platewarden.gateway.metrics.GatewayMetrics;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;
import org.platewarden.gateway.testsupport.Spools;

/**
 * A 202 whose body throws as it is written (an encoder that fails, as a serialiser's bug would):
 * the reads are fsynced by then, and the camera gets a 500 in the port's error shape, which tells it
 * to resend — never no answer (thrown from the ingest future's callback, the throw reached only the
 * event loop's exception handler and the camera waited for its own timeout). The resend is stored
 * again under the same read id, which indexing keeps once. The server is the real one, on a real
 * spool, built here so the test can reach its encoder.
 */
class HttpUnwrittenAnswerTest {
    private static final String CAM_001 = GatewayHarness.basic("cam-001", "demo-cam-001");

    @TempDir
    Path dir;
    private final Vertx vertx = Vertx.vertx();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private Spool spool;
    private DeadLetterStore deadLetters;
    private WorkerExecutor authWorkers;
    private HttpIngestServer server;
    private int port;

    @BeforeEach
    void start() {
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with("{\"data_dir\":" + GatewayHarness.JSON.valueToTree(dir.toString()) + "}");
        spool = Spools.open(dir.resolve("spool"), 64L * 1024 * 1024);
        deadLetters = new DeadLetterStore(dir.resolve("deadletter"), 0, Clock.systemUTC(), config.deadletter().maxBytesPerCameraPerDay(), registry);
        GatewayMetrics metrics = new GatewayMetrics(registry, spool);
        SpoolHealth health = new SpoolHealth(spool);
        authWorkers = vertx.createSharedWorkerExecutor("test-camera-auth", 1);
        CameraAuthenticator cameras = new CameraAuthenticator(LiveCredentials.of(config), authWorkers, 16, Duration.ofMinutes(1), System::nanoTime);
        ReadIngestor ingestor = new ReadIngestor(ReadValidator.fromConfig(config, Clock.systemUTC(), ReadIdKey.forNode(config)), spool, deadLetters,
                health, metrics);
        server = new HttpIngestServer(vertx, config.gateway(), cameras, ingestor, health, metrics,
                new HttpConnectionGuard(vertx, "gateway", 64, 10, registry));
        port = server.listen("127.0.0.1", 0).await().actualPort();
    }

    @AfterEach
    void stop() {
        vertx.close().await();
        spool.close();
        deadLetters.close();
    }

    private HttpResponse<String> post(String body) throws Exception {
        // far longer than the answer takes: a request left unanswered fails here instead of hanging the test
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/reads")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Authorization", CAM_001)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private List<String> spooledReadIds() {
        return spool.read(0, 1000).stream().map(r -> {
            try {
                return GatewayHarness.JSON.readTree(r.json()).path("read_id").asText();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
    }

    @Test
    void aThrowWhileThe202IsWrittenIs500AndTheReadsAreStoredForTheResend() throws Exception {
        String read = Reads.read("cam-001", "ABC1234");
        server.encodeAcceptedWith(body -> {
            throw new EncodeException("injected: the 202 cannot be encoded");
        });
        HttpResponse<String> failed = post(read);
        assertEquals(500, failed.statusCode(), failed.body());
        assertEquals("application/json", failed.headers().firstValue("Content-Type").orElse(""), failed.body());
        JsonNode error = GatewayHarness.JSON.readTree(failed.body());
        assertEquals("internal_error", error.path("error").asText(), failed.body());
        assertEquals(HttpErrorMapping.ANSWER_NOT_WRITTEN, error.path("message").asText(), failed.body());
        // fsynced before the answer was built: the 500 does not take the read back
        List<String> stored = spooledReadIds();
        assertEquals(1, stored.size(), stored.toString());

        // the camera resends, as a 500 tells it to: the same read id, which indexing keeps once
        server.encodeAcceptedWith(JsonObject::encode);
        HttpResponse<String> resent = post(read);
        assertEquals(202, resent.statusCode(), resent.body());
        assertEquals(1, GatewayHarness.JSON.readTree(resent.body()).path("accepted").asInt(), resent.body());
        List<String> afterResend = spooledReadIds();
        assertEquals(List.of(stored.get(0), stored.get(0)), afterResend);
    }
}
