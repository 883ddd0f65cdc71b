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

    @Test
    void verifyNamesAMissingJournalAndChecksABackupOffline() throws Exception {
        prefix = ElasticsearchFixture.uniquePrefix("vcli");
        Path dataDir = dir.resolve("data");
        String overrides = """
                {"node_id":"node-1","data_dir":"%s","index_prefix":"%s","search":{"host":"127.0.0.1","port":0}}"""
                .formatted(dataDir.toString().replace("\\", "/"), prefix);
        try (PlatewardenNode node = new PlatewardenNode(PlatewardenConfig.demoConfig().with(overrides), EnumSet.of(Role.SEARCH))
                .start(ElasticsearchFixture.url(), 0)) {
            for (int i = 0; i < 3; i++) { // each verify is audited: records of node-1 in journal and index
                HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.searchPort() + "/v1/audit/verify"))
                        .header("Authorization", "Bearer demo-dpd-auditor").build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, answer.statusCode(), answer.body());
            }
        }
        ClusterAccess.environment = name -> name.equals("ES_URL") ? ElasticsearchFixture.url() : System.getenv(name);
        String config = Files.writeString(dir.resolve("config.json"), overrides).toString();

        assertEquals(0, cli("audit", "verify", "--demo", "--config", config), err.toString());
        assertEquals("{\"ok\":true,\"records\":3}", printed().toString());

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
        assertEquals("{\"ok\":true,\"records\":3,\"journal\":\"not checked\"}", printed().toString());

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

        assertEquals(2, cli("audit", "verify", "--journal", dir.resolve("none.ndjson").toString()));
        assertTrue(err.toString().startsWith("ERROR: no such journal file: "), err.toString());
        assertEquals(2, cli("audit", "verify", "--journal", backup.toString(), "--config", config));
    }
}
