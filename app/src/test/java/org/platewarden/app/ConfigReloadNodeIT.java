package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.testkit.ElasticsearchFixture;

/**
 * A node started from a configuration file reloads it without a restart: on {@code SIGHUP} (the
 * handler {@code run} installs, the signal raised in this JVM once the handler is in place), audited
 * as {@code platewarden:sighup}, and through {@code ./platewarden ops config-reload}, audited under the
 * token's user. Every role in one process, on the shared real Elasticsearch.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConfigReloadNodeIT {
    @TempDir
    static Path dataDir;
    private static Path file;
    private static ObjectNode original;
    private static PlatewardenNode node;
    private static String prefix;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("reload");
        original = PlatewardenConfig.demoConfig().with("""
                {"node_id":"reload","data_dir":"%s","index_prefix":"%s",
                 "gateway":{"host":"127.0.0.1","http_port":0,"mqtt_port":0,"event_loops":1},
                 "search":{"host":"127.0.0.1","port":0}}""".formatted(dataDir.toString().replace("\\", "/"), prefix)).toTree();
        file = dataDir.resolve("platewarden.json");
        write(original);
        node = new PlatewardenNode(PlatewardenConfig.load(file), EnumSet.allOf(Role.class), () -> PlatewardenConfig.load(file))
                .start(ElasticsearchFixture.url(), 0);
    }

    @AfterAll
    static void stop() {
        if (node != null) node.close();
        ElasticsearchFixture.deletePrefix(prefix);
    }

    @Test
    @Order(1)
    void sighupReloadsTheFileAndTheReloadIsAuditedAsPlatewardensOwn() throws Exception {
        assertEquals(403, opsIndices("demo-acso-investigator").statusCode(), "authenticated, without the ops role");
        assertEquals(202, ingest("cam-101", "demo-cam-101").statusCode());
        ObjectNode edited = original.deepCopy();
        remove((ArrayNode) edited.get("tokens"), "user", "acso.investigator");
        remove((ArrayNode) edited.get("cameras"), "id", "cam-101");
        write(edited);

        AutoCloseable handler = SighupReload.install(node.reloader(), true);
        assumeTrue(handler != null, "SIGHUP cannot be caught in this JVM (-Xrs, or ignored): the signal is not raised");
        try {
            sun.misc.Signal.raise(new sun.misc.Signal("HUP"));
            eventually(() -> opsIndices("demo-acso-investigator").statusCode() == 401, "the removed token is refused");
        } finally {
            handler.close();
        }
        assertEquals(401, ingest("cam-101", "demo-cam-101").statusCode(), "the removed camera is refused");
        assertEquals(200, opsIndices("demo-dpd-ops").statusCode(), "a kept token goes on");
        assertEquals(202, ingest("cam-001", "demo-cam-001").statusCode(), "a kept camera goes on");

        JsonArray records = auditRecords("platewarden:sighup");
        assertEquals(1, records.size(), records.encodePrettily());
        JsonObject record = records.getJsonObject(0);
        assertEquals("allowed", record.getString("outcome"));
        assertTrue(record.getString("reason").startsWith("cameras: 0 added, 1 removed") && record.getString("reason").contains("static tokens: 0 added, 1 removed"),
                record.getString("reason"));
    }

    @Test
    @Order(2)
    void theCliReloadsThroughTheNodesApiAndAnInvalidFileExitsNonZero() throws Exception {
        // the token and the camera removed, as the SIGHUP test leaves them (it is skipped where SIGHUP is
        // ignored, e.g. under nohup), then put back through the CLI
        ObjectNode edited = original.deepCopy();
        remove((ArrayNode) edited.get("tokens"), "user", "acso.investigator");
        remove((ArrayNode) edited.get("cameras"), "id", "cam-101");
        write(edited);
        node.reloader().reloadOnSignal().toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(401, ingest("cam-101", "demo-cam-101").statusCode(), "removed before the CLI's reload");
        write(original);
        Path tokenFile = dataDir.resolve("ops-token");
        Files.writeString(tokenFile, "demo-dpd-ops\n");
        CliCapture cli = new CliCapture();
        int code = cli.run("ops", "config-reload", "--config", file.toString(), "--token-file", tokenFile.toString());
        assertEquals(0, code, cli.err.toString());
        assertEquals(403, opsIndices("demo-acso-investigator").statusCode(), "the token is back");
        assertEquals(202, ingest("cam-101", "demo-cam-101").statusCode(), "the camera is back");
        JsonArray records = auditRecords("dpd.ops");
        assertEquals(1, records.size(), records.encodePrettily());
        String reason = records.getJsonObject(0).getString("reason");
        assertTrue(reason.startsWith("cameras: 1 added, 0 removed") && reason.contains("static tokens: 1 added, 0 removed"), reason);

        ObjectNode invalid = original.deepCopy();
        invalid.put("retention_days", 0);
        write(invalid);
        int refused = cli.run("ops", "config-reload", "--config", file.toString(), "--token-file", tokenFile.toString());
        assertNotEquals(0, refused);
        assertTrue(cli.err.toString().contains("retention_days must be 1..3650"), cli.err.toString());
        assertEquals(403, opsIndices("demo-acso-investigator").statusCode(), "nothing changed");
    }

    /**
     * A signal's reload is the ops team's lever for cutting off a leaked camera secret at once, so
     * it is applied while the audit trail cannot take its record (here: the audit index refuses
     * writes, as with Elasticsearch down), and its record reaches the trail once it takes records.
     */
    @Test
    @Order(3)
    void aSignalsReloadIsAppliedWhileTheAuditIndexRefusesWritesAndRecordedOnceItTakesThem() throws Exception {
        write(original);
        node.reloader().reloadOnSignal().toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(202, ingest("cam-002", "demo-cam-002").statusCode(), "the camera is in force before");
        int before = auditRecords("platewarden:sighup").size();
        ObjectNode edited = original.deepCopy();
        remove((ArrayNode) edited.get("cameras"), "id", "cam-002");
        write(edited);
        blockAuditWrites(true);
        try {
            node.reloader().reloadOnSignal().toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(401, ingest("cam-002", "demo-cam-002").statusCode(), "the removed camera is cut off at once");
        } finally {
            blockAuditWrites(false);
        }
        eventually(() -> auditRecords("platewarden:sighup").size() == before + 1, "the reload's record reaches the index");
        JsonArray records = auditRecords("platewarden:sighup");
        JsonObject last = records.getJsonObject(records.size() - 1);
        assertEquals("allowed", last.getString("outcome"));
        assertTrue(last.getString("reason").startsWith("cameras: 0 added, 1 removed"), last.getString("reason"));
        write(original);
    }

    private static void blockAuditWrites(boolean blocked) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(ElasticsearchFixture.url() + "/" + prefix + "-audit*/_settings"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"index.blocks.write\":" + blocked + "}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
    }

    private static void write(ObjectNode config) throws Exception {
        Files.writeString(file, config.toPrettyString());
    }

    private static void remove(ArrayNode list, String field, String value) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).path(field).asText().equals(value)) {
                list.remove(i);
                return;
            }
        }
        throw new AssertionError("no " + value);
    }

    private static JsonArray auditRecords(String user) throws Exception {
        HttpResponse<String> audit = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.searchPort()
                        + "/v1/audit?action=config_reload&format=json&user=" + java.net.URLEncoder.encode(user, java.nio.charset.StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer demo-dpd-auditor").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, audit.statusCode(), audit.body());
        return new JsonObject(audit.body()).getJsonArray("records");
    }

    private static HttpResponse<String> opsIndices(String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.searchPort() + "/v1/ops/indices"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> ingest(String camera, String secret) throws Exception {
        String read = "{\"camera_id\":\"" + camera + "\",\"captured_at\":\"" + java.time.Instant.now().minusSeconds(30) + "\",\"plate\":\"RLD 0001\"}";
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.gatewayHttpPort() + "/v1/reads"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString((camera + ":" + secret).getBytes()))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(read)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void eventually(CheckedCondition condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 30 s: " + what);
            Thread.sleep(100);
        }
    }

    private interface CheckedCondition {
        boolean holds() throws Exception;
    }
}
