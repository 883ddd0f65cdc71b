package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.app.NodeHttp.basic;
import static org.platewarden.app.NodeHttp.get;
import static org.platewarden.app.NodeHttp.post;
import static org.platewarden.app.NodeHttp.searchUntilFound;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.io.LockFile;
import org.platewarden.search.audit.AuditJournal;
import org.platewarden.testkit.ElasticsearchFixture;
import org.platewarden.testkit.HangingProxy;
import org.platewarden.testkit.PortProbe;

/**
 * Once Elasticsearch answers, a start of the search API refused by a condition of the cluster —
 * here a write block on the audit index, as the flood-stage disk watermark puts one, which refuses
 * the audit trail's recovery the journal's records it must re-send — is tried again by itself on a
 * node whose gateway goes on taking reads: 8081's readiness says it failed, why and when the next
 * attempt is; each failed attempt lets go of what it started (the journal's lock, its writer); once
 * the block is lifted the search API starts without a restart, and a read taken meanwhile is found.
 * A stop during the back-off ends it at once.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RoleStartRetryIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String NODE_ID = "rsretry";
    private static final String FAILURES = "platewarden_node_role_start_failures_total";

    @TempDir
    Path dataDir;
    private String prefix;
    private final List<PlatewardenNode> nodes = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        nodes.forEach(PlatewardenNode::close);
        if (prefix != null) ElasticsearchFixture.deletePrefix(prefix);
    }

    private PlatewardenConfig config() {
        return PlatewardenConfig.demoConfig().with("""
                {"node_id":"%s","data_dir":"%s","index_prefix":"%s",
                 "gateway":{"host":"127.0.0.1","http_port":0,"mqtt_port":0},"search":{"host":"127.0.0.1","port":0},
                 "indexer":{"bulk_max_wait_ms":50}}"""
                .formatted(NODE_ID, dataDir.toString().replace("\\", "/"), prefix));
    }

    @Test
    void aSearchApiRefusedByAWriteBlockStartsByItselfOnceTheBlockIsLifted() throws Exception {
        auditIndexWriteBlockedWithRecordsToResend();
        PlatewardenNode node = open(new PlatewardenNode(config(), EnumSet.allOf(Role.class)));

        JsonObject failing = awaitFailures(node, 2); // tried again, and refused again while the block stays
        String reason = failing.getString("reason");
        assertTrue(reason.startsWith("the search API could not start (attempt "), reason);
        assertTrue(reason.contains("cluster_block_exception"), "why: " + reason);
        assertTrue(reason.contains("the start is retried; next attempt at "), "retried, and when: " + reason);
        URI es = URI.create(ElasticsearchFixture.url());
        assertFalse(reason.contains(es.getHost() + ":" + es.getPort()), "readiness is public: it does not say where Elasticsearch is: " + reason);
        assertEquals(200, get(node.searchPort(), "/health/live", null).statusCode());
        assertFalse(node.elasticsearchRoles().isDone(), "a node with the gateway does not give up");
        // between attempts the failed one holds nothing: the journal's lock is free, its writer gone
        try (LockFile free = LockFile.tryAcquire(AuditJournal.lockFileOf(AuditJournal.pathFor(dataDir, NODE_ID)))) {
            assertNotNull(free, "the journal's lock is let go between attempts");
        }
        assertEquals(List.of(), auditWriters(), "no audit writer thread is left running");

        // the gateway takes reads meanwhile (and 8080 stays ready)
        Instant captured = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
        HttpResponse<String> ingest = post(node.gatewayHttpPort(), "/v1/reads", basic("cam-001", "demo-cam-001"),
                "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + captured + "\",\"plate\":\"RSR 4001\"}");
        assertEquals(202, ingest.statusCode(), ingest.body());
        assertEquals(200, get(node.gatewayHttpPort(), "/health/ready", null).statusCode());

        // the block is lifted (as Elasticsearch does once the disk has room): the next attempt starts the search API
        es("PUT", "/" + prefix + "-audit/_settings", "{\"index.blocks.write\":null}");
        node.elasticsearchRoles().get(150, TimeUnit.SECONDS);
        HttpResponse<String> ready = get(node.searchPort(), "/health/ready", null);
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals("cam-001", searchUntilFound(node, "RSR4001").getString("camera_id"));
        double failures = labelled(node.gatewayHttpPort(), FAILURES, "search");
        assertTrue(failures >= 2, "each failed attempt counted: " + failures);
        assertEquals(0.0, labelled(node.gatewayHttpPort(), FAILURES, "indexer"), "the indexer started at once, and ran meanwhile");
        // the chain is whole: the records the failed attempts could not re-send are in the index now
        HttpResponse<String> verify = get(node.searchPort(), "/v1/audit/verify", "Bearer demo-dpd-auditor");
        assertEquals(200, verify.statusCode(), verify.body());
        assertTrue(new JsonObject(verify.body()).getBoolean("ok"), verify.body());
    }

    /**
     * The journal locked by another writer when the search API starts (here the test holds its lock,
     * taken once the node's start-up check let it through, while Elasticsearch does not answer yet):
     * refused and retried; once the lock is let go the next attempt takes it, and holds it alone.
     */
    @Test
    void aSearchApiWhoseJournalIsLockedStartsOnceTheLockIsLetGo() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("rsretry");
        try (HangingProxy es = new HangingProxy(ElasticsearchFixture.url())) {
            es.refuse(true);
            PlatewardenNode node = new PlatewardenNode(config(), EnumSet.allOf(Role.class));
            nodes.add(node);
            node.open(es.url(), 0);
            Path lockFile = AuditJournal.lockFileOf(AuditJournal.pathFor(dataDir, NODE_ID));
            LockFile held = LockFile.tryAcquire(lockFile);
            assertNotNull(held);
            try {
                es.refuse(false);
                String reason = awaitFailures(node, 1).getString("reason");
                assertTrue(reason.contains("is in use by another process"), reason);
                assertFalse(reason.contains(URI.create(es.url()).getHost() + ":" + URI.create(es.url()).getPort()), reason);
                Instant captured = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
                assertEquals(202, post(node.gatewayHttpPort(), "/v1/reads", basic("cam-002", "demo-cam-002"),
                        "{\"camera_id\":\"cam-002\",\"captured_at\":\"" + captured + "\",\"plate\":\"RSR 4002\"}").statusCode());
            } finally {
                held.close();
            }
            node.elasticsearchRoles().get(150, TimeUnit.SECONDS);
            assertEquals(200, get(node.searchPort(), "/health/ready", null).statusCode());
            assertEquals("cam-002", searchUntilFound(node, "RSR4002").getString("camera_id"));
            try (LockFile again = LockFile.tryAcquire(lockFile)) {
                assertEquals(null, again, "the running search API holds the journal's lock");
            }
        }
    }

    @Test
    void aStopDuringTheBackOffEndsItAtOnceAndLeavesNothingHeld() throws Exception {
        auditIndexWriteBlockedWithRecordsToResend();
        // a back-off far longer than the test: a stop that waited it out would time the test out
        PlatewardenNode node = open(new PlatewardenNode(config(), EnumSet.allOf(Role.class)).roleStartBackoff(600_000, 600_000));
        awaitFailures(node, 1);
        int searchPort = node.searchPort();
        int gatewayPort = node.gatewayHttpPort();

        node.close();
        assertTrue(node.elasticsearchRoles().isCancelled());
        PortProbe.awaitRefused(searchPort, 5);
        PortProbe.awaitRefused(gatewayPort, 5);
        try (LockFile free = LockFile.tryAcquire(AuditJournal.lockFileOf(AuditJournal.pathFor(dataDir, NODE_ID)))) {
            assertNotNull(free);
        }
        assertEquals(List.of(), auditWriters());
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("platewarden-elasticsearch-roles")),
                "the thread that starts the roles ended");
    }

    /**
     * A search node writes the chain's first records (into its journal and the audit index) and
     * stops; the audit index is then made anew, empty and write-blocked: the next start must
     * re-send the journal's records to it, and is refused.
     */
    private void auditIndexWriteBlockedWithRecordsToResend() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("rsretry");
        PlatewardenNode first = new PlatewardenNode(config(), EnumSet.of(Role.SEARCH));
        nodes.add(first);
        first.start(ElasticsearchFixture.url(), 0);
        HttpResponse<String> verify = get(first.searchPort(), "/v1/audit/verify", "Bearer demo-dpd-auditor");
        assertEquals(200, verify.statusCode(), verify.body());
        first.close();
        nodes.remove(first);
        es("DELETE", "/" + prefix + "-audit", null);
        es("PUT", "/" + prefix + "-audit", "{\"settings\":{\"index.blocks.write\":true}}");
    }

    private PlatewardenNode open(PlatewardenNode node) throws Exception {
        nodes.add(node);
        return node.open(ElasticsearchFixture.url(), 0);
    }

    /** Waits until readiness reports {@code attempts} failed attempts; returns its answer. */
    private static JsonObject awaitFailures(PlatewardenNode node, int attempts) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> ready = get(node.searchPort(), "/health/ready", null);
            last = ready.body();
            assertEquals(503, ready.statusCode(), last);
            assertFalse(node.elasticsearchRoles().isCompletedExceptionally(), "the start was given up, not retried; readiness: " + last);
            if (failuresScraped(node.searchPort()) >= attempts && last.contains("next attempt at")) return new JsonObject(last);
            Thread.sleep(200);
        }
        throw new AssertionError("not " + attempts + " failed attempts within 120 s; readiness: " + last);
    }

    /** The search API's failed attempts, 0 while none is scraped. */
    private static double failuresScraped(int port) throws Exception {
        try {
            return labelled(port, FAILURES, "search");
        } catch (AssertionError notScraped) {
            return 0;
        }
    }

    /** The sample of {@code name} whose role label is {@code role}. */
    private static double labelled(int port, String name, String role) throws Exception {
        String body = get(port, "/metrics", null).body();
        return body.lines().filter(l -> l.startsWith(name + "{") && l.contains("role=\"" + role + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(name + "{role=" + role + "} not scraped"));
    }

    private static List<String> auditWriters() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> alive;
        do {
            alive = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                    .filter(n -> n.equals("audit-writer-" + NODE_ID)).toList();
            if (alive.isEmpty()) return alive;
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return alive;
    }

    private static void es(String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(ElasticsearchFixture.url() + path)).header("Content-Type", "application/json");
        request.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(answer.statusCode() == 200, method + " " + path + ": " + answer.statusCode() + " " + answer.body());
    }
}
