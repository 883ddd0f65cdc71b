package org.platewarden.gateway.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;

/**
 * What the HTTP port refuses besides invalid reads: unknown paths and methods, form bodies, bodies
 * that are not UTF-8, reads with a repeated field. Each answer is JSON with a reason, and each
 * refused body leaves a dead letter with the bytes as sent.
 */
class HttpRefusalsTest {
    static final String CAM_001 = GatewayHarness.basic("cam-001", "demo-cam-001");

    @TempDir
    Path dir;
    @AutoClose
    GatewayHarness gw;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        gw = GatewayHarness.start(dir, "\"http_body_limit_bytes\":65536", 64L * 1024 * 1024);
    }

    HttpResponse<String> send(String method, String path, String contentType, byte[] body, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) b.header("Content-Type", contentType);
        if (auth != null) b.header("Authorization", auth);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode jsonError(HttpResponse<String> r) throws Exception {
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""), r.body());
        JsonNode body = GatewayHarness.JSON.readTree(r.body());
        assertTrue(body.hasNonNull("error") && body.hasNonNull("message"), r.body());
        return body;
    }

    double rejected(String source, String reason) {
        var c = gw.registry.find("platewarden.gateway.reads.rejected").tag("protocol", "http").tag("source", source).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    // ---- defect 1: the router's own 404 and 405

    @Test
    void anUnknownPathIs404InJson() throws Exception {
        for (String path : List.of("/nope", "/v1/reads/foo", "/v1/read")) {
            HttpResponse<String> r = send("POST", path, "application/json", "{}".getBytes(StandardCharsets.UTF_8), CAM_001);
            assertEquals(404, r.statusCode(), path);
            JsonNode body = jsonError(r);
            assertEquals("not_found", body.get("error").asText());
            assertTrue(body.get("message").asText().contains(path), r.body());
        }
        assertEquals(404, send("GET", "/nope", null, null, null).statusCode());
    }

    @Test
    void aWrongMethodIs405InJsonWithAllow() throws Exception {
        for (String method : List.of("GET", "PUT", "DELETE")) {
            HttpResponse<String> r = send(method, "/v1/reads", "application/json", "{}".getBytes(StandardCharsets.UTF_8), CAM_001);
            assertEquals(405, r.statusCode(), method);
            assertEquals("POST", r.headers().firstValue("Allow").orElse(null), method);
            JsonNode body = jsonError(r);
            assertEquals("method_not_allowed", body.get("error").asText());
            assertTrue(body.get("message").asText().startsWith(method + " is not allowed on /v1/reads"), r.body());
        }
        HttpResponse<String> live = send("POST", "/health/live", "application/json", new byte[0], null);
        assertEquals(405, live.statusCode());
        assertEquals("GET, HEAD", live.headers().firstValue("Allow").orElse(null));
        assertEquals("method_not_allowed", jsonError(live).get("error").asText());
        HttpResponse<String> vendor = send("GET", "/v1/reads/openalpr", null, null, CAM_001);
        assertEquals(405, vendor.statusCode());
        assertEquals("POST", vendor.headers().firstValue("Allow").orElse(null));
        assertEquals(0, gw.deadLetters().size());
    }

    // ---- defect 2: form and multipart bodies

    static byte[] multipart(String boundary) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"crop.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 0, 0x10, 'J', 'F', 'I', 'F'});
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    @Test
    void aMultipartBodyIs415AndDeadLetteredAsSent() throws Exception {
        byte[] body = multipart("XyZ123");
        HttpResponse<String> r = send("POST", "/v1/reads", "multipart/form-data; boundary=XyZ123", body, CAM_001);
        assertEquals(415, r.statusCode(), r.body());
        JsonNode error = jsonError(r);
        assertEquals("unsupported_media_type", error.get("error").asText());
        String message = error.get("message").asText();
        assertTrue(message.contains("multipart/form-data") && message.contains("application/json") && message.contains("application/x-ndjson"), message);

        List<DeadLetter> letters = gw.deadLetters();
        assertEquals(1, letters.size());
        DeadLetter letter = letters.get(0);
        assertEquals("cam-001", letter.cameraId());
        assertEquals("gateway-http", letter.stage());
        assertTrue(letter.reason().startsWith("unsupported_media_type: Content-Type multipart/form-data"), letter.reason());
        assertArrayEquals(body, letter.payloadBytes()); // the JPEG bytes too: kept as base64
        assertEquals(1.0, rejected("http", "unsupported_media_type"));
        assertEquals(0, gw.spooled().size());
    }

    @Test
    void aUrlEncodedFormIs415AndDeadLetteredAsSent() throws Exception {
        byte[] body = "a=b&plate=ABC%201234".getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> r = send("POST", "/v1/reads", "application/x-www-form-urlencoded", body, CAM_001);
        assertEquals(415, r.statusCode(), r.body());
        assertEquals("unsupported_media_type", jsonError(r).get("error").asText());
        DeadLetter letter = gw.deadLetters().get(0);
        assertEquals("a=b&plate=ABC%201234", letter.payload());
        assertNull(letter.payloadBase64());
    }

    @Test
    void aVendorWebhookRefusesFormsToo() throws Exception {
        byte[] body = multipart("b0undary");
        HttpResponse<String> r = send("POST", "/v1/reads/platerecognizer", "multipart/form-data; boundary=b0undary", body, CAM_001);
        assertEquals(415, r.statusCode(), r.body());
        assertTrue(jsonError(r).get("message").asText().contains("application/json"), r.body());
        assertArrayEquals(body, gw.deadLetters().get(0).payloadBytes());
        assertEquals(1.0, rejected("platerecognizer", "unsupported_media_type"));
    }

    @Test
    void aFormSentAfterExpectContinueIsReadToo() throws Exception {
        // curl asks for 100 Continue before a body over 1 KiB; without it the client would stall
        byte[] body = "a=".concat("b".repeat(4000)).getBytes(StandardCharsets.US_ASCII);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + "/v1/reads"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).expectContinue(true).version(HttpClient.Version.HTTP_1_1).timeout(java.time.Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", CAM_001).build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(415, r.statusCode(), r.body());
        assertArrayEquals(body, gw.deadLetters().get(0).payloadBytes());
    }

    @Test
    void aFormWithoutValidCredentialsIs401AndLeavesNoDeadLetter() throws Exception {
        HttpResponse<String> r = send("POST", "/v1/reads", "multipart/form-data; boundary=XyZ123", multipart("XyZ123"),
                GatewayHarness.basic("cam-001", "wrong"));
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("unauthorized", jsonError(r).get("error").asText());
        assertEquals(0, gw.deadLetters().size());
    }

    @Test
    void aFormOverTheBodyLimitIs413AndLeavesADeadLetterWithoutPayload() throws Exception {
        byte[] body = new byte[70_000];
        java.util.Arrays.fill(body, (byte) 'a');
        HttpResponse<String> r = send("POST", "/v1/reads", "application/x-www-form-urlencoded", body, CAM_001);
        assertEquals(413, r.statusCode(), r.body());
        assertEquals("too_large", jsonError(r).get("error").asText());
        assertEquals("too_large", jsonError(r).get("code").asText());
        assertUnreadDeadLetter("70000");
    }

    // ---- a body over the limit is refused unread, but not without a trace

    @Test
    void aBodyOverTheLimitIs413AndLeavesADeadLetterWithoutPayload() throws Exception {
        byte[] body = ("[" + "{\"plate\":\"BIG001\"},".repeat(5000) + "{}]").getBytes(StandardCharsets.UTF_8);
        for (String path : List.of("/v1/reads", "/v1/reads/openalpr")) {
            HttpResponse<String> r = send("POST", path, "application/json", body, CAM_001);
            assertEquals(413, r.statusCode(), path + ": " + r.body());
            assertEquals("too_large", jsonError(r).get("code").asText(), r.body());
        }
        List<DeadLetter> letters = gw.deadLetters();
        assertEquals(2, letters.size(), letters.toString());
        assertTrue(letters.get(0).reason().startsWith("too_large: body larger than 65536 bytes (Content-Length " + body.length + ")"),
                letters.get(0).reason());
        assertEquals(1.0, rejected("http", "too_large"));
        assertEquals(1.0, rejected("openalpr", "too_large"));
        assertEquals(0, gw.spooled().size());
    }

    @Test
    void aBodyOverTheLimitWithoutValidCredentialsIs401AndLeavesNoDeadLetter() throws Exception {
        byte[] body = new byte[70_000];
        java.util.Arrays.fill(body, (byte) ' ');
        HttpResponse<String> r = send("POST", "/v1/reads", "application/json", body, GatewayHarness.basic("cam-001", "wrong"));
        assertEquals(401, r.statusCode(), r.body());
        assertEquals(0, gw.deadLetters().size());
    }

    private void assertUnreadDeadLetter(String contentLength) {
        List<DeadLetter> letters = gw.deadLetters();
        assertEquals(1, letters.size(), letters.toString());
        DeadLetter letter = letters.get(0);
        assertEquals("cam-001", letter.cameraId());
        assertEquals("gateway-http", letter.stage());
        assertTrue(letter.reason().startsWith("too_large: body larger than 65536 bytes (Content-Length " + contentLength + ")"), letter.reason());
        assertTrue(letter.reason().endsWith("refused unread, so no payload is kept"), letter.reason());
        assertNull(letter.payload(), "the bytes were never kept");
    }

    // ---- defect 3: bytes that are not UTF-8 reach the dead letter as sent

    @Test
    void aBodyThatIsNotUtf8IsDeadLetteredWithItsExactBytes() throws Exception {
        byte[] body = {'{', '"', 'p', 'l', 'a', 't', 'e', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'};
        HttpResponse<String> r = send("POST", "/v1/reads", "application/json", body, CAM_001);
        assertEquals(400, r.statusCode(), r.body());
        DeadLetter letter = gw.deadLetters().get(0);
        assertTrue(letter.reason().startsWith("invalid_json"), letter.reason());
        assertEquals("{\"plate\":\"\uFFFD\uFFFD\"}", letter.payload()); // still greppable
        assertArrayEquals(body, letter.payloadBytes());
    }

    @Test
    void anNdjsonLineThatIsNotUtf8IsRefusedAloneWithItsExactBytes() throws Exception {
        String good = Reads.read("cam-001", "UTF001");
        String text = "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + java.time.Instant.now() + "\",\"plate\":\"AB#C1\"}";
        byte[] bad = text.getBytes(StandardCharsets.US_ASCII);
        bad[text.indexOf('#')] = (byte) 0xfe; // inside the plate: decoded lossily it became U+FFFD, and ABC1 was accepted
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes((good + "\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(bad);
        body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = send("POST", "/v1/reads", "application/x-ndjson", body.toByteArray(), CAM_001);
        assertEquals(202, r.statusCode(), r.body());
        JsonNode res = GatewayHarness.JSON.readTree(r.body());
        assertEquals(1, res.get("accepted").asInt());
        assertEquals(1, res.get("rejected").get(0).get("index").asInt());
        assertEquals("invalid_json", res.get("rejected").get(0).get("code").asText());
        DeadLetter letter = gw.deadLetters().get(0);
        assertArrayEquals(bad, letter.payloadBytes());
        assertTrue(letter.payloadBase64() != null);
    }

    /**
     * An NDJSON body in UTF-16 (what Windows PowerShell writes by default) cannot be split into lines
     * on the byte \n: the probe's first line was stored and every other refused as garbage ("Illegal
     * character ((CTRL-CHAR, code 0))", "Unexpected character ('\uFFFD' …)"). It is refused whole,
     * saying why, and dead-lettered with its bytes, as a body that is not JSON.
     */
    @Test
    void anNdjsonBodyInUtf16IsRefusedWholeSayingItMustBeUtf8() throws Exception {
        for (java.nio.charset.Charset charset : List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE, StandardCharsets.UTF_16)) {
            int lettersBefore = gw.deadLetters().size();
            byte[] body = (Reads.read("cam-001", "WIDE1") + "\n" + Reads.read("cam-001", "WIDE2") + "\n").getBytes(charset);
            HttpResponse<String> r = send("POST", "/v1/reads", "application/x-ndjson", body, CAM_001);
            assertEquals(400, r.statusCode(), charset + ": " + r.body());
            JsonNode answer = GatewayHarness.JSON.readTree(r.body());
            assertEquals("invalid_json", answer.get("code").asText());
            assertTrue(answer.get("message").asText().startsWith("NDJSON must be UTF-8, and this body is UTF-16"), r.body());
            assertEquals(0, gw.spool.lastDurableSeq(), "no line of it stored");
            assertArrayEquals(body, gw.deadLetters().get(lettersBefore).payloadBytes());
        }
        assertEquals(null, ReadsBodyParser.wideEncoding("{\"plate\":\"A\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(null, ReadsBodyParser.wideEncoding("\uFEFF{}".getBytes(StandardCharsets.UTF_8)), "UTF-8 with a byte-order mark");
        assertEquals("UTF-32LE", ReadsBodyParser.wideEncoding("{}".getBytes(java.nio.charset.Charset.forName("UTF-32LE"))));
    }

    /**
     * An HTTP/1.1 request without Host (a health check or a camera's minimal client written without
     * one) is the client's error: the probe saw 500 internal_error on every route of port 8080 (8081
     * answered 400), which a load balancer reads as a broken node.
     */
    @Test
    void anHttp11RequestWithoutHostIs400NotAnInternalError() throws Exception {
        for (String request : List.of("GET /health/live HTTP/1.1\r\n\r\n",
                "POST /v1/reads HTTP/1.1\r\nAuthorization: Basic Y2FtLTAwMTpkZW1vLWNhbS0wMDE=\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 2\r\n\r\n[]")) {
            try (org.platewarden.testkit.RawHttp c = org.platewarden.testkit.RawHttp.connect("127.0.0.1", gw.httpPort())) {
                c.send(request);
                org.platewarden.testkit.RawHttp.Answer a = c.readAnswer();
                assertEquals(400, a.status(), request + " -> " + a.body());
                JsonNode body = GatewayHarness.JSON.readTree(a.body());
                assertEquals("bad_request", body.get("error").asText());
                assertTrue(body.get("message").asText().contains("'Host' header is required"), a.body());
            }
        }
        assertEquals(0, gw.spool.lastDurableSeq());
    }

    /** docs/cameras.md: every error on 8080 is JSON; a path Vert.x Web cannot decode was a text "Bad Request". */
    @Test
    void aPathThatCannotBeDecodedIs400InJson() throws Exception {
        try (org.platewarden.testkit.RawHttp c = org.platewarden.testkit.RawHttp.connect("127.0.0.1", gw.httpPort())) {
            c.send("POST /v1/reads%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            org.platewarden.testkit.RawHttp.Answer a = c.readAnswer();
            assertEquals(400, a.status(), a.body());
            JsonNode body = GatewayHarness.JSON.readTree(a.body());
            assertEquals("bad_request", body.get("error").asText());
            assertEquals(JsonRouteErrors.INVALID_PATH, body.get("message").asText());
        }
    }

    // ---- defect 5: a repeated field

    @Test
    void aReadWithARepeatedFieldIsRefused() throws Exception {
        // the probe's payload: cam-001 sends a read that also says it is cam-002's
        String read = "{\"camera_id\":\"cam-002\",\"captured_at\":\"" + java.time.Instant.now() + "\",\"plate\":\"DUP001\",\"camera_id\":\"cam-001\"}";
        HttpResponse<String> r = send("POST", "/v1/reads", "application/json", read.getBytes(StandardCharsets.UTF_8), CAM_001);
        assertEquals(202, r.statusCode(), r.body());
        JsonNode res = GatewayHarness.JSON.readTree(r.body());
        assertEquals(0, res.get("accepted").asInt());
        assertEquals("duplicate_field", res.get("rejected").get(0).get("code").asText());
        assertEquals("duplicate_field: field 'camera_id' appears more than once", res.get("rejected").get(0).get("reason").asText());
        assertEquals(0, gw.spooled().size());
        assertEquals(read, gw.deadLetters().get(0).payload());
        assertEquals(1.0, rejected("http", "duplicate_field"));
    }

    @Test
    void aVendorWebhookWithARepeatedFieldIsRefusedWhole() throws Exception {
        String payload = "{\"data_type\":\"alpr_group\",\"epoch_start\":" + System.currentTimeMillis()
                + ",\"best_plate_number\":\"AAA111\",\"best_plate_number\":\"BBB222\"}";
        HttpResponse<String> r = send("POST", "/v1/reads/openalpr", "application/json", payload.getBytes(StandardCharsets.UTF_8), CAM_001);
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("field 'best_plate_number' appears more than once in one object", jsonError(r).get("message").asText(), r.body());
        assertEquals("duplicate_field", jsonError(r).get("code").asText(), r.body());
        DeadLetter letter = gw.deadLetters().get(0);
        assertEquals("duplicate_field: field 'best_plate_number' appears more than once in one object", letter.reason());
        assertEquals(payload, letter.payload());
        assertEquals(1.0, rejected("openalpr", "duplicate_field"));
        assertEquals(0, gw.spooled().size());
    }
}
