package org.platewarden.gateway.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.Camera;
import org.platewarden.core.read.ReadValidator;
import org.platewarden.core.read.Rejection;
import org.platewarden.core.read.StoredRead;
import org.platewarden.gateway.ingest.IngestItem;

class VendorAdapterTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Camera CAM = new Camera("cam-001", "DPD", "pbkdf2-sha256$100000$x$y", null);

    static JsonNode sample(String name) throws Exception {
        try (InputStream in = VendorAdapterTest.class.getResourceAsStream("/samples/" + name)) {
            return MAPPER.readTree(in);
        }
    }

    /** The native read an adapter mapped the webhook to, as the text its dead letter would keep. */
    static JsonNode mapped(IngestItem item) throws Exception {
        return MAPPER.readTree(item.payloadText());
    }

    /** The sample's own capture time is "now" for the validator, so the whole mapping passes validation. */
    static JsonNode validated(IngestItem item, Instant now, String source) throws Exception {
        ReadValidator v = new ReadValidator(21, 300, Clock.fixed(now, ZoneOffset.UTC));
        var result = v.validate(item.read(), CAM, source);
        assertTrue(result instanceof StoredRead, () -> "not stored: " + result);
        return MAPPER.readTree(((StoredRead) result).document());
    }

    @Test
    void openAlprGroupMapsToOneRead() throws Exception {
        List<IngestItem> items = new OpenAlprAdapter().toReads(sample("openalpr-alpr_group.json"), CAM);
        assertEquals(1, items.size());
        JsonNode read = mapped(items.get(0));
        assertEquals("cam-001", read.get("camera_id").asText(), "vendor camera 1234 maps to the authenticated camera");
        assertEquals("D2651BF", read.get("plate").asText());
        assertEquals(0.919237747192383, read.get("plate_confidence").asDouble(), 1e-9);
        assertEquals(Instant.ofEpochMilli(1562681121504L).toString(), read.get("captured_at").asText());
        assertEquals("US-MO", read.get("region").asText());
        assertEquals(37.635986328125, read.get("location").get("lat").asDouble());
        assertEquals(-92.5606536865234, read.get("location").get("lon").asDouble());
        assertEquals(316.610229492188, read.get("heading_deg").asDouble(), 1e-9);
        assertEquals("ford", read.get("vehicle").get("make").asText());
        assertEquals("explorer", read.get("vehicle").get("model").asText());
        assertEquals("silver-gray", read.get("vehicle").get("color").asText());
        assertEquals("suv-standard", read.get("vehicle").get("type").asText());

        JsonNode doc = validated(items.get(0), Instant.ofEpochMilli(1562681124479L), "openalpr");
        assertEquals("openalpr", doc.get("source").asText());
        assertEquals("D2651BF", doc.get("plate_norm").asText());
        assertEquals("DPD", doc.get("agency").asText());
    }

    @Test
    void openAlprHeartbeatYieldsNothingAndOtherTypesAreRefusedWithReason() throws Exception {
        assertTrue(new OpenAlprAdapter().toReads(MAPPER.readTree("{\"data_type\":\"alpr_heartbeat\"}"), CAM).isEmpty());
        List<IngestItem> items = new OpenAlprAdapter().toReads(MAPPER.readTree("{\"data_type\":\"alpr_results\",\"results\":[]}"), CAM);
        assertEquals(1, items.size());
        assertEquals(Rejection.VENDOR_FORMAT, items.get(0).parseError().code());
        ObjectNode noEpoch = (ObjectNode) sample("openalpr-alpr_group.json");
        noEpoch.remove("epoch_start");
        assertEquals(Rejection.VENDOR_FORMAT, new OpenAlprAdapter().toReads(noEpoch, CAM).get(0).parseError().code());
        // seconds where OpenALPR sends milliseconds: said so, rather than "too old: 1970-01-21"
        ObjectNode seconds = (ObjectNode) sample("openalpr-alpr_group.json");
        seconds.put("epoch_start", 1_764_000_000L);
        Rejection refused = new OpenAlprAdapter().toReads(seconds, CAM).get(0).parseError();
        assertEquals(Rejection.VENDOR_FORMAT, refused.code());
        assertTrue(refused.reason().contains("looks like seconds since 1970"), refused.reason());
    }

    @Test
    void openAlprWithoutGpsFixHasNoLocation() throws Exception {
        ObjectNode p = (ObjectNode) sample("openalpr-alpr_group.json");
        p.put("gps_latitude", 0.0).put("gps_longitude", 0.0);
        p.remove("vehicle");
        JsonNode read = mapped(new OpenAlprAdapter().toReads(p, CAM).get(0));
        assertFalse(read.has("location"));
        assertFalse(read.has("vehicle"));
    }

    @Test
    void plateRecognizerStreamMapsOneReadPerResult() throws Exception {
        List<IngestItem> items = new PlateRecognizerAdapter().toReads(sample("platerecognizer-stream.json"), CAM);
        assertEquals(2, items.size());
        JsonNode first = mapped(items.get(0));
        assertEquals("cam-001", first.get("camera_id").asText());
        assertEquals("9jub11", first.get("plate").asText());
        assertEquals(0.839, first.get("plate_confidence").asDouble());
        assertEquals("2021-09-29T05:56:13.606935Z", first.get("captured_at").asText());
        assertEquals("GB", first.get("region").asText());
        assertEquals("Big Truck", first.get("vehicle").get("type").asText());
        assertEquals("Volvo", first.get("vehicle").get("make").asText());
        assertEquals("FH", first.get("vehicle").get("model").asText());
        assertEquals("white", first.get("vehicle").get("color").asText());
        assertEquals("nh22kzp", mapped(items.get(1)).get("plate").asText());

        JsonNode doc = validated(items.get(0), Instant.parse("2021-09-29T05:56:14Z"), "platerecognizer");
        assertEquals("9JUB11", doc.get("plate_norm").asText());
        assertEquals("big truck", doc.get("vehicle").get("type").asText());
        // Plate Recognizer's microseconds: captured_at is kept to the millisecond, as it is indexed and searched
        assertEquals("2021-09-29T05:56:13.606Z", doc.get("captured_at").asText());
    }

    @Test
    void plateRecognizerSnapshotTimestampWithoutZoneIsUtc() throws Exception {
        List<IngestItem> items = new PlateRecognizerAdapter().toReads(sample("platerecognizer-snapshot.json"), CAM);
        assertEquals(1, items.size());
        assertEquals("2025-09-09T23:22:38.030345Z", mapped(items.get(0)).get("captured_at").asText());
        assertEquals("US-CA", mapped(items.get(0)).get("region").asText());
        assertNull(items.get(0).parseError());
    }

    @Test
    void plateRecognizerEdgeCases() throws Exception {
        assertTrue(new PlateRecognizerAdapter().toReads(MAPPER.readTree("{\"data\":{\"timestamp\":\"2025-09-09T23:22:38Z\",\"results\":[]}}"), CAM).isEmpty());
        String sent = "{\"data\": {\"timestamp\": \"soon\", \"results\": [{\"plate\": \"abc123\"}, {\"plate\": \"xyz789\"}]}}";
        List<IngestItem> bad = new PlateRecognizerAdapter().toReads(MAPPER.readTree(sent), () -> sent.getBytes(UTF_8), CAM);
        // the body's results are all undated: one refusal, naming the value, whose dead letter keeps the bytes sent
        assertEquals(1, bad.size());
        assertEquals("vendor_format: data.timestamp 'soon' is not a date-time with a UTC offset (or Snapshot's UTC time without one);"
                + " none of the body's 2 result(s) was read", bad.get(0).parseError().reason());
        assertEquals(sent, bad.get(0).payloadText());
        assertNull(bad.get(0).capturedAt());
        String noTime = "{\"data\":{\"camera_id\":\"x\",  \"results\":[{\"plate\":\"abc123\"}]}}";
        bad = new PlateRecognizerAdapter().toReads(MAPPER.readTree(noTime), () -> noTime.getBytes(UTF_8), CAM);
        assertEquals("vendor_format: data.timestamp is missing; none of the body's 1 result(s) was read", bad.get(0).parseError().reason());
        assertEquals(noTime, bad.get(0).payloadText(), "what was sent, not {\"timestamp\":null,\"result\":{…}}");
        assertEquals(Rejection.VENDOR_FORMAT, new PlateRecognizerAdapter().toReads(MAPPER.readTree("{\"hook\":{}}"), CAM).get(0).parseError().code());
        // a time outside the grammar native reads have is refused here too
        for (String t : List.of("2025-09-09T23:22:38.Z", "2025-09-09T23:22:38+15:00", "2025-09-09T23:22:38+00:00:00")) {
            assertEquals(1, new PlateRecognizerAdapter().toReads(MAPPER.readTree("{\"data\":{\"timestamp\":\"" + t
                    + "\",\"results\":[{\"plate\":\"abc123\"}]}}"), CAM).stream().filter(i -> i.parseError() != null).count(), t);
        }
        assertEquals(Instant.parse("2025-09-09T23:22:38.030345Z"), PlateRecognizerAdapter.timestamp("2025-09-09 23:22:38.030345"));
        assertEquals(Instant.parse("2025-09-09T21:22:38Z"), PlateRecognizerAdapter.timestamp("2025-09-09T23:22:38+02:00"));
    }

    @Test
    void openAlprSaysWhenDataTypeIsMissingAndKeepsTheBodySent() throws Exception {
        String sent = "{ \"best_plate_number\": \"ABC123\", \"epoch_start\": 1764000000000 }";
        List<IngestItem> items = new OpenAlprAdapter().toReads(MAPPER.readTree(sent), () -> sent.getBytes(UTF_8), CAM);
        assertEquals("vendor_format: data_type is missing (send alpr_group results)", items.get(0).parseError().reason());
        assertEquals(sent, items.get(0).payloadText());
        assertEquals("vendor_format: data_type is empty or not text (send alpr_group results)",
                new OpenAlprAdapter().toReads(MAPPER.readTree("{\"data_type\":\"\"}"), CAM).get(0).parseError().reason());
        // a value shown in the reason has its control characters masked
        assertEquals("vendor_format: data_type 'alpr?group' is not supported (send alpr_group results)",
                new OpenAlprAdapter().toReads(MAPPER.readTree("{\"data_type\":\"alpr\\u0000group\"}"), CAM).get(0).parseError().reason());
    }

    /** The reason of the one refused item the adapter gave. */
    static String refusal(VendorAdapter adapter, JsonNode body) {
        List<IngestItem> items = adapter.toReads(body, CAM);
        assertEquals(1, items.size());
        assertNotNull(items.get(0).parseError(), () -> "not refused: " + items.get(0).payloadText());
        return items.get(0).parseError().reason();
    }

    @Test
    void openAlprNumbersOfTheWrongTypeOrRangeAreRefusedNamingTheFieldAndTheValueSent() throws Exception {
        // confidence out of range: named as sent (150 on 0-100), not as the 1.5 it maps to
        ObjectNode p = (ObjectNode) sample("openalpr-alpr_group.json");
        p.put("best_confidence", 150);
        assertEquals("vendor_format: best_confidence must be within [0, 100], got 150", refusal(new OpenAlprAdapter(), p));
        // a number sent as a string is refused, as a native plate_confidence "0.9" is, not stored without it
        p = (ObjectNode) sample("openalpr-alpr_group.json");
        p.put("best_confidence", "91.9");
        assertEquals("vendor_format: best_confidence must be a number, got \"91.9\"", refusal(new OpenAlprAdapter(), p));
        p = (ObjectNode) sample("openalpr-alpr_group.json");
        p.put("gps_latitude", "37.6");
        assertEquals("vendor_format: gps_latitude must be a number, got \"37.6\"", refusal(new OpenAlprAdapter(), p));
        p = (ObjectNode) sample("openalpr-alpr_group.json");
        p.remove("gps_longitude");
        assertEquals("vendor_format: gps_latitude and gps_longitude come together or not at all", refusal(new OpenAlprAdapter(), p));
        p = (ObjectNode) sample("openalpr-alpr_group.json");
        p.put("travel_direction", "316");
        assertEquals("vendor_format: travel_direction must be a number, got \"316\"", refusal(new OpenAlprAdapter(), p));
        p = (ObjectNode) sample("openalpr-alpr_group.json");
        p.put("epoch_start", "1562681121504");
        assertEquals("vendor_format: epoch_start must be a number of milliseconds since 1970, got \"1562681121504\"",
                refusal(new OpenAlprAdapter(), p));
        // the refused group's dead letter is dated by its capture time
        p = (ObjectNode) sample("openalpr-alpr_group.json");
        p.put("best_confidence", -1);
        assertEquals(Instant.ofEpochMilli(1562681121504L), new OpenAlprAdapter().toReads(p, CAM).get(0).capturedAt());
    }

    @Test
    void plateRecognizerScoreOfTheWrongTypeOrRangeAndAResultThatIsNoObjectAreRefusedWithWhatIsWrong() throws Exception {
        String at = "{\"data\":{\"timestamp\":\"2025-09-09T23:22:38Z\",\"results\":";
        assertEquals("vendor_format: data.results[0].score must be a number, got \"0.9\"",
                refusal(new PlateRecognizerAdapter(), MAPPER.readTree(at + "[{\"plate\":\"abc123\",\"score\":\"0.9\"}]}}")));
        assertEquals("vendor_format: data.results[0].score must be within [0, 1], got 90",
                refusal(new PlateRecognizerAdapter(), MAPPER.readTree(at + "[{\"plate\":\"abc123\",\"score\":90}]}}")));
        assertEquals("vendor_format: data.results[0] must be an object, got 42",
                refusal(new PlateRecognizerAdapter(), MAPPER.readTree(at + "[42]}}")));
        // the other results of the body are read; the refused one's dead letter keeps it, dated by the body's time
        List<IngestItem> items = new PlateRecognizerAdapter().toReads(MAPPER.readTree(at
                + "[{\"plate\":\"abc123\",\"score\":0.9},\"xyz\",{\"plate\":\"def456\",\"score\":null}]}}"), CAM);
        assertEquals(3, items.size());
        assertNull(items.get(0).parseError());
        assertEquals(0.9, mapped(items.get(0)).get("plate_confidence").asDouble());
        assertEquals("vendor_format: data.results[1] must be an object, got \"xyz\"", items.get(1).parseError().reason());
        assertEquals("\"xyz\"", items.get(1).payloadText());
        assertEquals(Instant.parse("2025-09-09T23:22:38Z"), items.get(1).capturedAt());
        assertNull(items.get(2).parseError());
        assertFalse(mapped(items.get(2)).has("plate_confidence"));
    }
}
