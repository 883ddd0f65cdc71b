package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.testkit.ElasticsearchFixture;

/**
 * The whole path with every role in one process, on the shared real Elasticsearch node: a camera's
 * read (HTTP and MQTT via mosquitto_pub) is acknowledged after fsync, indexed into its daily index,
 * found by an investigator's search that states purpose and case number, and that search is in
 * the audit trail an auditor reads.
 */
class EndToEndIT {
    @TempDir
    static Path dataDir;
    private static PlatewardenNode node;
    private static String prefix;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("e2e");
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with("""
                {"node_id":"e2e","data_dir":"%s","index_prefix":"%s",
                 "gateway":{"host":"127.0.0.1","http_port":0,"mqtt_port":0,"event_loops":2},
                 "search":{"host":"127.0.0.1","port":0},
                 "indexer":{"bulk_max_wait_ms":50}}""".formatted(dataDir.toString().replace("\\", "/"), prefix));
        node = new PlatewardenNode(config, EnumSet.allOf(Role.class)).start(ElasticsearchFixture.url(), 0);
    }

    @AfterAll
    static void stop() {
        if (node != null) node.close();
        ElasticsearchFixture.deletePrefix(prefix);
    }

    @Test
    void httpReadIsDurableIndexedSearchableAndTheSearchIsAudited() throws Exception {
        Instant captured = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
        HttpResponse<String> ingest = post(node.gatewayHttpPort(), "/v1/reads", basic("cam-001", "demo-cam-001"), """
                {"camera_id":"cam-001","captured_at":"%s","plate":"ABC 1234","plate_confidence":0.93,
                 "location":{"lat":39.7392,"lon":-104.9903},"vehicle":{"make":"Toyota","color":"silver"},
                 "heading_deg":270,"lane":2,"image_ref":"https://camera-17.local/crops/1763820187123.jpg"}""".formatted(captured));
        assertEquals(202, ingest.statusCode(), ingest.body());
        JsonObject ack = new JsonObject(ingest.body());
        assertEquals(1, ack.getInteger("accepted"));
        assertTrue(ack.getJsonArray("rejected").isEmpty());

        JsonObject result = searchUntilFound("ABC1234", "demo-dpd-investigator");
        JsonObject hit = result.getJsonArray("hits").getJsonObject(0);
        // derived: camera, capture time and a keyed hash of the read, no plate (audit records keep ids forever)
        assertTrue(hit.getString("read_id").matches("cam-001:" + captured.toEpochMilli() + ":[0-9a-f]{16}"), hit.getString("read_id"));
        assertEquals("ABC 1234", hit.getString("plate"));
        assertEquals("exact", hit.getJsonObject("match").getString("kind"));
        // what an investigator needs to confirm the match: how sure the camera was, where it looked, the crop
        assertEquals(0.93, hit.getDouble("plate_confidence"), 1e-6);
        assertEquals(270.0, hit.getDouble("heading_deg"), 1e-6);
        assertEquals(2, hit.getInteger("lane"));
        assertEquals("https://camera-17.local/crops/1763820187123.jpg", hit.getString("image_ref"));
        // no from/to/limit sent: the answer says what was searched
        JsonObject window = result.getJsonObject("window");
        assertNotNull(window, result.encode());
        Instant windowTo = Instant.parse(window.getString("to"));
        assertEquals(Duration.ofHours(24).plusSeconds(300), Duration.between(Instant.parse(window.getString("from")), windowTo));
        assertTrue(!captured.isBefore(Instant.parse(window.getString("from"))) && !captured.isAfter(windowTo), window.encode());
        assertEquals(100, result.getInteger("limit"));
        String auditId = result.getString("audit_id");
        assertNotNull(auditId);

        // the read sits in the daily index of its UTC capture day
        String index = DailyIndex.name(prefix, captured);
        String id = java.net.URLEncoder.encode(hit.getString("read_id"), StandardCharsets.UTF_8);
        HttpResponse<String> doc = HTTP.send(HttpRequest.newBuilder(URI.create(ElasticsearchFixture.url() + "/" + index + "/_doc/" + id)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, doc.statusCode(), doc.body());
        JsonObject source = new JsonObject(doc.body()).getJsonObject("_source");
        assertEquals("DPD", source.getString("agency"), "the owning agency comes from the camera registry");
        assertEquals("ABC1234", source.getString("plate_norm"));

        // an auditor sees the search: who, purpose, case number, outcome and the ids returned
        HttpResponse<String> audit = get(node.searchPort(), "/v1/audit?user=dpd.investigator&format=json", "Bearer demo-dpd-auditor");
        assertEquals(200, audit.statusCode(), audit.body());
        JsonArray records = new JsonObject(audit.body()).getJsonArray("records");
        JsonObject record = records.stream().map(JsonObject.class::cast)
                .filter(r -> auditId.equals(r.getString("audit_id"))).findFirst().orElseThrow(() -> new AssertionError(audit.body()));
        assertEquals("stolen_vehicle", record.getString("purpose"));
        assertEquals("DPD-2026-000123", record.getString("case_number"));
        assertEquals("allowed", record.getString("outcome"));
        assertEquals("static_token", record.getString("auth_method"));
        assertTrue(record.getJsonArray("read_ids").contains(hit.getString("read_id")));
        // the record keeps the body as sent and states the window and page size in fact used beside it
        assertFalse(record.getJsonObject("query").containsKey("from"), record.encode());
        assertEquals(window.getString("from"), record.getString("window_from"));
        assertEquals(window.getString("to"), record.getString("window_to"));
        assertEquals(100, record.getInteger("page_limit"));

        HttpResponse<String> verify = get(node.searchPort(), "/v1/audit/verify", "Bearer demo-dpd-auditor");
        assertEquals(200, verify.statusCode(), verify.body());
        assertTrue(new JsonObject(verify.body()).getBoolean("ok"), verify.body());
    }

    /** What holds plates or the audit trail is in directories other local accounts cannot enter. */
    @Test
    void theDirectoriesHoldingPlatesAndTheTrailAreOwnerOnly() throws Exception {
        for (String dir : List.of("spool", "deadletter", "audit", "run")) {
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                    java.nio.file.Files.getPosixFilePermissions(dataDir.resolve(dir))), dir);
        }
    }

    /**
     * The CLI's runs change the indices, so they go through the node's API and are audited under the
     * token's user (run straight against Elasticsearch they left no record); without a token they refuse.
     */
    @Test
    void cliRetentionAndCompactionRunsAreAuditedUnderTheTokensUser() throws Exception {
        Path tokenFile = dataDir.resolve("ops-token");
        java.nio.file.Files.writeString(tokenFile, "demo-dpd-ops\n");
        for (String[] run : new String[][] {{"retention-run", "retention_run"}, {"compaction-run", "compaction_run"}}) {
            int code = new picocli.CommandLine(new PlatewardenMain()).execute("ops", run[0], "--data-dir", dataDir.toString(),
                    "--token-file", tokenFile.toString());
            assertEquals(0, code, run[0]);
            HttpResponse<String> audit = get(node.searchPort(), "/v1/audit?user=dpd.ops&action=" + run[1] + "&format=json", "Bearer demo-dpd-auditor");
            assertEquals(200, audit.statusCode(), audit.body());
            JsonArray records = new JsonObject(audit.body()).getJsonArray("records");
            assertTrue(records.stream().map(JsonObject.class::cast).anyMatch(r -> "allowed".equals(r.getString("outcome"))), audit.body());
        }
        Path wrongToken = dataDir.resolve("investigator-token");
        java.nio.file.Files.writeString(wrongToken, "demo-dpd-investigator");
        assertEquals(1, new picocli.CommandLine(new PlatewardenMain()).execute("ops", "retention-run", "--data-dir", dataDir.toString(),
                "--token-file", wrongToken.toString()), "an investigator's token is refused (403), and that refusal is audited too");
        HttpResponse<String> refused = get(node.searchPort(), "/v1/audit?user=dpd.investigator&action=retention_run&format=json", "Bearer demo-dpd-auditor");
        assertTrue(new JsonObject(refused.body()).getJsonArray("records").stream().map(JsonObject.class::cast)
                .anyMatch(r -> "refused".equals(r.getString("outcome"))), refused.body());
    }

    @Test
    void mqttReadFromMosquittoPubBecomesSearchable() throws Exception {
        mosquittoPub("mqttv5", "1", "MQT-7788");
        JsonObject hit = searchUntilFound("MQT7788", "demo-dpd-investigator").getJsonArray("hits").getJsonObject(0);
        assertEquals("cam-002", hit.getString("camera_id"));
    }

    @Test
    void mosquittoPubQos0ReadBecomesSearchable() throws Exception {
        mosquittoPub("mqttv311", "0", "QZR-0001");
        // QoS 0 has no acknowledgement, so this only shows the read is not lost on a healthy path
        assertEquals("cam-002", searchUntilFound("QZR0001", "demo-dpd-investigator").getJsonArray("hits").getJsonObject(0).getString("camera_id"));
    }

    /** Publishes one read of cam-002 with the independent Mosquitto client; it exits 0 only after a QoS 1 PUBACK. */
    private static void mosquittoPub(String version, String qos, String plate) throws Exception {
        Instant captured = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.MILLIS);
        String read = "{\"camera_id\":\"cam-002\",\"captured_at\":\"" + captured + "\",\"plate\":\"" + plate + "\"}";
        Process pub = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(node.mqttPort()),
                "-V", version, "-q", qos, "-i", "e2e-" + plate, "-u", "cam-002", "-P", "demo-cam-002",
                "-t", "platewarden/reads/cam-002", "-m", read).redirectErrorStream(true).start();
        assertTrue(pub.waitFor(30, TimeUnit.SECONDS), "mosquitto_pub did not finish");
        assertEquals(0, pub.exitValue(), new String(pub.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void connectedCamerasCountsConnectionsOnEveryEventLoop() throws Exception {
        // two gateway instances share the ports and Vert.x spreads connections over them: three
        // cameras land on both, and the one gauge must count all three
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            java.util.List<io.vertx.mqtt.MqttClient> clients = new java.util.ArrayList<>();
            for (String camera : java.util.List.of("cam-001", "cam-002", "cam-101")) {
                io.vertx.mqtt.MqttClient client = io.vertx.mqtt.MqttClient.create(vertx, new io.vertx.mqtt.MqttClientOptions()
                        .setClientId(camera + "-gauge").setUsername(camera).setPassword("demo-" + camera));
                client.connect(node.mqttPort(), "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                clients.add(client);
            }
            assertEquals(3.0, connectedCamerasEventually(3.0));
            for (io.vertx.mqtt.MqttClient client : clients) {
                client.disconnect().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            assertEquals(0.0, connectedCamerasEventually(0.0));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** The gateway's connected_cameras gauge once it equals {@code expected}, or its last value after 10 s. */
    private static double connectedCamerasEventually(double expected) throws Exception {
        double value = Double.NaN;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        do {
            HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.gatewayHttpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            value = metrics.body().lines().filter(l -> l.startsWith("platewarden_gateway_connected_cameras "))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(Double.NaN);
            if (value == expected) return value;
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return value;
    }

    @Test
    void mqttJsReadOverMqtt5BecomesSearchable() throws Exception {
        Path script = Path.of(System.getProperty("platewarden.repo.root", ".."), "gateway", "src", "test", "mqttjs");
        if (!script.resolve("node_modules/mqtt").toFile().isDirectory()) {
            String msg = "MQTT.js is not installed (cd " + script + " && npm ci)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError(msg);
            org.junit.jupiter.api.Assumptions.abort(msg);
        }
        Instant captured = Instant.now().minusSeconds(10).truncatedTo(ChronoUnit.MILLIS);
        JsonObject spec = new JsonObject().put("url", "mqtt://127.0.0.1:" + node.mqttPort()).put("username", "cam-101")
                .put("password", "demo-cam-101").put("protocolVersion", 5)
                .put("publishes", new JsonArray().add(new JsonObject().put("topic", "platewarden/reads/cam-101").put("qos", 1)
                        .put("payload", new JsonArray()
                                .add(new JsonObject().put("camera_id", "cam-101").put("captured_at", captured.toString()).put("plate", "JSM 4242"))
                                .add(new JsonObject().put("camera_id", "cam-101").put("captured_at", captured.toString()).put("plate", "X"))
                                .encode())));
        Process node = new ProcessBuilder("node", script.resolve("publish.js").toString(), spec.encode()).redirectErrorStream(true).start();
        assertTrue(node.waitFor(60, TimeUnit.SECONDS), "MQTT.js did not finish");
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, node.exitValue(), out);
        assertTrue(out.contains("\"event\":\"puback\""), out);
        assertTrue(out.contains("1 of 2"), "the PUBACK's reason string reports the refused read: " + out);
        // ACSO's read is visible to DPD (ACSO shares with DPD) ...
        JsonObject hit = searchUntilFound("JSM4242", "demo-dpd-investigator").getJsonArray("hits").getJsonObject(0);
        assertEquals("ACSO", hit.getString("agency"));
        // ... and the refused read is a dead letter ops can inspect, with its reason
        java.util.List<org.platewarden.core.deadletter.DeadLetter> letters;
        try (var store = new org.platewarden.core.deadletter.DeadLetterStore(dataDir.resolve("deadletter"))) {
            letters = store.readAll();
        }
        assertTrue(letters.stream().anyMatch(l -> "cam-101".equals(l.cameraId()) && l.reason().contains("plate_length")), letters.toString());
    }

    @Test
    void twoCamerasNumberingTheirReadsAlikeAreBothIndexedUnderTheirOwnIds() throws Exception {
        // cameras count their reads independently: the same read_id from two cameras on the same
        // day must not make the second read a conflict (dead-lettered, never searchable)
        Instant captured = Instant.now().minusSeconds(20).truncatedTo(ChronoUnit.MILLIS);
        for (String[] camera : new String[][] {{"cam-001", "RID 1001"}, {"cam-002", "RID 2001"}}) {
            HttpResponse<String> ingest = post(node.gatewayHttpPort(), "/v1/reads", basic(camera[0], "demo-" + camera[0]),
                    "{\"read_id\":\"1001\",\"camera_id\":\"%s\",\"captured_at\":\"%s\",\"plate\":\"%s\"}".formatted(camera[0], captured, camera[1]));
            assertEquals(202, ingest.statusCode(), ingest.body());
            assertEquals(1, new JsonObject(ingest.body()).getInteger("accepted"), ingest.body());
        }
        assertEquals("cam-001:1001", searchUntilFound("RID1001", "demo-dpd-investigator").getJsonArray("hits").getJsonObject(0).getString("read_id"));
        assertEquals("cam-002:1001", searchUntilFound("RID2001", "demo-dpd-investigator").getJsonArray("hits").getJsonObject(0).getString("read_id"));
        try (var store = new org.platewarden.core.deadletter.DeadLetterStore(dataDir.resolve("deadletter"))) {
            assertTrue(store.readAll().stream().noneMatch(l -> l.reason().contains("read_id")), store.readAll().toString());
        }
    }

    @Test
    void aReadStampedALittleAheadIsFoundAtOnceBySearchingTheDefaultWindow() throws Exception {
        // a camera whose clock runs two minutes fast: the ingest accepts it (future_skew_seconds,
        // 300) and a search for what was just seen must find it now, not in two minutes
        Instant ahead = Instant.now().plusSeconds(120).truncatedTo(ChronoUnit.MILLIS);
        HttpResponse<String> ingest = post(node.gatewayHttpPort(), "/v1/reads", basic("cam-001", "demo-cam-001"),
                "{\"camera_id\":\"cam-001\",\"captured_at\":\"%s\",\"plate\":\"FWD 2020\"}".formatted(ahead));
        assertEquals(202, ingest.statusCode(), ingest.body());
        assertEquals(1, new JsonObject(ingest.body()).getInteger("accepted"), ingest.body());
        JsonObject hit = searchUntilFound("FWD2020", "demo-dpd-investigator").getJsonArray("hits").getJsonObject(0);
        assertEquals(ahead.toString(), Instant.parse(hit.getString("captured_at")).toString());
    }

    @Test
    void readOlderThanRetentionIsRejectedWithAReasonAndNeverIndexed() throws Exception {
        Instant old = Instant.now().minus(30, ChronoUnit.DAYS);
        HttpResponse<String> ingest = post(node.gatewayHttpPort(), "/v1/reads", basic("cam-001", "demo-cam-001"), """
                [{"camera_id":"cam-001","captured_at":"%s","plate":"OLD 0001"},
                 {"camera_id":"cam-001","captured_at":"%s","plate":"NEW 0002"}]""".formatted(old, Instant.now().minusSeconds(5)));
        assertEquals(202, ingest.statusCode(), ingest.body());
        JsonObject ack = new JsonObject(ingest.body());
        assertEquals(1, ack.getInteger("accepted"));
        JsonObject rejection = ack.getJsonArray("rejected").getJsonObject(0);
        assertEquals(0, rejection.getInteger("index"));
        assertTrue(rejection.getString("reason").contains("retention"), rejection.encode());
        searchUntilFound("NEW0002", "demo-dpd-investigator");
        JsonObject none = search("OLD0001", "demo-dpd-investigator");
        assertEquals(0, none.getInteger("total"), none.encode());
    }

    @Test
    void federalTokenIsRefusedAndTheRefusalIsAudited() throws Exception {
        HttpResponse<String> refused = post(node.searchPort(), "/v1/search", "Bearer demo-fed-investigator",
                searchBody("ABC1234"));
        assertEquals(403, refused.statusCode(), refused.body());
        assertNotNull(new JsonObject(refused.body()).getString("audit_id"));
        HttpResponse<String> prohibited = post(node.searchPort(), "/v1/search", "Bearer demo-dpd-investigator",
                "{\"plate\":\"ABC1234\",\"purpose\":\"immigration_enforcement\",\"case_number\":\"X-1\"}");
        assertEquals(403, prohibited.statusCode(), prohibited.body());
        HttpResponse<String> audit = get(node.searchPort(), "/v1/audit?outcome=refused", "Bearer demo-dpd-auditor");
        String body = audit.body();
        assertTrue(body.contains("fed.investigator") && body.contains("immigration_enforcement"), body);
    }

    @Test
    void bothPortsServeHealthAndPrometheusMetricsWithJvmMemory() throws Exception {
        for (int port : new int[] {node.gatewayHttpPort(), node.searchPort()}) {
            HttpResponse<String> live = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, live.statusCode(), live.body());
            HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode(), ready.body());
            HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("jvm_memory_used_bytes{area=\"heap\""), "JVM heap gauge on port " + port);
        }
    }

    private static JsonObject searchUntilFound(String plate, String token) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonObject last = null;
        while (System.nanoTime() < deadline) {
            last = search(plate, token);
            if (last.getInteger("total", 0) > 0) return last;
            Thread.sleep(300);
        }
        throw new AssertionError("read " + plate + " not searchable within 60 s; last answer " + last);
    }

    private static JsonObject search(String plate, String token) throws Exception {
        HttpResponse<String> r = post(node.searchPort(), "/v1/search", "Bearer " + token, searchBody(plate));
        assertEquals(200, r.statusCode(), r.body());
        return new JsonObject(r.body());
    }

    private static String searchBody(String plate) {
        return "{\"plate\":\"" + plate + "\",\"purpose\":\"stolen_vehicle\",\"case_number\":\"DPD-2026-000123\"}";
    }

    private static String basic(String user, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> post(int port, String path, String authorization, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", authorization).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(int port, String path, String authorization) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", authorization).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
