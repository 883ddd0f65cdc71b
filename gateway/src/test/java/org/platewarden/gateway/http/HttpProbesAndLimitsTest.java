package org.platewarden.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;

/**
 * HEAD on the port's GET routes (load balancers probe with it), JSON bodies on the 414 and 431
 * Vert.x answers before any route, and query strings on ingest (ignored: firmware appends them).
 */
class HttpProbesAndLimitsTest {
    static final String CAM_001 = GatewayHarness.basic("cam-001", "demo-cam-001");

    @TempDir
    Path dir;
    @AutoClose
    GatewayHarness gw;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        gw = GatewayHarness.start(dir);
    }

    HttpResponse<String> send(String method, String path, String body, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (auth != null) b.header("Authorization", auth);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void headAnswersLikeGetWithoutABody() throws Exception {
        for (String path : List.of("/health/live", "/health/ready", "/metrics")) {
            HttpResponse<String> get = send("GET", path, null, null);
            HttpResponse<String> head = send("HEAD", path, null, null);
            assertEquals(200, get.statusCode(), path);
            assertEquals(get.statusCode(), head.statusCode(), path);
            assertEquals("", head.body(), path);
            assertEquals(get.headers().firstValue("Content-Type"), head.headers().firstValue("Content-Type"), path);
            if (!path.equals("/metrics")) {
                // a scrape's length changes between two scrapes (the counters move); the others do not
                assertEquals(get.headers().firstValue("Content-Length"), head.headers().firstValue("Content-Length"), path);
            }
            assertTrue(head.headers().firstValue("Content-Length").isPresent(), path);
        }
        // Allow names HEAD where it works, and only there
        HttpResponse<String> post = send("POST", "/health/live", "{}", null);
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(null));
        HttpResponse<String> headReads = send("HEAD", "/v1/reads", null, CAM_001);
        assertEquals(405, headReads.statusCode());
        assertEquals("POST", headReads.headers().firstValue("Allow").orElse(null));
    }

    @Test
    void aQueryStringOnIngestIsIgnored() throws Exception {
        HttpResponse<String> r = send("POST", "/v1/reads?token=vendor-webhook-token&dry_run=true", Reads.read("cam-001", "QRY1234"), CAM_001);
        assertEquals(202, r.statusCode(), r.body());
        assertEquals(1, gw.spooled().size(), "the read is stored: the query string changes nothing");
        // it is no credential either: without Basic credentials the request is refused
        assertEquals(401, send("POST", "/v1/reads?token=demo-cam-001", Reads.read("cam-001", "QRY1235"), null).statusCode());
    }

    @Test
    void anOverlongUrlIs414InJson() throws IOException {
        Raw r = raw("GET /health/live?" + "x".repeat(5000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertEquals(414, r.status, r.text);
        JsonNode body = json(r);
        assertEquals("uri_too_long", body.get("error").asText());
        assertTrue(body.get("message").asText().contains("4096 bytes"), r.text);
    }

    @Test
    void oversizedHeadersAre431InJson() throws IOException {
        Raw r = raw("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + "y".repeat(10_000) + "\r\n\r\n");
        assertEquals(431, r.status, r.text);
        JsonNode body = json(r);
        assertEquals("headers_too_large", body.get("error").asText());
        assertTrue(body.get("message").asText().contains("8192 bytes"), r.text);
    }

    static JsonNode json(Raw r) throws IOException {
        assertEquals("application/json", r.headers.get("content-type"), r.text);
        assertEquals(Integer.toString(r.body.getBytes(StandardCharsets.UTF_8).length), r.headers.get("content-length"), r.text);
        JsonNode body = GatewayHarness.JSON.readTree(r.body);
        assertTrue(body.hasNonNull("error") && body.hasNonNull("message"), r.text);
        return body;
    }

    record Raw(int status, Map<String, String> headers, String body, String text) {
    }

    /** One request as raw bytes (a client would refuse to send these); the answer read to the connection's close. */
    Raw raw(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", gw.httpPort()), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            try {
                in.transferTo(out);
            } catch (java.net.SocketException reset) {
                // the server closes once it has answered; what arrived before is the answer
            }
            return parse(out.toString(StandardCharsets.UTF_8));
        }
    }

    static Raw parse(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) throw new AssertionError("no complete answer: " + text);
        String[] lines = text.substring(0, end).split("\r\n");
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        return new Raw(Integer.parseInt(lines[0].split(" ")[1]), headers, text.substring(end + 4), text);
    }
}
