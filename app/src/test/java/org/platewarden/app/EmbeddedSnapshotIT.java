package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.es.EmbeddedElasticsearch;
import org.platewarden.testkit.ElasticsearchFixture;

/**
 * The embedded Elasticsearch can back up an index with an {@code fs} snapshot repository under its
 * {@code path.repo} ({@code <base>/snapshots}) and restore it: the backup docs/audit.md ("The audit
 * index") tells ops to take of the never-deleted audit index. Runs against the shared test node, which
 * {@code ./platewarden test} and CI start from the embedded distribution (there a missing
 * {@code path.repo} fails it); an existing cluster given by {@code ES_URL} without a {@code path.repo}
 * is skipped (a cluster of one's own has its own).
 */
class EmbeddedSnapshotIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static String url;
    static String prefix;
    static String repo;

    @BeforeAll
    static void setUp() {
        url = ElasticsearchFixture.url();
        prefix = ElasticsearchFixture.uniquePrefix("snapshot");
        repo = prefix + "-repo";
    }

    @AfterAll
    static void tearDown() throws Exception {
        send("DELETE", "/_snapshot/" + repo + "/audit-copy", null);
        send("DELETE", "/_snapshot/" + repo, null);
        ElasticsearchFixture.deletePrefix(prefix);
    }

    @Test
    void anAuditIndexIsSnapshotAndRestoredThroughTheNodesPathRepo() throws Exception {
        String pathRepo = pathRepo();
        if (ElasticsearchFixture.embedded()) {
            assertNotNull(pathRepo, "the embedded node has no path.repo: it cannot take fs snapshots");
        } else {
            Assumptions.assumeTrue(pathRepo != null, "the cluster at ES_URL has no path.repo (not the embedded node)");
        }
        assertTrue(pathRepo.endsWith("/" + EmbeddedElasticsearch.SNAPSHOTS_DIR), "the embedded node's path.repo: " + pathRepo);

        String index = prefix + "-audit";
        for (int i = 1; i <= 3; i++) {
            assertEquals(201, send("PUT", "/" + index + "/_create/rec-" + i + "?refresh=true",
                    "{\"audit_id\":\"rec-" + i + "\",\"seq\":" + i + "}").statusCode());
        }
        HttpResponse<String> registered = send("PUT", "/_snapshot/" + repo,
                "{\"type\":\"fs\",\"settings\":{\"location\":\"" + pathRepo + "/" + prefix + "\"}}");
        assertEquals(200, registered.statusCode(), registered.body());
        HttpResponse<String> taken = send("PUT", "/_snapshot/" + repo + "/audit-copy?wait_for_completion=true",
                "{\"indices\":\"" + index + "\",\"include_global_state\":false}");
        assertEquals(200, taken.statusCode(), taken.body());
        assertEquals("SUCCESS", JSON.readTree(taken.body()).path("snapshot").path("state").asText(), taken.body());

        // the index lost, as in a disaster; the snapshot brings back every record
        assertEquals(200, send("DELETE", "/" + index, null).statusCode());
        HttpResponse<String> restored = send("POST", "/_snapshot/" + repo + "/audit-copy/_restore?wait_for_completion=true",
                "{\"indices\":\"" + index + "\",\"include_global_state\":false}");
        assertEquals(200, restored.statusCode(), restored.body());
        send("POST", "/" + index + "/_refresh", null);
        JsonNode count = JSON.readTree(send("GET", "/" + index + "/_count", null).body());
        assertEquals(3, count.path("count").asInt(), count.toString());
        assertEquals(200, send("GET", "/" + index + "/_doc/rec-2", null).statusCode());
    }

    /** The node's {@code path.repo}, or null when it has none. */
    private static String pathRepo() throws IOException, InterruptedException {
        JsonNode nodes = JSON.readTree(send("GET", "/_nodes/settings?filter_path=nodes.*.settings.path.repo", null).body()).path("nodes");
        Iterator<JsonNode> each = nodes.elements();
        if (!each.hasNext()) return null;
        JsonNode repoSetting = each.next().path("settings").path("path").path("repo");
        if (repoSetting.isArray()) return repoSetting.size() == 0 ? null : repoSetting.get(0).asText();
        return repoSetting.isMissingNode() ? null : repoSetting.asText();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
