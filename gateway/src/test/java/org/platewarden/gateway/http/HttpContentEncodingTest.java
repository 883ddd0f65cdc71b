package org.platewarden.gateway.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /** Authentication first, as for every refused body: without valid credentials a 401, and no dead letter. */
    void unauthorized(String path, byte[] body) throws Exception {
        HttpResponse<String> r = post(path, "gzip", body, GatewayHarness.basic("cam-001", "wrong"));
        assertEquals(401, r.statusCode(), path + ": " + r.body());
        assertEquals("unauthorized", HttpRefusalsTest.jsonError(r).get("error").asText());
        assertEquals(0, gw.deadLetters().size());
    }
}
