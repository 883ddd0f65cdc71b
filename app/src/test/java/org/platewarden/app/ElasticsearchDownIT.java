package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.app.NodeHttp.basic;
import static org.platewarden.app.NodeHttp.get;
import static org.platewarden.app.NodeHttp.metric;
import static org.platewarden.app.NodeHttp.post;
import static org.platewarden.app.NodeHttp.searchBody;
import static org.platewarden.app.NodeHttp.searchUntilFound;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.testkit.ElasticsearchFixture;
import org.platewarden.testkit.PortProbe;

/**
 * A node started while Elasticsearch does not answer (a crash, deploy or config change during an
 * outage): the gateway takes reads at once — HTTP 202 and MQTT PUBACK, each after fsync into the
 * spool — while the indexer and search API wait, 8081's readiness saying so; once Elasticsearch
 * answers they start by themselves and the reads taken meanwhile become searchable. A node that
 * is stopped while it waits stops at once.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // a start that waited for Elasticsearch would hang here, not fail
class ElasticsearchDownIT {
    @TempDir
    Path dataDir;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private String prefix;

    @AfterEach
    void cleanUp() throws Exception {
        // the node first: its search API writes its last records while Elasticsearch is still reachable
        for (AutoCloseable c : toClose) c.close();
        if (prefix != null) ElasticsearchFixture.deletePrefix(prefix);
    }

    private PlatewardenNode open(Set<Role> roles, String esUrl) throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("esdown");
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with("""
                {"node_id":"esdown","data_dir":"%s","index_prefix":"%s",
                 "gateway":{"host":"127.0.0.1","http_port":0,"mqtt_port":0},
                 "search":{"host":"127.0.0.1","port":0},
                 "indexer":{"bulk_max_wait_ms":50}}""".formatted(dataDir.toString().replace("\\", "/"), prefix));
        PlatewardenNode node = new PlatewardenNode(config, roles);
        toClose.add(node);
        return node.open(esUrl, 0);
    }

    @Test
    void everyRoleStartedWithoutElasticsearchTakesReadsAndTheRestStartsOnceItAnswers() throws Exception {
        int esPort = freePort(); // nothing listens there yet: connections are refused
        PlatewardenNode node = open(EnumSet.allOf(Role.class), "http://127.0.0.1:" + esPort);

        // the gateway acknowledges reads: HTTP 202 and an MQTT QoS 1 PUBACK, each after the spool's fsync
        Instant captured = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
        HttpResponse<String> ingest = post(node.gatewayHttpPort(), "/v1/reads", basic("cam-001", "demo-cam-001"),
                "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + captured + "\",\"plate\":\"ESD 1001\",\"plate_confidence\":0.9}");
        assertEquals(202, ingest.statusCode(), ingest.body());
        assertEquals(1, new JsonObject(ingest.body()).getInteger("accepted"));
        publishQos1("cam-002", "{\"camera_id\":\"cam-002\",\"captured_at\":\"" + captured + "\",\"plate\":\"ESD 1002\"}", node.mqttPort());
        // 8080's readiness keeps its meaning: the spool is writable
        assertEquals(200, get(node.gatewayHttpPort(), "/health/ready", null).statusCode());

        // 8081 is open and says it is not ready, and why; everything else there is 503, to be retried
        HttpResponse<String> ready = get(node.searchPort(), "/health/ready", null);
        assertEquals(503, ready.statusCode(), ready.body());
        JsonObject readiness = new JsonObject(ready.body());
        assertEquals("not_ready", readiness.getString("status"));
        assertTrue(readiness.getString("reason").startsWith("waiting for Elasticsearch"), ready.body());
        assertFalse(ready.body().contains(Integer.toString(esPort)), "readiness is public: it does not say where Elasticsearch is");
        assertEquals(200, get(node.searchPort(), "/health/live", null).statusCode());
        HttpResponse<String> refused = post(node.searchPort(), "/v1/search", "Bearer demo-dpd-investigator", searchBody("ESD1001"));
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("5", refused.headers().firstValue("Retry-After").orElse(null));
        assertTrue(metric(node.searchPort(), "platewarden_node_elasticsearch_wait_seconds") > 0);
        assertFalse(node.elasticsearchRoles().isDone());
        assertEquals(null, node.templates(), "nothing was installed");
        // what run prints meanwhile: where it waits, and only the samples that work now
        String banner = Banner.starting(node);
        assertTrue(banner.contains("Platewarden is taking reads; waiting for Elasticsearch"), banner);
        assertTrue(banner.contains("http://127.0.0.1:" + esPort + "  (ES_URL): not answering yet"), banner);
        assertTrue(banner.contains("the indexer and search API start once it answers"), banner);
        assertTrue(banner.contains("-u cam-001:demo-cam-001") && !banner.contains("Bearer demo-dpd-investigator"), banner);

        // Elasticsearch answers at that address now: the indexer and search API start by themselves
        TcpForwarder forwarder = new TcpForwarder(esPort, URI.create(ElasticsearchFixture.url()));
        toClose.add(forwarder);
        node.elasticsearchRoles().get(90, TimeUnit.SECONDS);
        assertEquals(200, get(node.searchPort(), "/health/ready", null).statusCode());
        assertEquals(0.0, metric(node.gatewayHttpPort(), "platewarden_node_elasticsearch_wait_seconds"));
        // the reads taken while it was down are indexed and found
        assertEquals("cam-001", searchUntilFound(node, "ESD1001").getString("camera_id"));
        assertEquals("cam-002", searchUntilFound(node, "ESD1002").getString("camera_id"));
    }

    /**
     * The gateway never talks to Elasticsearch (it writes the spool; an indexer ships it): a
     * gateway-only node with no ES_URL prepares, launches and waits for no embedded node — here a
     * distribution that would leave a mark if it were started — and its banner claims none.
     */
    @Test
    void aGatewayOnlyNodeUsesNoElasticsearchAtAll() throws Exception {
        Path started = dataDir.resolveSibling(dataDir.getFileName() + "-elasticsearch-started");
        PlatewardenNode node = withDistribution(fakeDistribution("touch '" + started + "'; exec sleep 600"),
                () -> open(EnumSet.of(Role.GATEWAY), null));
        // nothing to wait for: its roles run at once
        node.elasticsearchRoles().get(10, TimeUnit.SECONDS);
        assertFalse(node.usesElasticsearch());
        assertFalse(node.embeddedElasticsearch());
        Instant captured = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.MILLIS);
        HttpResponse<String> ingest = post(node.gatewayHttpPort(), "/v1/reads", basic("cam-001", "demo-cam-001"),
                "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + captured + "\",\"plate\":\"GWO 2001\"}");
        assertEquals(202, ingest.statusCode(), ingest.body());
        publishQos1("cam-002", "{\"camera_id\":\"cam-002\",\"captured_at\":\"" + captured + "\",\"plate\":\"GWO 2002\"}", node.mqttPort());
        assertEquals(200, get(node.gatewayHttpPort(), "/health/ready", null).statusCode());
        assertEquals(-1, node.searchPort());

        assertFalse(java.nio.file.Files.exists(dataDir.resolve("elasticsearch")), "no embedded node was prepared under the data dir");
        assertFalse(java.nio.file.Files.exists(started), "no Elasticsearch was launched");
        assertEquals(List.of(), ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains(dataDir.toString())).toList(), "no child process runs on the data dir");
        assertFalse(Json.MAPPER.readTree(dataDir.resolve("run").resolve("node.json").toFile()).has("es_url"),
                "CLI commands are not pointed at an Elasticsearch this node does not use");
        String banner = Banner.render(node);
        assertTrue(banner.contains("Elasticsearch  none on a gateway-only node"), banner);
        assertFalse(banner.contains("embedded") || banner.contains("http://127.0.0.1:9200"), banner);

        int port = node.gatewayHttpPort();
        node.close();
        PortProbe.awaitRefused(port, 5);
    }

    /** An ES_URL given to a gateway-only node is not waited for either, even where nothing answers. */
    @Test
    void aGatewayOnlyNodeDoesNotWaitForAnEsUrlThatDoesNotAnswer() throws Exception {
        PlatewardenNode node = open(EnumSet.of(Role.GATEWAY), "http://127.0.0.1:" + freePort());
        node.elasticsearchRoles().get(10, TimeUnit.SECONDS);
        assertEquals(null, node.elasticsearchUrl());
        assertEquals(0.0, metric(node.gatewayHttpPort(), "platewarden_node_elasticsearch_wait_seconds"));
        assertFalse(get(node.gatewayHttpPort(), "/metrics", null).body().contains("platewarden_embedded_elasticsearch_restarts_total"));
    }

    @Test
    void aNodeStoppedWhileItsSearchApiWaitsClosesTheSearchPortToo() throws Exception {
        PlatewardenNode node = open(EnumSet.of(Role.SEARCH), "http://127.0.0.1:" + freePort());
        int port = node.searchPort();
        assertEquals(503, get(port, "/health/ready", null).statusCode());
        long started = System.nanoTime();
        node.close();
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(15), "a node waiting for Elasticsearch stops without waiting for it");
        assertTrue(node.elasticsearchRoles().isCancelled());
        PortProbe.awaitRefused(port, 5);
    }

    /**
     * With the embedded node the gateway opens first, and takes reads while the node starts; one
     * that exits before it ever answered (here a stand-in distribution whose start script fails twice
     * as a failed bootstrap check does) is started again after a back-off, on the same port, 8081's
     * readiness saying so meanwhile; once it answers (the third start, which a forwarder to the test
     * cluster makes answer) the indexer and search API start, and the reads taken meanwhile are found.
     */
    @Test
    void anEmbeddedNodeThatExitsBeforeItAnswersIsStartedAgainAndTheRolesStartOnceItAnswers() throws Exception {
        Path zip = fakeDistribution(COUNT_RUNS + "if [ $n -le 2 ]; then echo 'bootstrap check failure [1] of [1]: fake'; exit 78; fi; exec sleep 600");
        PlatewardenNode node = withDistribution(zip, () -> open(EnumSet.allOf(Role.class), null));
        assertTrue(node.embeddedElasticsearch());
        Instant captured = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.MILLIS);
        HttpResponse<String> ingest = post(node.gatewayHttpPort(), "/v1/reads", basic("cam-001", "demo-cam-001"),
                "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + captured + "\",\"plate\":\"EMB 3001\"}");
        assertEquals(202, ingest.statusCode(), ingest.body());

        // a failed start is tried again: readiness says it failed, why, and that it is started again
        String reason = awaitReadinessReason(node, r -> r.contains("the embedded Elasticsearch could not start (attempt 2 failed at"));
        assertTrue(reason.contains(": exited with code 78 before it answered; the node's log says more); it is started again: "), reason);
        assertTrue(reason.contains("the indexer and search API start once it answers"), reason);
        int esPort = URI.create(node.elasticsearchUrl()).getPort();
        assertFalse(reason.contains(dataDir.toString()) || reason.contains(Integer.toString(esPort)), "readiness is public: " + reason);
        assertFalse(node.elasticsearchRoles().isDone(), "not given up");
        assertEquals(null, node.couldNotStart());
        // the gateway goes on taking reads into the spool
        HttpResponse<String> after = post(node.gatewayHttpPort(), "/v1/reads", basic("cam-001", "demo-cam-001"),
                "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + captured + "\",\"plate\":\"EMB 3002\"}");
        assertEquals(202, after.statusCode(), after.body());
        assertEquals(200, get(node.gatewayHttpPort(), "/health/ready", null).statusCode());

        // the third start runs: the forwarder on its port (the same each time) makes it answer
        Path runs = dataDir.resolve("elasticsearch").resolve("dist").resolve(zip.getFileName().toString().replace(".zip", "")).resolve("runs");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(java.nio.file.Files.exists(runs) && java.nio.file.Files.readString(runs).trim().equals("3")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals("3", java.nio.file.Files.readString(runs).trim(), "started a third time");
        assertEquals(2.0, metric(node.gatewayHttpPort(), "platewarden_embedded_elasticsearch_restarts_total"));
        toClose.add(new TcpForwarder(esPort, URI.create(ElasticsearchFixture.url())));
        node.elasticsearchRoles().get(90, TimeUnit.SECONDS);
        assertEquals(200, get(node.searchPort(), "/health/ready", null).statusCode());
        assertEquals("cam-001", searchUntilFound(node, "EMB3001").getString("camera_id"));
        assertEquals("cam-001", searchUntilFound(node, "EMB3002").getString("camera_id"));
    }

    /**
     * A node without the gateway has nothing to keep running: its embedded node exiting before it
     * answered ends its start (run exits with code 1, for its own supervisor to restart it), and
     * that node is not started again meanwhile.
     */
    @Test
    void aNodeWithoutTheGatewayGivesUpWhenItsEmbeddedNodeExitsBeforeItAnswers() throws Exception {
        Path zip = fakeDistribution(COUNT_RUNS + "echo 'bootstrap check failure [1] of [1]: fake'; exit 78");
        PlatewardenNode node = withDistribution(zip, () -> open(EnumSet.of(Role.INDEXER, Role.SEARCH), null));
        java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> node.elasticsearchRoles().get(60, TimeUnit.SECONDS));
        assertTrue(node.describe(failed.getCause()).contains("the embedded Elasticsearch exited with code 78 before it answered (its log: "),
                node.describe(failed.getCause()));
        assertEquals("the indexer and search API could not start", node.couldNotStart());
        Thread.sleep(2_000); // longer than the first back-off
        Path runs = dataDir.resolve("elasticsearch").resolve("dist").resolve(zip.getFileName().toString().replace(".zip", "")).resolve("runs");
        assertEquals("1", java.nio.file.Files.readString(runs).trim(), "not started again");
    }

    /**
     * While the embedded node is down between its failed starts, something else takes its port (here
     * a forwarder to the test cluster: another Elasticsearch): its relaunch is refused on that port,
     * readiness says so, and the roles do not start against what answers there in its place.
     */
    @Test
    void whatTakesTheEmbeddedNodesPortWhileItIsDownIsNotUsedInItsPlace() throws Exception {
        Path zip = fakeDistribution(COUNT_RUNS + "exit 78");
        PlatewardenNode node = withDistribution(zip, () -> open(EnumSet.allOf(Role.class), null));
        awaitReadinessReason(node, r -> r.contains("the embedded Elasticsearch could not start (attempt 1 failed at"));
        toClose.add(new TcpForwarder(URI.create(node.elasticsearchUrl()).getPort(), URI.create(ElasticsearchFixture.url())));

        String reason = awaitReadinessReason(node, r -> r.contains(": could not be started: its port on Elasticsearch is already in use"));
        // the wait tries every 0.5 s to 5 s: without the check it would have started the roles on the forwarder by now
        Thread.sleep(6_000);
        assertFalse(node.elasticsearchRoles().isDone(), reason);
        assertEquals(null, node.templates(), "no templates were installed on what answers in its place");
        assertEquals(503, get(node.searchPort(), "/health/ready", null).statusCode());
    }

    /** Counts the stand-in's runs in a file {@code runs} in its home (its working directory, its own also as the service user). */
    private static final String COUNT_RUNS = "n=$(cat runs 2>/dev/null || echo 0); n=$((n+1)); echo $n > runs; ";

    /** Polls 8081's readiness until its reason matches; returns that reason. */
    private static String awaitReadinessReason(PlatewardenNode node, java.util.function.Predicate<String> matches) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String reason = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> ready = get(node.searchPort(), "/health/ready", null);
            assertEquals(503, ready.statusCode(), ready.body());
            reason = new JsonObject(ready.body()).getString("reason");
            if (matches.test(reason)) return reason;
            Thread.sleep(50);
        }
        throw new AssertionError("readiness did not say so within 60 s; its last reason: " + reason);
    }

    /** A stop while the embedded node starts ends the wait and stops that node, without waiting for it to answer. */
    @Test
    void aStopWhileTheEmbeddedNodeStartsEndsBoth() throws Exception {
        PlatewardenNode node = withDistribution(fakeDistribution("exec sleep 600"), () -> open(EnumSet.allOf(Role.class), null));
        assertEquals(202, post(node.gatewayHttpPort(), "/v1/reads", basic("cam-001", "demo-cam-001"),
                "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + Instant.now().truncatedTo(ChronoUnit.MILLIS) + "\",\"plate\":\"EMB 3003\"}")
                .statusCode());
        // the embedded node was launched (after the gateway) and does not answer
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!get(node.searchPort(), "/health/ready", null).body().contains("waiting for Elasticsearch since") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(get(node.searchPort(), "/health/ready", null).body().contains("waiting for Elasticsearch since"));
        long started = System.nanoTime();
        node.close();
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(15), "the stop did not wait for the embedded node to answer");
        assertTrue(node.elasticsearchRoles().isCancelled());
    }

    private interface Opening {
        PlatewardenNode open() throws Exception;
    }

    /** Opens with {@code zip} as the embedded distribution (the property the build sets, restored after). */
    private static PlatewardenNode withDistribution(Path zip, Opening opening) throws Exception {
        String built = System.getProperty("platewarden.es.zip");
        System.setProperty("platewarden.es.zip", zip.toString());
        try {
            return opening.open();
        } finally {
            if (built == null) System.clearProperty("platewarden.es.zip");
            else System.setProperty("platewarden.es.zip", built);
        }
    }

    /** A distribution zip whose {@code bin/elasticsearch} runs {@code script} (sh). */
    private Path fakeDistribution(String script) throws IOException {
        Path zip = dataDir.resolveSibling(dataDir.getFileName() + "-fake-elasticsearch.zip");
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(zip))) {
            out.putNextEntry(new java.util.zip.ZipEntry("fake-elasticsearch/config/"));
            out.closeEntry();
            out.putNextEntry(new java.util.zip.ZipEntry("fake-elasticsearch/bin/elasticsearch"));
            out.write(("#!/bin/sh\n" + script + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        toClose.add(() -> java.nio.file.Files.deleteIfExists(zip));
        return zip;
    }

    /** Publishes one read with QoS 1 and returns once the PUBACK came. */
    private static void publishQos1(String camera, String read, int port) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            MqttClient client = MqttClient.create(vertx, new MqttClientOptions().setClientId(camera + "-esdown")
                    .setUsername(camera).setPassword("demo-" + camera));
            CompletableFuture<Integer> puback = new CompletableFuture<>();
            client.publishCompletionHandler(puback::complete);
            client.connect(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            int id = client.publish("platewarden/reads/" + camera, Buffer.buffer(read), MqttQoS.AT_LEAST_ONCE, false, false)
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(id, puback.get(10, TimeUnit.SECONDS), "the PUBACK of the read's PUBLISH");
            client.disconnect().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** A port nothing listens on (taken and let go: until the forwarder binds it, connections are refused). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    /** Listens on 127.0.0.1:{@code port} and copies each connection's bytes both ways to {@code target}. */
    private static final class TcpForwarder implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> sockets = new ArrayList<>();

        TcpForwarder(int port, URI target) throws IOException {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress("127.0.0.1", port));
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        Socket upstream = new Socket(target.getHost(), target.getPort());
                        synchronized (sockets) {
                            sockets.add(client);
                            sockets.add(upstream);
                        }
                        pump(client, upstream);
                        pump(upstream, client);
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "es-forwarder");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private static void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException closed) {
                    // either side went away
                } finally {
                    try {
                        from.close();
                        to.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
            }, "es-forwarder-pump");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (sockets) {
                for (Socket s : sockets) s.close();
            }
        }
    }
}
