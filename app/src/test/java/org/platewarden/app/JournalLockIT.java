package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.search.audit.AuditJournal;
import org.platewarden.testkit.ElasticsearchFixture;

/**
 * One writer per audit journal: a second search node on the same data dir and node_id is refused
 * at start-up with a message naming the journal, the first one goes on writing its chain, and once
 * it stops a new node takes the journal over. And {@code run/node.json} stays the running node's.
 */
class JournalLockIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

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
                {"node_id":"node-1","data_dir":"%s","index_prefix":"%s",
                 "gateway":{"host":"127.0.0.1","http_port":0,"mqtt_port":0},"search":{"host":"127.0.0.1","port":0}}"""
                .formatted(dataDir.toString().replace("\\", "/"), prefix));
    }

    private PlatewardenNode start(Set<Role> roles) throws Exception {
        PlatewardenNode node = new PlatewardenNode(config(), roles);
        node.start(ElasticsearchFixture.url(), 0);
        nodes.add(node);
        return node;
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer demo-dpd-auditor").GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode verify(int port) throws Exception {
        HttpResponse<String> answer = get(port, "/v1/audit/verify");
        assertEquals(200, answer.statusCode(), answer.body());
        return Json.MAPPER.readTree(answer.body());
    }

    @Test
    void aSecondSearchNodeOnTheSameJournalIsRefusedAndTheFirstGoesOn() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("jlock");
        PlatewardenNode first = start(EnumSet.of(Role.SEARCH));
        assertTrue(verify(first.searchPort()).path("ok").asBoolean());
        Path journal = AuditJournal.pathFor(dataDir, "node-1");

        PlatewardenNode second = new PlatewardenNode(config(), EnumSet.of(Role.SEARCH));
        Exception refused = assertThrows(Exception.class, () -> second.start(ElasticsearchFixture.url(), 0));
        String message = StartupFailure.describe(refused, config(), 0);
        assertEquals("the data directory " + dataDir.toAbsolutePath().normalize() + " is in use by another Platewarden (pid "
                + ProcessHandle.current().pid() + "): it holds the audit journal of node_id node-1 (" + AuditJournal.lockFileOf(journal)
                + "); stop it first, or give this node its own node_id or data dir", message);

        // the first node's chain goes on, alone: each verify is audited once it has run
        JsonNode after = verify(first.searchPort());
        assertTrue(after.path("ok").asBoolean(), after.toString());
        assertEquals(1, after.path("records").asLong(), after.toString());
        JsonNode run = Json.MAPPER.readTree(dataDir.resolve("run").resolve("node.json").toFile());
        assertEquals(first.searchPort(), run.path("search_port").asInt(), "node.json still names the running node");

        nodes.remove(first);
        first.close();
        PlatewardenNode third = start(EnumSet.of(Role.SEARCH));
        JsonNode resumed = verify(third.searchPort());
        assertTrue(resumed.path("ok").asBoolean(), resumed.toString());
        assertEquals(2, resumed.path("records").asLong(), "the new node continues the same chain: " + resumed);
        assertEquals(third.searchPort(), Json.MAPPER.readTree(dataDir.resolve("run").resolve("node.json").toFile()).path("search_port").asInt());
    }

    @Test
    void aNodeWithOtherRolesOnTheSameDataDirLeavesTheRunFileToTheRunningNode() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("jlock");
        PlatewardenNode search = start(EnumSet.of(Role.SEARCH));
        Path runFile = dataDir.resolve("run").resolve("node.json");
        String written = Files.readString(runFile);

        PlatewardenNode gateway = start(EnumSet.of(Role.GATEWAY)); // its own lock (the spool's): it runs
        assertTrue(gateway.gatewayHttpPort() > 0);
        assertEquals(written, Files.readString(runFile), "the search node's node.json is kept");
        assertEquals(search.searchPort(), Json.MAPPER.readTree(runFile.toFile()).path("search_port").asInt());
    }
}
