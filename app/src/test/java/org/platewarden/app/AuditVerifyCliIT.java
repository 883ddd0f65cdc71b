package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.search.audit.AuditJournal;
import org.platewarden.search.audit.VerifyResult;
import org.platewarden.testkit.ElasticsearchFixture;

/**
 * {@code ./platewarden audit verify} as an auditor runs it: against the right data dir, a wrong one
 * (the journal is reported missing, exit 2, instead of an index-only "ok"), the index alone on
 * purpose, and a backup of the journal checked offline ({@code --journal}).
 */
class AuditVerifyCliIT {
    @TempDir
    Path dir;
    private String prefix;
    private final CliCapture capture = new CliCapture();
    private final StringWriter out = capture.out;
    private final StringWriter err = capture.err;

    @AfterEach
    void cleanUp() {
        ClusterAccess.environment = System::getenv;
        if (prefix != null) ElasticsearchFixture.deletePrefix(prefix);
    }

    private int cli(String... args) {
        return capture.run(args);
    }

    private JsonNode printed() throws Exception {
        return Json.MAPPER.readTree(out.toString());
    }

    /**
     * Runs a search node (node-1, on {@code dataDir} and the test's prefix) that writes three records
     * (each verify is audited: records of node-1 in journal and index), then hands its port to {@code beforeStopping};
     * returns the node's config overrides.
     */
    private String threeRecordsOfNode1(Path dataDir, java.util.function.IntConsumer beforeStopping) throws Exception {
        String overrides = """
                {"node_id":"node-1","data_dir":"%s","index_prefix":"%s","search":{"host":"127.0.0.1","port":0}}"""
                .formatted(dataDir.toString().replace("\\", "/"), prefix);
        try (PlatewardenNode node = new PlatewardenNode(PlatewardenConfig.demoConfig().with(overrides), EnumSet.of(Role.SEARCH))
                .start(ElasticsearchFixture.url(), 0)) {
            for (int i = 0; i < 3; i++) get(node.searchPort(), "/v1/audit/verify", "Bearer demo-dpd-auditor");
            beforeStopping.accept(node.searchPort());
        }
        return overrides;
    }

    /** A 200 answer's JSON body. */
    private static JsonNode get(int port, String path, String authorization) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
            if (authorization != null) request.header("Authorization", authorization);
            HttpResponse<String> answer = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            return Json.MAPPER.readTree(answer.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void verifyNamesAMissingJournalAndChecksABackupOffline() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("vcli");
        Path dataDir = dir.resolve("data");
        String overrides = threeRecordsOfNode1(dataDir, port -> { });
        ClusterAccess.environment = name -> name.equals("ES_URL") ? ElasticsearchFixture.url() : System.getenv(name);
        String config = Files.writeString(dir.resolve("config.json"), overrides).toString();

        assertEquals(0, cli("audit", "verify", "--demo", "--config", config), err.toString());
        assertEquals(3, printed().path("records").asLong(), out.toString());
        assertEquals(3, printed().path("heads").get(0).path("seq").asLong(), "the head is printed to be noted: " + out);

        // a wrong data dir (or node_id): the journal is named missing, not skipped
        Path wrong = dir.resolve("wrong");
        assertEquals(2, cli("audit", "verify", "--demo", "--config", config, "--data-dir", wrong.toString()));
        JsonNode missing = printed();
        assertFalse(missing.path("ok").asBoolean());
        assertEquals("missing", missing.path("journal").asText());
        assertEquals(3, missing.path("records_checked").asLong(), "the index was checked");
        assertEquals(AuditJournal.pathFor(wrong, "node-1").toAbsolutePath().normalize().toString(),
                missing.path("first_broken").path("journal_file").asText());
        assertTrue(err.toString().startsWith("ERROR: no audit journal of node node-1 at "), err.toString());
        assertEquals(0, cli("audit", "verify", "--demo", "--config", config, "--data-dir", wrong.toString(), "--index-only"));
        assertEquals(3, printed().path("records").asLong(), out.toString());
        assertEquals("not checked", printed().path("journal").asText(), out.toString());
        // on a machine without the node's data dir and without ES_URL: --es-url finds the index
        ClusterAccess.environment = name -> name.equals("ES_URL") ? null : System.getenv(name);
        assertEquals(0, cli("audit", "verify", "--demo", "--config", config, "--data-dir", wrong.toString(), "--index-only",
                "--es-url", ElasticsearchFixture.url()), err.toString());
        assertEquals(3, printed().path("records").asLong(), out.toString());
        ClusterAccess.environment = name -> name.equals("ES_URL") ? ElasticsearchFixture.url() : System.getenv(name);
        // a mistyped prefix has no audit index: not an empty, intact trail (a cron job pointed at it would pass for ever)
        String typo = Files.writeString(dir.resolve("typo.json"), overrides.replace(prefix, prefix + "-typo")).toString();
        assertEquals(2, cli("audit", "verify", "--demo", "--config", typo, "--index-only"), out.toString());
        assertTrue(err.toString().startsWith("ERROR: no audit index " + prefix + "-typo-audit in the cluster: check --config"), err.toString());

        // a backup, checked on its own in another directory: no Elasticsearch needed
        ClusterAccess.environment = name -> name.equals("ES_URL") ? "http://127.0.0.1:1" : System.getenv(name);
        Path backup = Files.copy(AuditJournal.pathFor(dataDir, "node-1"), Files.createDirectories(dir.resolve("backup")).resolve("node-1.ndjson"));
        assertEquals(0, cli("audit", "verify", "--journal", backup.toString()), err.toString());
        assertEquals(3, printed().path("records").asLong(), out.toString());
        assertEquals(backup.toAbsolutePath().normalize().toString(), printed().path("journal_file").asText());
        String text = Files.readString(backup);
        Files.writeString(backup, text.replaceFirst("\"seq\":2,", "\"seq\":2,\"edited\":true,"));
        assertEquals(3, cli("audit", "verify", "--journal", backup.toString()));
        assertEquals("journal record edited (hash mismatch)", printed().path("first_broken").path("problem").asText(), out.toString());
        assertEquals(2, printed().path("first_broken").path("journal_line").asLong());
        assertTrue(err.toString().startsWith("ERROR: the audit trail does not verify: 1 problem(s); the first: journal record edited"
                + " (hash mismatch) at seq 2 of node node-1"), "a broken chain says so on stderr, as every failing command does: " + err);

        assertEquals(2, cli("audit", "verify", "--journal", dir.resolve("none.ndjson").toString()));
        assertTrue(err.toString().startsWith("ERROR: no such journal file: "), err.toString());
        assertEquals(2, cli("audit", "verify", "--journal", backup.toString(), "--config", config));
    }

    /**
     * The probe's finding: the newest record removed from both copies (index and journal) leaves a
     * whole, shorter chain that verifies. The head published in the transparency report is an anchor:
     * verify given it fails (exit 4) once the chain no longer holds it, also on the journal alone.
     */
    @Test
    void aChainCutBelowAPublishedHeadFailsTheAnchor() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("vanchor");
        Path dataDir = dir.resolve("data");
        JsonNode[] report = new JsonNode[1];
        String overrides = threeRecordsOfNode1(dataDir, port -> report[0] = get(port, "/v1/transparency", null));
        JsonNode published = report[0].path("audit_heads");
        assertEquals(1, published.size(), published.toString());
        JsonNode head = published.get(0);
        assertEquals("node-1", head.path("node_id").asText());
        assertEquals(3, head.path("seq").asLong(), "the transparency report is not audited: the head is the third verify's record");
        String anchor = head.path("anchor").asText();
        assertEquals("node-1:3:" + head.path("hash").asText(), anchor);

        ClusterAccess.environment = name -> name.equals("ES_URL") ? ElasticsearchFixture.url() : System.getenv(name);
        String config = Files.writeString(dir.resolve("config.json"), overrides).toString();
        assertEquals(0, cli("audit", "verify", "--demo", "--config", config, "--anchor", anchor), err.toString());
        assertTrue(printed().path("anchors").get(0).path("held").asBoolean(), out.toString());
        assertEquals(anchor, printed().path("heads").get(0).path("anchor").asText(), "verify prints the same head");

        // the newest record removed from both copies: the index's, and its journal line blanked
        HttpResponse<String> found = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(ElasticsearchFixture.url() + "/" + prefix + "-audit/_search"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":{\"term\":{\"seq\":3}}}")).build(), HttpResponse.BodyHandlers.ofString());
        String docId = Json.MAPPER.readTree(found.body()).path("hits").path("hits").get(0).path("_id").asText();
        HttpResponse<String> deleted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(ElasticsearchFixture.url() + "/" + prefix + "-audit/_doc/" + docId + "?refresh=true")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, deleted.statusCode(), deleted.body());
        Path journal = AuditJournal.pathFor(dataDir, "node-1");
        String text = Files.readString(journal);
        int third = text.indexOf("\"seq\":3,");
        int lineStart = text.lastIndexOf('\n', third) + 1;
        int lineEnd = text.indexOf('\n', third);
        Files.writeString(journal, text.substring(0, lineStart) + " ".repeat(lineEnd - lineStart).replace(' ', '\n') + text.substring(lineEnd));

        assertEquals(0, cli("audit", "verify", "--demo", "--config", config), "the chain alone cannot tell: " + out);
        assertEquals(2, printed().path("heads").get(0).path("seq").asLong());
        assertEquals(4, cli("audit", "verify", "--demo", "--config", config, "--anchor", anchor), out.toString());
        JsonNode check = printed().path("anchors").get(0);
        assertFalse(check.path("held").asBoolean(), out.toString());
        assertTrue(check.path("problem").asText().contains("ends at seq 2, below the anchor's seq 3"), check.toString());
        assertTrue(err.toString().startsWith("ERROR: anchor " + anchor + " not held: "), err.toString());
        // the journal alone (a backup) is checked against it too
        assertEquals(4, cli("audit", "verify", "--journal", journal.toString(), "--anchor", anchor), out.toString());
        // an anchor below the cut still holds; a hash that is not the chain's does not (a rewrite)
        String second = printed().path("heads").get(0).path("anchor").asText();
        assertEquals(0, cli("audit", "verify", "--journal", journal.toString(), "--anchor", second), err.toString());
        String forged = "node-1:2:" + "0".repeat(64);
        assertEquals(4, cli("audit", "verify", "--demo", "--config", config, "--anchor", second, "--anchor", forged), out.toString());
        assertTrue(printed().path("anchors").get(0).path("held").asBoolean());
        assertTrue(printed().path("anchors").get(1).path("problem").asText().contains("rewritten"), out.toString());
        assertEquals(2, cli("audit", "verify", "--demo", "--config", config, "--anchor", "node-1:x:abc"));
    }

    /**
     * A node of audit_nodes that has no record in the index is named (a WARN, exit 0: it may not have
     * searched yet); an anchor of it fails (exit 4); and the verifying node's own chain deleted from
     * the index while its journal holds it fails (exit 3) as a chain deleted.
     */
    @Test
    void aConfiguredNodeWithoutRecordsIsWarnedAndADeletedChainFails() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("vsilent");
        Path dataDir = dir.resolve("data");
        String overrides = threeRecordsOfNode1(dataDir, port -> { });
        ClusterAccess.environment = name -> name.equals("ES_URL") ? ElasticsearchFixture.url() : System.getenv(name);
        String config = Files.writeString(dir.resolve("config.json"),
                overrides.replaceFirst("\\{", "{\"audit_nodes\":[\"node-1\",\"node-x\"],")).toString();

        assertEquals(0, cli("audit", "verify", "--demo", "--config", config), err.toString());
        assertEquals("[\"node-x\"]", printed().path("nodes_without_records").toString(), out.toString());
        assertTrue(err.toString().startsWith("WARN: the audit index holds no record of node node-x "), err.toString());
        assertEquals(4, cli("audit", "verify", "--demo", "--config", config, "--anchor", "node-x:5:" + "a".repeat(64)), out.toString());
        assertTrue(err.toString().contains("the audit index holds no record of node node-x"), err.toString());

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> found = http.send(HttpRequest.newBuilder(URI.create(ElasticsearchFixture.url() + "/" + prefix + "-audit/_search"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":{\"term\":{\"node_id\":\"node-1\"}}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode hit : Json.MAPPER.readTree(found.body()).path("hits").path("hits")) {
            HttpResponse<String> deleted = http.send(HttpRequest.newBuilder(URI.create(ElasticsearchFixture.url() + "/" + prefix + "-audit/_doc/"
                    + hit.path("_id").asText() + "?refresh=true")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, deleted.statusCode(), deleted.body());
        }
        assertEquals(3, cli("audit", "verify", "--demo", "--config", config), out.toString());
        JsonNode broken = printed();
        assertEquals(VerifyResult.CHAIN_DELETED, broken.path("first_broken").path("problem").asText(), out.toString());
        assertEquals(1, broken.path("first_broken").path("seq").asLong());
        assertEquals(3, broken.path("first_broken").path("journal_records").asLong(), "the journal's count of what is gone: " + out);
        assertEquals("[\"node-1\",\"node-x\"]", broken.path("nodes_without_records").toString(), out.toString());
        assertTrue(err.toString().startsWith("ERROR: the audit trail does not verify: 1 problem(s); the first: missing record (chain deleted"),
                err.toString());
        assertTrue(err.toString().contains("WARN: the audit index holds no record of node node-1 "), err.toString());
    }
}
