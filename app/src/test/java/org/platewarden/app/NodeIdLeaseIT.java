package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.elasticsearch.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.search.audit.AuditJournal;
import org.platewarden.testkit.ElasticsearchFixture;
import org.platewarden.testkit.LogCapture;

/**
 * Two search nodes started with one node_id on different data directories (so the journal's file
 * lock does not see them): the second is refused while the first's lease is live, and its journal
 * gets none of the first's chain (it used to take the chain from the index and go on from the same
 * head: a fork). A crashed node restarting on its own data directory takes its lease back at once; a
 * node on another one takes over an expired lease, and the old holder's late release leaves it be.
 */
class NodeIdLeaseIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path first;
    @TempDir
    Path second;
    private String prefix;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : closing) c.close();
        if (prefix != null) ElasticsearchFixture.deletePrefix(prefix);
    }

    private PlatewardenConfig config(Path dataDir) {
        return config("node-1", "", dataDir);
    }

    /** {@code auditNodes}: the list's items as JSON, e.g. {@code "node-1","node-2"}. */
    private PlatewardenConfig config(String nodeId, String auditNodes, Path dataDir) {
        return PlatewardenConfig.demoConfig().with("""
                {"node_id":"%s","audit_nodes":[%s],"data_dir":"%s","index_prefix":"%s",
                 "gateway":{"host":"127.0.0.1","http_port":0,"mqtt_port":0},"search":{"host":"127.0.0.1","port":0}}"""
                .formatted(nodeId, auditNodes, dataDir.toString().replace("\\", "/"), prefix));
    }

    private PlatewardenNode start(Path dataDir) throws Exception {
        return start(config(dataDir));
    }

    private PlatewardenNode start(PlatewardenConfig config) throws Exception {
        PlatewardenNode node = new PlatewardenNode(config, EnumSet.of(Role.SEARCH));
        closing.add(node);
        node.start(ElasticsearchFixture.url(), 0);
        return node;
    }

    private static JsonNode verify(int port) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/audit/verify"))
                .header("Authorization", "Bearer demo-dpd-auditor").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        return Json.MAPPER.readTree(answer.body());
    }

    @Test
    void aSecondLiveNodeWithTheSameNodeIdIsRefusedAndTakesNoneOfTheChain() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("nodelease");
        PlatewardenNode one = start(first);
        assertTrue(verify(one.searchPort()).path("ok").asBoolean());

        PlatewardenNode two = new PlatewardenNode(config(second), EnumSet.of(Role.SEARCH));
        closing.add(two);
        Exception refused = assertThrows(Exception.class, () -> two.start(ElasticsearchFixture.url(), 0));
        String message = StartupFailure.describe(refused, config(second), 0);
        assertTrue(message.startsWith("node_id node-1 is in use by another live search node (host "), message);
        assertTrue(message.contains("data dir " + first.toAbsolutePath().normalize()), message);
        assertTrue(message.contains("would fork its audit chain"), message);
        String publicly = StartupFailure.describePublicly(refused, config(second), ElasticsearchFixture.url());
        assertFalse(publicly.contains(first.toString()), "the public readiness names no other node's directory: " + publicly);
        Path journal = AuditJournal.pathFor(second, "node-1");
        assertTrue(!Files.exists(journal) || Files.readString(journal).isBlank(), "the refused node took none of the chain");

        JsonNode alone = verify(one.searchPort());
        assertTrue(alone.path("ok").asBoolean(), "the first node's chain is not forked: " + alone);

        // a clean stop lets the id go at once: the node on the other data directory takes the chain over
        closing.remove(one);
        one.close();
        PlatewardenNode three = start(second);
        JsonNode continued = verify(three.searchPort());
        assertTrue(continued.path("ok").asBoolean(), continued.toString());
        assertEquals(3, continued.path("records").asLong(), "one chain, continued: " + continued);
    }

    @Test
    void aCrashedNodesLeaseIsItsOwnAtOnceAndAnothersOnceExpired() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("nodelease");
        ElasticsearchConnection es = new ElasticsearchConnection(ElasticsearchFixture.url());
        closing.add(es);
        Duration never = Duration.ofHours(1);
        // a node that "crashed": its lease is neither renewed nor released
        NodeIdLease crashed = NodeIdLease.acquire(es.rest(), config(first), Clock.systemUTC(), NodeIdLease.TTL, never);
        NodeIdLease restarted = NodeIdLease.acquire(es.rest(), config(first), Clock.systemUTC(), NodeIdLease.TTL, never);
        closing.add(restarted);

        assertThrows(NodeIdLease.NodeIdInUseException.class,
                () -> NodeIdLease.acquire(es.rest(), config(second), Clock.systemUTC(), NodeIdLease.TTL, never));
        Clock afterExpiry = Clock.offset(Clock.systemUTC().withZone(ZoneOffset.UTC), NodeIdLease.TTL.plusSeconds(1));
        NodeIdLease elsewhere = NodeIdLease.acquire(es.rest(), config(second), afterExpiry, NodeIdLease.TTL, never);
        closing.add(elsewhere);

        // the earlier holders' releases come too late: the lease stays with the node that took it over
        crashed.close();
        restarted.close();
        JsonNode lease = Json.MAPPER.readTree(es.rest().performRequest(new Request("GET", "/" + prefix + "-nodes/_doc/node-1"))
                .getEntity().getContent());
        assertEquals(second.toAbsolutePath().normalize().toString(), lease.path("_source").path("data_dir").asText(), lease.toString());
    }

    @Test
    void aSearchNodeThatTheLiveNodesAuditNodesDoNotNameIsRefused() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("nodelease");
        PlatewardenNode one = start(config("node-1", "", first));

        PlatewardenConfig added = config("node-2", "\"node-1\",\"node-2\"", second);
        PlatewardenNode two = new PlatewardenNode(added, EnumSet.of(Role.SEARCH));
        closing.add(two);
        Exception refused = assertThrows(Exception.class, () -> two.start(ElasticsearchFixture.url(), 0));
        String message = StartupFailure.describe(refused, added, 0);
        assertTrue(message.startsWith("audit_nodes disagree: live search node(s) node-1 do not list this node (node-2) in their"
                + " audit_nodes: "), message);

        // the order the guide gives: the running node first, then the new one; both verify the same trail
        closing.remove(one);
        one.close();
        one = start(config("node-1", "\"node-1\",\"node-2\"", first));
        PlatewardenNode three = start(added);
        assertTrue(verify(three.searchPort()).path("ok").asBoolean());
        JsonNode onOne = verify(one.searchPort());
        assertTrue(onOne.path("ok").asBoolean(), "node-2's chain is one of the trail's on node-1 too: " + onOne);
    }

    @Test
    void aHolderThatStalledPastItsLeaseDoesNotTakeItBackAndSaysTwoNodesShareTheId() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("nodelease");
        ElasticsearchConnection es = new ElasticsearchConnection(ElasticsearchFixture.url());
        closing.add(es);
        Clock late = Clock.offset(Clock.systemUTC().withZone(ZoneOffset.UTC), NodeIdLease.TTL.plusSeconds(1));
        List<String> lines;
        try (LogCapture log = new LogCapture()) {
            // renews often; another data directory's node finds it expired (its clock says so) and takes over
            NodeIdLease stalled = NodeIdLease.acquire(es.rest(), config(first), Clock.systemUTC(), NodeIdLease.TTL, Duration.ofMillis(100));
            closing.add(stalled);
            NodeIdLease taker = NodeIdLease.acquire(es.rest(), config(second), late, NodeIdLease.TTL, Duration.ofHours(1));
            closing.add(taker);
            Thread.sleep(600); // several of the stalled holder's renewals
            lines = log.lines();
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("ERROR org.platewarden.app.NodeIdLease - the lease of node_id node-1 is held by"
                + " another node")), String.join("\n", lines));
        JsonNode lease = Json.MAPPER.readTree(es.rest().performRequest(new Request("GET", "/" + prefix + "-nodes/_doc/node-1"))
                .getEntity().getContent());
        assertEquals(second.toAbsolutePath().normalize().toString(), lease.path("_source").path("data_dir").asText(),
                "the stalled holder's renewals did not take it back: " + lease);
    }
}
