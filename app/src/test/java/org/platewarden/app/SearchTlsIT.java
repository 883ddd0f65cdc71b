package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.testkit.SelfSignedCertificate;

/**
 * search.tls_cert_path/tls_key_path: the search API serves HTTPS only, and the CLI's audited ops
 * commands reach it over TLS too, pinned to the configured certificate (issued here for another
 * name than 127.0.0.1, as a real one would be).
 */
class SearchTlsIT {
    @TempDir
    Path dataDir;
    @AutoClose
    OwnSearchNode own;

    @Test
    void theSearchApiServesHttpsAndTheCliReachesItPinned() throws Exception {
        SelfSignedCertificate tls = SelfSignedCertificate.create(dataDir, "search", "search.example.org", "DNS:search.example.org");
        Path cert = tls.cert();
        Path key = tls.key();
        own = new OwnSearchNode("tls", dataDir, "", "\"tls_cert_path\":\"%s\",\"tls_key_path\":\"%s\"".formatted(cert, key));
        PlatewardenNode node = own.node();
        PlatewardenConfig config = node.config();

        HttpClient https = HttpClient.newBuilder().sslContext(PinnedCertificate.sslContext(cert)).build();
        HttpResponse<String> search = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.searchPort() + "/v1/search"))
                .header("Authorization", "Bearer demo-dpd-investigator").header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"plate\":\"ABC1234\",\"purpose\":\"stolen_vehicle\",\"case_number\":\"T-1\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, search.statusCode(), search.body());
        // the token is never taken in clear
        assertThrows(java.io.IOException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.searchPort() + "/health/live")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()));

        Path tokenFile = dataDir.resolve("ops-token");
        Files.writeString(tokenFile, "demo-dpd-ops\n");
        Path configFile = dataDir.resolve("config.json");
        Files.writeString(configFile, config.toTree().toString());
        int code = PlatewardenMain.commandLine().execute("ops", "retention-run", "--config", configFile.toString(), "--token-file", tokenFile.toString());
        assertEquals(0, code, "the CLI's ops command over TLS");
    }
}
