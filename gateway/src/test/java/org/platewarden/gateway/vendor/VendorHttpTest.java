package org.platewarden.gateway.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.deadletter.DeadLetter;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.gateway.testsupport.GatewayHarness;

/** The vendor webhooks end to end: sample payloads (capture time moved to now) land in the spool. */
class VendorHttpTest {
    @TempDir
    Path dir;

    static HttpResponse<String> post(GatewayHarness gw, String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + path))
                .header("Authorization", GatewayHarness.basic("cam-101", "demo-cam-101"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void openAlprAndPlateRecognizerWebhooks() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            ObjectNode alpr = (ObjectNode) VendorAdapterTest.sample("openalpr-alpr_group.json");
            alpr.put("epoch_start", Instant.now().toEpochMilli() - 2000);
            HttpResponse<String> r1 = post(gw, "/v1/reads/openalpr", alpr.toString());
            assertEquals(202, r1.statusCode(), r1.body());
            assertEquals(1, GatewayHarness.JSON.readTree(r1.body()).get("accepted").asInt());

            ObjectNode pr = (ObjectNode) VendorAdapterTest.sample("platerecognizer-stream.json");
            ((ObjectNode) pr.get("data")).put("timestamp", Instant.now().minusSeconds(1).toString());
            HttpResponse<String> r2 = post(gw, "/v1/reads/platerecognizer", pr.toString());
            assertEquals(202, r2.statusCode(), r2.body());
            assertEquals(2, GatewayHarness.JSON.readTree(r2.body()).get("accepted").asInt());

            // the unmodified sample is from 2021: outside retention, refused with a reason and dead-lettered
            HttpResponse<String> old = post(gw, "/v1/reads/platerecognizer", VendorAdapterTest.sample("platerecognizer-snapshot.json").toString());
            assertEquals(202, old.statusCode(), old.body());
            JsonNode oldRes = GatewayHarness.JSON.readTree(old.body());
            assertEquals(0, oldRes.get("accepted").asInt());
            assertEquals("too_old", oldRes.get("rejected").get(0).get("code").asText());

            List<JsonNode> spooled = gw.spooled();
            assertEquals(List.of("openalpr", "platerecognizer", "platerecognizer"), spooled.stream().map(d -> d.get("source").asText()).sorted().toList());
            for (JsonNode d : spooled) {
                assertEquals("cam-101", d.get("camera_id").asText());
                assertEquals("ACSO", d.get("agency").asText());
            }
            assertEquals(1, gw.deadLetters().size());
        }
    }

    /**
     * A vendor read refused by its adapter after the adapter read its time, or refused by a rule after
     * it, is dated by that time: its dead letter goes in the file of that day, deleted when the day expires.
     */
    @Test
    void aRefusedVendorReadIsFiledUnderItsCaptureDay() throws Exception {
        LocalDate twentyDaysAgo = LocalDate.now(ZoneOffset.UTC).minusDays(20);
        Instant captured = twentyDaysAgo.atTime(12, 0).toInstant(ZoneOffset.UTC);
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            // OpenALPR's epoch_start in seconds: refused, but dated as the seconds it looks like
            ObjectNode alpr = (ObjectNode) VendorAdapterTest.sample("openalpr-alpr_group.json");
            alpr.put("epoch_start", captured.getEpochSecond());
            HttpResponse<String> r = post(gw, "/v1/reads/openalpr", alpr.toString());
            assertEquals(202, r.statusCode(), r.body());
            // a Plate Recognizer read refused for its plate, after its timestamp was read
            ObjectNode pr = (ObjectNode) VendorAdapterTest.sample("platerecognizer-stream.json");
            ((ObjectNode) pr.get("data")).put("timestamp", captured.plus(Duration.ofHours(1)).toString());
            ((ObjectNode) pr.get("data").get("results").get(0)).put("plate", "x");
            r = post(gw, "/v1/reads/platerecognizer", pr.toString());
            assertEquals(202, r.statusCode(), r.body());

            Path file = dir.resolve("deadletter").resolve(DeadLetterStore.fileName(twentyDaysAgo));
            try (Stream<Path> files = Files.list(dir.resolve("deadletter"))) {
                assertEquals(List.of(file), files.toList());
            }
            List<DeadLetter> letters = gw.deadLetters();
            assertEquals(2, letters.size(), letters.toString());
            assertTrue(letters.get(0).reason().startsWith("vendor_format: epoch_start "), letters.get(0).toString());
            assertEquals(captured, letters.get(0).capturedAt());
            assertTrue(letters.get(0).payload().contains("\"best_plate_number\""), letters.get(0).toString());
            assertTrue(letters.get(1).reason().startsWith("plate_length"), letters.get(1).toString());
            assertEquals(captured.plus(Duration.ofHours(1)), letters.get(1).capturedAt());
            assertNull(letters.get(1).payloadWithheld());
        }
    }

    /**
     * Valid JSON that is no webhook body of the product (an array of groups): the vendor format's code,
     * not invalid_json; and a body an adapter refuses as a whole is dead-lettered with the bytes sent.
     */
    @Test
    void anArrayIsNoWebhookBodyAndARefusedBodyKeepsTheBytesSent() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            String groups = "[" + VendorAdapterTest.sample("openalpr-alpr_group.json") + "]";
            HttpResponse<String> array = post(gw, "/v1/reads/openalpr", groups);
            assertEquals(400, array.statusCode(), array.body());
            JsonNode a = GatewayHarness.JSON.readTree(array.body());
            assertEquals("vendor_format", a.get("code").asText(), array.body());
            assertEquals("an OpenALPR webhook body is one JSON object, not a JSON array (one webhook call per request)", a.get("message").asText());
            HttpResponse<String> prArray = post(gw, "/v1/reads/platerecognizer", "[]");
            assertEquals("vendor_format", GatewayHarness.JSON.readTree(prArray.body()).get("code").asText(), prArray.body());

            String noType = "{\"best_plate_number\":\"ABC123\",  \"epoch_start\":" + Instant.now().toEpochMilli() + "}";
            HttpResponse<String> missing = post(gw, "/v1/reads/openalpr", noType);
            assertEquals(202, missing.statusCode(), missing.body());
            assertEquals("vendor_format: data_type is missing (send alpr_group results)",
                    GatewayHarness.JSON.readTree(missing.body()).get("rejected").get(0).get("reason").asText());

            // a Plate Recognizer body without data.timestamp: one refusal, its letter the body as sent
            String noTime = "{\"hook\": {\"event\": \"recognition\"},\n \"data\": {\"results\": [{\"plate\": \"abc123\"}, {\"plate\": \"xyz789\"}]}}";
            HttpResponse<String> undated = post(gw, "/v1/reads/platerecognizer", noTime);
            assertEquals(202, undated.statusCode(), undated.body());
            JsonNode u = GatewayHarness.JSON.readTree(undated.body());
            assertEquals(0, u.get("accepted").asInt());
            assertEquals(1, u.get("rejected").size(), undated.body());

            List<DeadLetter> letters = gw.deadLetters();
            assertEquals(4, letters.size(), letters.toString());
            assertEquals(groups, letters.get(0).payload());
            assertTrue(letters.get(0).reason().startsWith("vendor_format: an OpenALPR webhook body is one JSON object"), letters.get(0).reason());
            assertEquals(noType, letters.get(2).payload());
            assertEquals(noTime, letters.get(3).payload());
            assertEquals("vendor_format: data.timestamp is missing; none of the body's 2 result(s) was read", letters.get(3).reason());
            assertTrue(gw.spooled().isEmpty());
        }
    }

    /** Two JSON values in one webhook body: invalid JSON, as on /v1/reads, not a repeated field. */
    @Test
    void aSecondValueAfterTheFirstIsInvalidJsonAndARepeatedFieldIsNamed() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir)) {
            HttpResponse<String> trailing = post(gw, "/v1/reads/openalpr", "{\"data_type\":\"alpr_heartbeat\"}{\"data_type\":\"alpr_heartbeat\"}");
            assertEquals(400, trailing.statusCode(), trailing.body());
            JsonNode t = GatewayHarness.JSON.readTree(trailing.body());
            assertEquals("invalid_json", t.get("code").asText(), trailing.body());
            HttpResponse<String> repeated = post(gw, "/v1/reads/openalpr", "{\"data_type\":\"alpr_group\",\"data_type\":\"alpr_heartbeat\"}");
            assertEquals(400, repeated.statusCode(), repeated.body());
            JsonNode r = GatewayHarness.JSON.readTree(repeated.body());
            assertEquals("duplicate_field", r.get("code").asText(), repeated.body());
            assertEquals("field 'data_type' appears more than once in one object", r.get("message").asText());
        }
    }
}
