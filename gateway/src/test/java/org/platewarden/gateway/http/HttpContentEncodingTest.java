package org.platewarden.gateway.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.platewarden.gateway.http.HttpRefusalsTest.CAM_001;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;

/**
 * A compressed request body (Content-Encoding other than identity) is refused with 415 naming the
 * coding, and dead-lettered as received, after authentication like every refused body; it used to
 * reach the JSON parser and come back as "invalid_json ... CTRL-CHAR, code 31".
 */
class HttpContentEncodingTest {
    final HttpClient http = HttpClient.newHttpClient();
    @TempDir
    Path dir;
    @AutoClose
    GatewayHarness gw;

    @BeforeEach
    void start() {
        gw = GatewayHarness.start(dir);
    }

    HttpResponse<String> post(String path, String encoding, byte[] body, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/json").header("Authorization", auth);
        if (encoding != null) b.header("Content-Encoding", encoding);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static byte[] gzip(byte[] plain) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(plain);
        }
        return out.toByteArray();
    }

    double rejected(String source) {
        var c = gw.registry.find("platewarden.gateway.reads.rejected").tag("protocol", "http").tag("source", source)
                .tag("reason", "unsupported_media_type").counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aGzipBodyIs415NamingTheCodingAndIsDeadLetteredAsReceivedOnceAuthenticated() throws Exception {
        byte[] read = Reads.read("cam-001", "GZ0001").getBytes(StandardCharsets.UTF_8);
        byte[] body = gzip(read);
        unauthorized("/v1/reads", body);
        HttpResponse<String> r = post("/v1/reads", "gzip", body, CAM_001);
        assertEquals(415, r.statusCode(), r.body());
        JsonNode error = HttpRefusalsTest.jsonError(r);
        assertEquals("unsupported_media_type", error.get("error").asText());
        assertEquals("unsupported_media_type", error.get("code").asText());
        assertEquals("Content-Encoding gzip is not accepted: the gateway does not decompress request bodies; send the body uncompressed",
                error.get("message").asText());
        assertEquals("identity", r.headers().firstValue("Accept-Encoding").orElse(null));

        List<DeadLetter> letters = gw.deadLetters();
        assertEquals(1, letters.size(), letters.toString());
        DeadLetter letter = letters.get(0);
        assertEquals("cam-001", letter.cameraId());
        assertEquals("gateway-http", letter.stage());
        assertTrue(letter.reason().startsWith("unsupported_media_type: Content-Encoding gzip is not accepted"), letter.reason());
        assertArrayEquals(body, letter.payloadBytes()); // compressed, as it came: not inflated
        assertEquals(1.0, rejected("http"));
        assertEquals(0, gw.spooled().size());

        // what the message says to do works: the same read uncompressed (identity is no coding at all)
        assertEquals(202, post("/v1/reads", "identity", read, CAM_001).statusCode());
        assertEquals(202, post("/v1/reads", null, Reads.read("cam-001", "GZ0002").getBytes(StandardCharsets.UTF_8), CAM_001).statusCode());
        assertEquals(2, gw.spooled().size());
    }

    @Test
    void theVendorWebhooksRefuseItTooAndEveryCodingButIdentityIsNamed() throws Exception {
        byte[] body = "{\"results\":[]}".getBytes(StandardCharsets.UTF_8); // sent plain but labelled: still refused, as labelled
        unauthorized("/v1/reads/openalpr", body);
        HttpResponse<String> alpr = post("/v1/reads/openalpr", "Identity, DEFLATE", body, CAM_001);
        assertEquals(415, alpr.statusCode(), alpr.body());
        assertTrue(HttpRefusalsTest.jsonError(alpr).get("message").asText().startsWith("Content-Encoding deflate is not accepted"), alpr.body());
        HttpResponse<String> pr = post("/v1/reads/platerecognizer", "br", body, CAM_001);
        assertEquals(415, pr.statusCode(), pr.body());
        assertTrue(HttpRefusalsTest.jsonError(pr).get("message").asText().startsWith("Content-Encoding br is not accepted"), pr.body());

        List<DeadLetter> letters = gw.deadLetters();
        assertEquals(2, letters.size(), letters.toString());
        assertTrue(letters.get(0).reason().startsWith("unsupported_media_type: Content-Encoding deflate"), letters.get(0).reason());
        assertTrue(letters.get(1).reason().startsWith("unsupported_media_type: Content-Encoding br"), letters.get(1).reason());
        assertArrayEquals(body, letters.get(1).payloadBytes());
        assertEquals(1.0, rejected("openalpr"));
        assertEquals(1.0, rejected("platerecognizer"));
    }

    /**
     * {@code Transfer-Encoding: gzip, chunked}: Netty undid the chunked framing only, so the gzip'd body
     * was read as JSON (the probe's was refused as invalid_json garbage). Refused 501 naming the coding,
     * dead-lettered as received once authenticated; the connection takes the next request. Java's
     * HttpClient does not let a caller set Transfer-Encoding: a raw request.
     */
    @Test
    void aTransferCodingOtherThanChunkedIs501NamingItAndIsDeadLettered() throws Exception {
        byte[] body = gzip(Reads.read("cam-001", "TE0001").getBytes(StandardCharsets.UTF_8));
        String answer = rawChunked("gzip, chunked", body, CAM_001);
        assertTrue(answer.startsWith("HTTP/1.1 501 "), answer);
        JsonNode error = GatewayHarness.JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        assertEquals("not_implemented", error.get("error").asText());
        assertEquals("unsupported_transfer_coding", error.get("code").asText());
        assertEquals("Transfer-Encoding gzip is not implemented: the gateway takes only chunked (or a Content-Length); send the body"
                + " uncompressed", error.get("message").asText());
        List<DeadLetter> letters = gw.deadLetters();
        assertEquals(1, letters.size(), letters.toString());
        assertTrue(letters.get(0).reason().startsWith("unsupported_transfer_coding: Transfer-Encoding gzip is not implemented"),
                letters.get(0).reason());
        assertArrayEquals(body, letters.get(0).payloadBytes()); // the chunks' bytes, still gzip'd
        assertEquals(0, gw.spooled().size());
        var counted = gw.registry.find("platewarden.gateway.reads.rejected").tag("protocol", "http").tag("source", "http")
                .tag("reason", "unsupported_transfer_coding").counter();
        assertEquals(1.0, counted.count());

        // chunked alone is read as before
        String plain = rawChunked("chunked", Reads.read("cam-001", "TE0002").getBytes(StandardCharsets.UTF_8), CAM_001);
        assertTrue(plain.startsWith("HTTP/1.1 202 "), plain);
        assertEquals(1, gw.spooled().size());
    }

    /**
     * {@code Transfer-Encoding: gzip} without {@code chunked}: a request whose body's length cannot be
     * told (RFC 9112 6.3: the server must answer 400 and close). Its bytes must never be taken for a
     * next request on the connection, nor a read stored.
     */
    @Test
    void aTransferCodingWithoutChunkedIsRefusedAndItsBytesAreNotTakenForANextRequest() throws Exception {
        String smuggled = "POST /v1/reads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: " + CAM_001
                + "\r\nContent-Length: " + Reads.read("cam-001", "TE0003").length() + "\r\n\r\n" + Reads.read("cam-001", "TE0003");
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", gw.httpPort())) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(("POST /v1/reads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: " + CAM_001
                    + "\r\nTransfer-Encoding: gzip\r\n\r\n" + smuggled).getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
            assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answer);
            JsonNode error = GatewayHarness.JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertEquals("bad_request", error.get("error").asText());
            assertEquals("Transfer-Encoding gzip does not end with chunked, so the length of the request's body cannot be told"
                    + " (RFC 9112 6.3): send the body with a Content-Length, or chunked", error.get("message").asText());
            assertFalse(answer.contains("HTTP/1.1 202"), "the body's bytes were taken for a request of their own: " + answer);
        }
        assertEquals(0, gw.spooled().size(), "no read stored from a body whose length could not be told");
    }

    /** POSTs {@code body} to /v1/reads in two chunks with the Transfer-Encoding given; the whole answer (the connection is then closed). */
    String rawChunked(String transferEncoding, byte[] body, String auth) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", gw.httpPort())) {
            s.setSoTimeout(15_000);
            ByteArrayOutputStream req = new ByteArrayOutputStream();
            req.writeBytes(("POST /v1/reads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: " + auth
                    + "\r\nTransfer-Encoding: " + transferEncoding + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            int half = body.length / 2;
            for (int[] range : new int[][] {{0, half}, {half, body.length}}) {
                req.writeBytes((Integer.toHexString(range[1] - range[0]) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                req.write(body, range[0], range[1] - range[0]);
                req.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            req.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(req.toByteArray());
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Authentication first, as for every refused body: without valid credentials a 401, and no dead letter. */
    void unauthorized(String path, byte[] body) throws Exception {
        HttpResponse<String> r = post(path, "gzip", body, GatewayHarness.basic("cam-001", "wrong"));
        assertEquals(401, r.statusCode(), path + ": " + r.body());
        assertEquals("unauthorized", HttpRefusalsTest.jsonError(r).get("error").asText());
        assertEquals(0, gw.deadLetters().size());
    }
}
