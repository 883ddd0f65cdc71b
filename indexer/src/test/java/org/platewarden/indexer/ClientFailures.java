package org.platewarden.indexer;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.platewarden.elasticsearch.ElasticsearchConnection;

/**
 * The exceptions the low-level REST client (on the production {@link ElasticsearchConnection})
 * really fails a bulk request with when the whole request is answered with an error status: a
 * scripted HTTP server answers, {@link ElasticsearchBulkTransport} sends one read to it.
 */
final class ClientFailures {
    static final String PARSE_ERROR = "{\"error\":{\"root_cause\":[{\"type\":\"x_content_parse_exception\","
            + "\"reason\":\"[1:52] Unexpected end-of-input in VALUE_STRING\"}],\"type\":\"x_content_parse_exception\","
            + "\"reason\":\"[1:52] Unexpected end-of-input in VALUE_STRING\"},\"status\":400}";

    private ClientFailures() {
    }

    /** 400 with Elasticsearch's error body: a request body it cannot parse. */
    static Throwable parseError() {
        return answeredWith(400, PARSE_ERROR);
    }

    /** The failure for an answer with this status and body (no body when null). */
    static Throwable answeredWith(int status, String jsonBody) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("X-Elastic-Product", "Elasticsearch");
            byte[] body = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
            if (jsonBody != null) exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            return failureOfOneBulk("http://127.0.0.1:" + server.getAddress().getPort());
        } finally {
            server.stop(0);
        }
    }

    static Throwable failureOfOneBulk(String url) {
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        byte[] json = TestReads.bytes("r1", "cam-001", "DPD", at, "P1");
        PendingRead read = new PendingRead(1, "p-reads-2026.01.01", "r1", "cam-001", at, json, null, false, 0);
        try (ElasticsearchConnection conn = new ElasticsearchConnection(url)) {
            new ElasticsearchBulkTransport(conn.rest()).send(List.of(read)).join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("the bulk request did not fail");
    }
}
