package org.platewarden.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.spool.AppendTooLargeException;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;
import org.platewarden.testkit.LogCapture;

class HttpIngestTest {
    @TempDir
    Path dir;
    GatewayHarness gw;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        gw = GatewayHarness.start(dir, "\"http_body_limit_bytes\":65536,\"max_reads_per_request\":50", 64L * 1024 * 1024);
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    static String basic(String user, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> post(String path, String contentType, String body, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) b.header("Authorization", auth);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postReads(String contentType, String body) throws Exception {
        return post("/v1/reads", contentType, body, basic("cam-001", "demo-cam-001"));
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return GatewayHarness.JSON.readTree(r.body());
    }

    @Test
    void singleReadIsDurableWhenTheResponseArrives() throws Exception {
        HttpResponse<String> r = postReads("application/json", Reads.read("cam-001", "ABC 1234"));
        assertEquals(202, r.statusCode(), r.body());
        assertEquals(1, json(r).get("accepted").asInt());
        assertEquals(0, json(r).get("rejected").size());
        // no waiting: the 202 is only sent once the append was fsynced
        List<JsonNode> spooled = gw.spooled();
        assertEquals(1, spooled.size());
        JsonNode doc = spooled.get(0);
        assertEquals("cam-001", doc.get("camera_id").asText());
        assertEquals("DPD", doc.get("agency").asText());
        assertEquals("ABC1234", doc.get("plate_norm").asText());
        assertEquals("toyota", doc.get("vehicle").get("make").asText());
        assertEquals("http", doc.get("source").asText());
        assertTrue(doc.get("read_id").asText().startsWith("cam-001:"));
    }

    @Test
    void jsonArray() throws Exception {
        String body = "[" + Reads.read("cam-001", "AAA111") + "," + Reads.read("cam-001", "BBB222") + "]";
        HttpResponse<String> r = postReads("application/json", body);
        assertEquals(202, r.statusCode(), r.body());
        assertEquals(2, json(r).get("accepted").asInt());
        assertEquals(List.of("AAA111", "BBB222"), gw.spooled().stream().map(d -> d.get("plate_norm").asText()).sorted().toList());
    }

    @Test
    void aRefusedItemOfAnArrayIsDeadLetteredAsTheExactBytesSent() throws Exception {
        // captured inside retention: a read past it would keep no bytes at all (tested below)
        String refused = "{ \"camera_id\" : \"cam-001\",\n  \"plate\": \"ÄÖ 77\", \"captured_at\": \"" + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                + "\", \"colour\": \"日本\" }";
        String body = "[ " + Reads.read("cam-001", "ARR001") + " ,\n" + refused + ", 42 ]";
        HttpResponse<String> r = postReads("application/json", body);
        assertEquals(202, r.statusCode(), r.body());
        assertEquals(1, json(r).get("accepted").asInt());
        assertEquals(2, json(r).get("rejected").size());
        List<DeadLetter> letters = gw.deadLetters();
        assertTrue(letters.stream().anyMatch(l -> l.reason().equals("unknown_field: unknown field 'colour'") && l.payload().equals(refused)), letters.toString());
        assertTrue(letters.stream().anyMatch(l -> l.reason().startsWith("not_an_object") && l.payload().equals("42")), letters.toString());
    }

    @Test
    void ndjson() throws Exception {
        String body = Reads.read("cam-001", "NDJ001") + "\n\n" + Reads.read("cam-001", "NDJ002") + "\r\n" + Reads.read("cam-001", "NDJ003") + "\n";
        HttpResponse<String> r = postReads("application/x-ndjson", body);
        assertEquals(202, r.statusCode(), r.body());
        assertEquals(3, json(r).get("accepted").asInt());
        assertEquals(3, gw.spooled().size());
    }

    @Test
    void mixedBatchReportsEachRefusalAndDeadLettersIt() throws Exception {
        Instant old = Instant.now().minus(40, ChronoUnit.DAYS);
        String body = String.join("\n",
                Reads.read("cam-001", "GOOD01"),
                Reads.read("cam-002", "OTHER1"),           // someone else's camera id
                "{not json",
                Reads.read("cam-001", "OLD001", old),
                "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + Instant.now() + "\",\"plate\":\"X\"}",
                Reads.read("cam-001", "GOOD02"));
        HttpResponse<String> r = postReads("application/x-ndjson", body);
        assertEquals(202, r.statusCode(), r.body());
        JsonNode res = json(r);
        assertEquals(2, res.get("accepted").asInt());
        JsonNode rejected = res.get("rejected");
        assertEquals(4, rejected.size());
        assertEquals(1, rejected.get(0).get("index").asInt());
        assertTrue(rejected.get(0).get("reason").asText().startsWith("camera_mismatch"), rejected.toString());
        assertEquals(2, rejected.get(1).get("index").asInt());
        assertTrue(rejected.get(1).get("reason").asText().startsWith("invalid_json"));
        assertEquals(3, rejected.get(2).get("index").asInt());
        assertTrue(rejected.get(2).get("reason").asText().startsWith("too_old"));
        assertEquals(4, rejected.get(3).get("index").asInt());
        assertTrue(rejected.get(3).get("reason").asText().startsWith("plate_length"));
        assertEquals(2, gw.spooled().size());

        List<DeadLetter> letters = gw.deadLetters();
        assertEquals(4, letters.size());
        for (DeadLetter l : letters) {
            assertEquals("gateway-http", l.stage());
            assertEquals("cam-001", l.cameraId());
            assertNotNull(l.reason());
        }
        assertTrue(letters.stream().anyMatch(l -> l.payload().equals("{not json")));
        // past retention: the plate is not kept, in a dead letter either (tested below)
        DeadLetter tooOld = letters.stream().filter(l -> l.reason().startsWith("too_old")).findFirst().orElseThrow();
        assertNull(tooOld.payload());
        assertEquals(old, tooOld.capturedAt());
    }

    @Test
    void aPlateInCyrillicLookAlikesIsStoredAsLatinAndOneWithAnUnreadableCharacterIsRefusedNamingIt() throws Exception {
        String body = "[" + Reads.read("cam-001", "\u0410123\u0412\u042177") + "," + Reads.read("cam-001", "\u4eacA12345") + "]";
        HttpResponse<String> r = postReads("application/json", body);
        assertEquals(202, r.statusCode(), r.body());
        JsonNode res = json(r);
        assertEquals(1, res.get("accepted").asInt());
        JsonNode refused = res.get("rejected").get(0);
        assertEquals(1, refused.get("index").asInt());
        assertEquals("plate_character", refused.get("code").asText(), refused.toString());
        assertTrue(refused.get("reason").asText().contains("'\u4eac' (U+4EAC)"), refused.toString());
        assertEquals("A123BC77", gw.spooled().get(0).get("plate_norm").asText());
        assertEquals("\u0410123\u0412\u042177", gw.spooled().get(0).get("plate").asText());
        List<DeadLetter> letters = gw.deadLetters();
        assertEquals(1, letters.size());
        assertTrue(letters.get(0).reason().startsWith("plate_character: plate '\u4eacA12345' has '\u4eac' (U+4EAC)"), letters.get(0).reason());
        assertTrue(letters.get(0).payload().contains("\u4eacA12345"), "the read as sent: " + letters.get(0).payload());
    }

    /**
     * The probe's reads: a NUL in the plate (accepted and shown to investigators before), a zero-width
     * space in a vehicle attribute, a blank plate, an image_ref that would run script in a user interface,
     * a captured_at with a decimal point and no digits. Each is refused with its code, and each leaves
     * its dead letter with the bytes as sent; the reasons hold no control character.
     */
    @Test
    void controlCharactersBlankPlatesScriptLinksAndMalformedTimesAreRefusedAndDeadLettered() throws Exception {
        String now = java.time.Instant.now().minusSeconds(5).toString();
        String body = "[{\"camera_id\":\"cam-001\",\"captured_at\":\"" + now + "\",\"plate\":\"AB\\u0000C1\"},"
                + "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + now + "\",\"plate\":\"ABC1\",\"vehicle\":{\"make\":\"for\\u200bd\"}},"
                + "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + now + "\",\"plate\":\"   \"},"
                + "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + now + "\",\"plate\":\"ABC1\",\"image_ref\":\"javascript:alert(1)\"},"
                + "{\"camera_id\":\"cam-001\",\"captured_at\":\"2026-11-25T01:33:38.Z\",\"plate\":\"ABC1\"},"
                + "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + now + "\",\"plate\":\"ABC1\",\"region\":\"\",\"vehicle\":{\"make\":\"\"}},"
                // half a surrogate pair in the read id, which the dead letter keeps as its read_id
                + "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + now + "\",\"plate\":\"ABC1\",\"read_id\":\"r-\\ud800\"}]";
        HttpResponse<String> r = postReads("application/json", body);
        assertEquals(202, r.statusCode(), r.body());
        JsonNode res = json(r);
        assertEquals(1, res.get("accepted").asInt(), r.body());
        List<String> codes = new java.util.ArrayList<>();
        res.get("rejected").forEach(x -> codes.add(x.get("code").asText()));
        assertEquals(List.of("invalid_character", "invalid_character", "missing_field", "invalid_field", "invalid_field", "invalid_character"),
                codes, r.body());
        JsonNode rejected = res.get("rejected");
        assertTrue(rejected.get(0).get("reason").asText().startsWith("invalid_character: plate holds U+0000 at character 3"), r.body());
        assertTrue(rejected.get(1).get("reason").asText().startsWith("invalid_character: vehicle.make holds U+200B"), r.body());
        assertEquals("missing_field: plate holds only blanks; it is required", rejected.get(2).get("reason").asText());
        assertTrue(rejected.get(3).get("reason").asText().startsWith("invalid_field: image_ref has the scheme 'javascript:'"), r.body());
        assertTrue(rejected.get(4).get("reason").asText().endsWith("a decimal sign must be followed by at least one digit"), r.body());
        // the empty region and make count as not sent: the read is stored without them
        JsonNode stored = gw.spooled().get(0);
        assertTrue(!stored.has("region") && !stored.has("vehicle"), stored.toString());
        List<DeadLetter> letters = gw.deadLetters();
        assertEquals(6, letters.size(), letters.toString());
        assertTrue(letters.get(0).payload().contains("\"AB\\u0000C1\""), "the bytes as sent: " + letters.get(0).payload());
        assertTrue(letters.get(5).reason().startsWith("invalid_character: read_id holds U+D800 at character 3, half of a UTF-16 surrogate pair"),
                letters.get(5).reason());
        for (DeadLetter l : letters) assertTrue(l.reason().chars().noneMatch(Character::isISOControl), l.reason());
    }

    @Test
    void wrongSecretIs401WithChallenge() throws Exception {
        HttpResponse<String> r = post("/v1/reads", "application/json", Reads.read("cam-001", "ABC123"), basic("cam-001", "wrong"));
        assertEquals(401, r.statusCode());
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
        HttpResponse<String> none = post("/v1/reads", "application/json", Reads.read("cam-001", "ABC123"), null);
        assertEquals(401, none.statusCode());
        HttpResponse<String> unknown = post("/v1/reads", "application/json", Reads.read("cam-999", "ABC123"), basic("cam-999", "demo-cam-001"));
        assertEquals(401, unknown.statusCode());
        assertEquals(0, gw.spooled().size());
    }

    @Test
    void oversizeBodyIs413() throws Exception {
        StringBuilder sb = new StringBuilder("[");
        while (sb.length() < 70_000) sb.append(Reads.read("cam-001", "BIG001")).append(',');
        sb.setLength(sb.length() - 1);
        sb.append(']');
        HttpResponse<String> r = postReads("application/json", sb.toString());
        assertEquals(413, r.statusCode(), r.body());
        assertEquals(0, gw.spooled().size());
    }

    @Test
    void tooManyReadsIs413() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 51; i++) sb.append(Reads.read("cam-001", "MAX" + i)).append('\n');
        HttpResponse<String> r = postReads("application/x-ndjson", sb.toString());
        assertEquals(413, r.statusCode(), r.body());
        assertEquals("too_large", json(r).get("code").asText(), r.body());
        assertEquals(0, gw.spooled().size());
        // refused whole, but read: its dead letter keeps the body as sent
        var letters = gw.deadLetters();
        assertEquals(1, letters.size(), letters.toString());
        assertEquals("too_large: more than 50 reads in one request", letters.get(0).reason());
        assertEquals(sb.toString(), letters.get(0).payload());
    }

    @Test
    void tooManyReadsFromAVendorWebhookIs413() throws Exception {
        // one Plate Recognizer payload maps to a read per result: the same limit as a native batch
        StringBuilder results = new StringBuilder();
        for (int i = 0; i < 51; i++) results.append(i == 0 ? "" : ",").append("{\"plate\":\"vnd").append(i).append("\"}");
        String payload = "{\"hook\":{\"event\":\"recognition\"},\"data\":{\"camera_id\":\"x\",\"timestamp\":\""
                + Instant.now().minusSeconds(1) + "\",\"results\":[" + results + "]}}";
        HttpResponse<String> r = post("/v1/reads/platerecognizer", "application/json", payload, basic("cam-001", "demo-cam-001"));
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(json(r).get("message").asText().contains("more than 50 reads"), r.body());
        assertEquals(0, gw.spooled().size());

        // at the limit it is accepted whole
        String fifty = payload.replace(",{\"plate\":\"vnd50\"}", "");
        HttpResponse<String> ok = post("/v1/reads/platerecognizer", "application/json", fifty, basic("cam-001", "demo-cam-001"));
        assertEquals(202, ok.statusCode(), ok.body());
        assertEquals(50, json(ok).get("accepted").asInt());
        assertEquals(50, gw.spooled().size());
    }

    @Test
    void anAppendOverTheSpoolsFrameLimitIs413NotARetry() {
        HttpErrorMapping m = HttpErrorMapping.of(new java.util.concurrent.CompletionException(
                new AppendTooLargeException("append of 40000000 bytes exceeds the frame limit of 33554432")));
        assertEquals(413, m.status());
        assertEquals("too_large", m.error());
        assertNull(m.retryAfterSeconds());
        assertTrue(m.message().contains("send fewer reads per request"), m.message());
    }

    @Test
    void anUnexpectedFaultIsA500ThatKeepsTheGatewaysInternalsToItsLog() {
        HttpErrorMapping m = HttpErrorMapping.of(new java.util.concurrent.CompletionException(
                new NullPointerException("Cannot invoke \"org.platewarden.core.spool.Spool.append()\" because \"this.spool\" is null")));
        assertEquals(500, m.status());
        assertEquals("internal_error", m.error());
        assertEquals(HttpErrorMapping.UNEXPECTED_FAULT, m.message());
        assertFalse(m.message().contains("org.platewarden") || m.message().contains("null"), m.message());
    }

    @Test
    void garbageIs400AndDeadLettered() throws Exception {
        HttpResponse<String> r = postReads("application/json", "this is not json");
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("bad_request", json(r).get("error").asText());
        HttpResponse<String> scalar = postReads("application/json", "42");
        assertEquals(400, scalar.statusCode());
        HttpResponse<String> trailing = postReads("application/json", Reads.read("cam-001", "ABC123") + " junk");
        assertEquals(400, trailing.statusCode());
        assertEquals(0, gw.spooled().size());
        assertTrue(gw.deadLetters().stream().anyMatch(l -> l.payload().equals("this is not json") && l.reason().startsWith("invalid_json")));
    }

    @Test
    void healthAndMetrics() throws Exception {
        postReads("application/json", Reads.read("cam-001", "MET001"));
        postReads("application/json", "[" + Reads.read("cam-001", "X") + "]");
        HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, live.statusCode());
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());
        HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, m.statusCode());
        assertTrue(m.body().contains("platewarden_gateway_reads_accepted_total{protocol=\"http\",source=\"http\"} 1.0"), m.body());
        assertTrue(m.body().contains("platewarden_gateway_reads_rejected_total{protocol=\"http\",reason=\"plate_length\",source=\"http\"} 1.0"), m.body());
        assertTrue(m.body().contains("platewarden_gateway_ack_latency_seconds"), m.body());
        assertTrue(m.body().contains("platewarden_gateway_spool_bytes"), m.body());
        assertTrue(m.body().contains("platewarden_gateway_connected_cameras"), m.body());
    }

    /** docs/operations.md ("What to alert on"): the rejections by reason are scraped at 0 before the first read. */
    @Test
    void everyRejectionReasonIsScrapedAtZeroFromTheStart() throws Exception {
        HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, m.statusCode());
        List<String[]> expected = new java.util.ArrayList<>();
        for (String reason : org.platewarden.core.read.Rejection.CODES) {
            for (String source : List.of("http", "openalpr", "platerecognizer")) {
                if (!reason.equals("vendor_format") || !source.equals("http")) expected.add(new String[] {"http", source, reason});
            }
            if (!reason.equals("vendor_format")) expected.add(new String[] {"mqtt", "mqtt", reason});
        }
        for (String source : List.of("http", "openalpr", "platerecognizer")) expected.add(new String[] {"http", source, "unsupported_media_type"});
        expected.add(new String[] {"mqtt", "mqtt", "topic_not_allowed"});
        for (String[] e : expected) {
            String series = "platewarden_gateway_reads_rejected_total{protocol=\"" + e[0] + "\",reason=\"" + e[2] + "\",source=\"" + e[1] + "\"} 0.0";
            assertTrue(m.body().contains(series + "\n"), series + " in\n" + m.body());
        }
        assertFalse(m.body().contains("reason=\"vendor_format\",source=\"http\""), "no vendor refusal on the native route");
        // the other counters the guides name for alerts on cameras: their series appeared only with the first event
        for (String series : List.of("platewarden_gateway_auth_failures_total{protocol=\"http\"} 0.0",
                "platewarden_gateway_auth_failures_total{protocol=\"mqtt\"} 0.0", "platewarden_gateway_mqtt_oversize_total 0.0",
                "platewarden_gateway_mqtt_packets_discarded_total 0.0")) {
            assertTrue(m.body().contains(series + "\n"), series + " in\n" + m.body());
        }
        // each reason an MQTT connection is closed with: the probe saw disconnects_total only after its first event
        for (String reason : List.of("quota_exceeded", "packet_too_large", "topic_alias_invalid", "qos_not_supported", "protocol_error",
                "session_taken_over", "not_authorized", "administrative_action", "server_busy", "implementation_specific_error",
                "unspecified_error")) {
            String series = "platewarden_gateway_mqtt_disconnects_total{reason=\"" + reason + "\"} 0.0";
            assertTrue(m.body().contains(series + "\n"), series + " in\n" + m.body());
        }
        // every code Rejection declares is among them
        for (java.lang.reflect.Field f : org.platewarden.core.read.Rejection.class.getFields()) {
            if (f.getType() == String.class) assertTrue(org.platewarden.core.read.Rejection.CODES.contains((String) f.get(null)), f.getName());
        }
    }

    /** Every line of every dead-letter file, as written. */
    /**
     * A read refused for a {@code read_id} over 256 characters keeps the id in its dead letter, for ops
     * searching by it: whole when a stored id could be that long, else its first 512 characters with
     * its length (the payload keeps it all).
     */
    @Test
    void aReadIdTooLongIsStillInItsDeadLetter() throws Exception {
        String longId = "vendor-seq-" + "7".repeat(289); // 300 characters
        String hugeId = "0123456789".repeat(1_000);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String body = String.join("\n",
                "{\"read_id\":\"" + longId + "\",\"camera_id\":\"cam-001\",\"captured_at\":\"" + now + "\",\"plate\":\"LNG 001\"}",
                "{\"read_id\":\"" + hugeId + "\",\"camera_id\":\"cam-001\",\"captured_at\":\"" + now + "\",\"plate\":\"LNG 002\"}");
        HttpResponse<String> r = postReads("application/x-ndjson", body);
        assertEquals(202, r.statusCode(), r.body());
        assertEquals(List.of("invalid_field", "invalid_field"), json(r).get("rejected").findValuesAsText("code"), r.body());

        List<DeadLetter> letters = gw.deadLetters();
        assertEquals(2, letters.size(), letters.toString());
        assertEquals(longId, letters.get(0).readId());
        assertNull(letters.get(0).readIdLength());
        assertEquals(hugeId.substring(0, DeadLetter.MAX_READ_ID_CHARS), letters.get(1).readId());
        assertEquals(hugeId.length(), letters.get(1).readIdLength());
        assertTrue(letters.get(1).payload().contains(hugeId), "the payload keeps the whole id");
        String disk = filesOnDisk();
        assertTrue(disk.contains("\"read_id\":\"" + longId + "\""), disk);
        assertTrue(disk.contains("\"read_id_length\":10000"), disk);
    }

    String filesOnDisk() throws Exception {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(dir.resolve("deadletter"))) {
            for (Path f : files.toList()) all.append(Files.readString(f));
        }
        return all.toString();
    }

    /**
     * A read refused because it is already past retention leaves a dead letter without its payload
     * and plate (keeping them would break the promise the refusal keeps); any other refused read
     * keeps the bytes it was sent with.
     */
    @Test
    void aReadPastRetentionIsDeadLetteredWithoutItsPayloadAndPlateWhileAnotherRefusalKeepsItsBytes() throws Exception {
        Instant old = Instant.parse("2020-03-04T05:06:07.089Z");
        Instant today = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String body = String.join("\n",
                // too_old, with a read id of its own
                "{\"read_id\":\"r-77\",\"camera_id\":\"cam-001\",\"captured_at\":\"" + old + "\",\"plate\":\"OLD 4411\",\"plate_confidence\":0.9}",
                // too_old, with a read id that holds the plate: the id goes too
                "{\"read_id\":\"cam-001:1583298367089:OLD4412\",\"camera_id\":\"cam-001\",\"captured_at\":\"" + old + "\",\"plate\":\"old-4412\"}",
                // past retention but refused by a rule checked first: still no plate
                "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + old + "\",\"plate\":\"OLD 4413\",\"colour\":\"red\"}",
                // a read of today refused for its plate: the dead letter keeps the bytes as sent
                "{\"camera_id\":\"cam-001\",\"captured_at\":\"" + today + "\",\"plate\":\"X\"}",
                Reads.read("cam-001", "NEW4415"));
        HttpResponse<String> r = postReads("application/x-ndjson", body);
        assertEquals(202, r.statusCode(), r.body());
        JsonNode res = GatewayHarness.JSON.readTree(r.body());
        assertEquals(1, res.get("accepted").asInt());
        List<String> codes = res.get("rejected").findValuesAsText("code");
        assertEquals(List.of("too_old", "too_old", "unknown_field", "plate_length"), codes, r.body());

        List<DeadLetter> letters = gw.deadLetters();
        assertEquals(4, letters.size());
        for (DeadLetter l : letters.subList(0, 3)) {
            assertEquals("gateway-http", l.stage());
            assertEquals("cam-001", l.cameraId());
            assertEquals(old, l.capturedAt(), l.toString());
            assertNull(l.payload(), l.toString());
            assertNull(l.payloadBase64(), l.toString());
            assertFalse(l.truncated());
            assertTrue(l.payloadWithheld().startsWith("past_retention: "), l.toString());
            assertTrue(l.at().isAfter(Instant.now().minusSeconds(60)), "the time it was received: " + l.at());
        }
        assertEquals("r-77", letters.get(0).readId());
        assertTrue(letters.get(0).reason().startsWith("too_old: captured_at 2020-03-04T05:06:07.089Z is outside the 21-day retention window"),
                letters.get(0).reason());
        assertNull(letters.get(1).readId(), "the sent id holds the plate");
        assertTrue(letters.get(2).reason().startsWith("unknown_field"), letters.get(2).reason());

        DeadLetter kept = letters.get(3);
        assertTrue(kept.reason().startsWith("plate_length"), kept.reason());
        assertNull(kept.payloadWithheld());
        assertEquals(today, kept.capturedAt(), "what its file is chosen by");
        assertTrue(kept.payload().contains("\"plate\":\"X\""), kept.payload());

        // and so on disk: no trace of the old plates anywhere in the files
        String disk = filesOnDisk();
        // whole plates, not their digits alone: "4412" was also found in the nanoseconds of a letter's "at"
        for (String plate : List.of("OLD 4411", "OLD4411", "old-4412", "OLD4412", "OLD 4413", "OLD4413")) {
            assertFalse(disk.contains(plate), plate + " in " + disk);
        }
        assertTrue(disk.contains("\"captured_at\":\"2020-03-04T05:06:07.089Z\""), disk);
        assertTrue(disk.contains("\"payload_withheld\":\"past_retention: "), disk);
    }

    /**
     * A camera-sent id that holds the plate is stored as sent, and the never-deleted audit trail keeps the
     * ids searches return: the read is accepted, counted, and ops are told which camera, without the plate.
     */
    @Test
    void aReadIdHoldingThePlateIsAcceptedCountedAndItsCameraNamedWithoutThePlate() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String body = String.join("\n",
                "{\"read_id\":\"cam-001:" + now.toEpochMilli() + ":ZQXPRIV1\",\"camera_id\":\"cam-001\",\"captured_at\":\"" + now
                        + "\",\"plate\":\"zqx-priv1\"}",
                "{\"read_id\":\"1001\",\"camera_id\":\"cam-001\",\"captured_at\":\"" + now + "\",\"plate\":\"ZQXPRIV2\"}",
                Reads.read("cam-001", "ZQXPRIV3"));
        List<String> logged;
        try (LogCapture log = new LogCapture()) {
            HttpResponse<String> r = postReads("application/x-ndjson", body);
            assertEquals(202, r.statusCode(), r.body());
            assertEquals(3, json(r).get("accepted").asInt(), r.body());
            logged = log.lines();
        }
        assertEquals(1.0, gw.registry.get("platewarden.gateway.read_ids.with_plate").tag("source", "http").counter().count());
        assertTrue(logged.stream().anyMatch(l -> l.contains("WARN") && l.contains("camera cam-001 sends read_ids that hold the read's plate")),
                String.join("\n", logged));
        assertTrue(logged.stream().noneMatch(l -> l.contains("ZQX")), String.join("\n", logged));
    }
}
