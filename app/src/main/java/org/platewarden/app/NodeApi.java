package org.platewarden.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.platewarden.core.config.PlatewardenConfig;

/**
 * How a CLI command that changes something reaches the running node's search API, so that the
 * change is audited as the same request over HTTP would be (the audit chain is the node's: a second
 * writer would fork it). The node is found through {@code <data_dir>/run/node.json}; the caller's
 * bearer token comes from {@code PLATEWARDEN_TOKEN} or a file, never the command line (where
 * {@code ps} and shell history would keep it).
 */
final class NodeApi {
    static final String TOKEN_ENV = "PLATEWARDEN_TOKEN";

    private final URI base;
    private final String token;

    /** null for plain HTTP; for HTTPS, pinned to the configured certificate */
    private final javax.net.ssl.SSLContext tls;

    private NodeApi(URI base, String token, javax.net.ssl.SSLContext tls) {
        this.base = base;
        this.token = token;
        this.tls = tls;
    }

    /** @param tokenFile a file holding the token, or null to take {@code PLATEWARDEN_TOKEN} */
    static NodeApi of(PlatewardenConfig config, Path tokenFile, String what) throws IOException {
        String token = tokenFile != null ? Files.readString(tokenFile).trim() : System.getenv(TOKEN_ENV);
        if (token == null || token.isBlank()) {
            throw new IOException(what + " goes through the running node's search API so that it is audited: give a token of a user"
                    + " with the ops role in " + TOKEN_ENV + " or --token-file FILE");
        }
        Path run = config.dataPath().resolve("run").resolve("node.json");
        if (!Files.exists(run)) {
            throw new IOException(what + " goes through the running node's search API so that it is audited, and no node runs here ("
                    + run + " missing): start ./platewarden run (with the same --config/--data-dir) first");
        }
        int port = Json.MAPPER.readTree(run.toFile()).path("search_port").asInt(-1);
        if (port <= 0) throw new IOException("the node described by " + run + " runs no search role: " + what + " needs one");
        if (config.search().tls()) {
            return new NodeApi(URI.create("https://127.0.0.1:" + port), token.trim(), PinnedCertificate.sslContext(Path.of(config.search().tlsCertPath())));
        }
        return new NodeApi(URI.create("http://127.0.0.1:" + port), token.trim(), null);
    }

    /** POSTs an empty JSON object; returns the status and the answer's JSON. Blocking: for the CLI's main thread only. */
    Answer post(String path) throws IOException, InterruptedException {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (tls != null) builder.sslContext(tls);
        HttpClient http = builder.build();
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(30)) // a compaction pass merges for minutes
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new IOException("no search API answers at " + base + " (is the node still running?)", e);
        }
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(response.body());
        } catch (IOException notJson) {
            body = Json.MAPPER.getNodeFactory().textNode(response.body());
        }
        return new Answer(response.statusCode(), body);
    }

    record Answer(int status, JsonNode body) {
    }
}
