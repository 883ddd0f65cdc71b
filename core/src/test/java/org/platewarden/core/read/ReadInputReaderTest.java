package org.platewarden.core.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.Camera;

/**
 * The streaming reader must give the validator what a Jackson tree of the same payload gives it:
 * these tests stream the payload's bytes and compare with the tree path, including what a tree
 * hides (number types, nested values it would have built and we skip); a repeated field, which a
 * tree hides by keeping its last value, the stream refuses.
 */
class ReadInputReaderTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Refuses a repeated field instead of keeping its last value. */
    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    private static final Instant NOW = Instant.parse("2026-11-22T14:05:00Z");
    private static final Camera CAM = new Camera("cam-017", "DPD", "pbkdf2-sha256$100000$x$y", "test");
    private static final String BASE = "\"camera_id\":\"cam-017\",\"captured_at\":\"2026-11-22T14:03:07.123Z\",\"plate\":\"ABC 1234\"";
    private final ReadValidator validator = new ReadValidator(21, 300, Clock.fixed(NOW, ZoneOffset.UTC));

    /** A result as comparable text: what the validator decided and everything it would store or say. */
    static String describe(ReadResult r) {
        if (r instanceof StoredRead s) return "stored " + s.readId() + " " + s.cameraId() + " " + s.capturedAt() + " " + s.documentAsString();
        Rejection j = (Rejection) r;
        return "rejected " + j.code() + " | " + j.message() + " | " + j.readId();
    }

    private ReadResult streamed(String json) throws Exception {
        try (JsonParser p = ReadInputReader.factory().createParser(json.getBytes(StandardCharsets.UTF_8))) {
            p.nextToken();
            ReadResult r = validator.validate(ReadInputReader.read(p), CAM, "http");
            assertTrue(p.currentToken() == JsonToken.END_OBJECT || !p.currentToken().isStructStart(), "left on the item's last token");
            assertNull(p.nextToken(), "the whole item was consumed: " + json);
            return r;
        }
    }

    /**
     * Streams the payload and validates its tree too; both must decide alike. A tree cannot hold a
     * repeated field (it keeps the last value): for such a payload the stream must refuse it, for the
     * repeat or for an unknown field, which is checked before.
     */
    private ReadResult bothWays(String json) throws Exception {
        ReadResult s = streamed(json);
        JsonNode tree;
        try {
            tree = STRICT.readTree(json);
        } catch (MismatchedInputException repeated) {
            String code = assertInstanceOf(Rejection.class, s, json).code();
            assertTrue(code.equals(Rejection.DUPLICATE_FIELD) || code.equals(Rejection.UNKNOWN_FIELD), json + " -> " + code);
            return s;
        }
        ReadResult t = validator.validate(tree, CAM, "http");
        assertEquals(describe(t), describe(s), json);
        return s;
    }

    private String rejectedCode(String json) throws Exception {
        return assertInstanceOf(Rejection.class, bothWays(json), json).code();
    }

    @Test
    void aRepeatedFieldIsRefusedWhereverItIs() throws Exception {
        // the probe's case: a tree keeps the last camera_id, which passed the camera check
        Rejection r = assertInstanceOf(Rejection.class, streamed("{\"camera_id\":\"cam-999\"," + BASE + "}"));
        assertEquals(Rejection.DUPLICATE_FIELD, r.code());
        assertEquals("field 'camera_id' appears more than once", r.message());
        for (String json : List.of(
                "{" + BASE + ",\"plate\":null}",
                "{\"plate\":7," + BASE + "}",
                "{" + BASE + ",\"read_id\":\"a\",\"read_id\":\"a\"}",
                "{" + BASE + ",\"lane\":1,\"heading_deg\":2,\"lane\":1}",
                "{" + BASE + ",\"location\":{\"lat\":1,\"lon\":2},\"location\":{\"lat\":1,\"lon\":2}}",
                "{" + BASE + ",\"vehicle\":{\"make\":\"Ford\"},\"vehicle\":{\"make\":\"Ford\"}}")) {
            assertEquals(Rejection.DUPLICATE_FIELD, assertInstanceOf(Rejection.class, streamed(json), json).code(), json);
        }
        // inside location and vehicle, named with their parent
        assertEquals("field 'location.lat' appears more than once",
                ((Rejection) streamed("{" + BASE + ",\"location\":{\"lat\":1,\"lon\":2,\"lat\":1}}")).message());
        assertEquals("field 'vehicle.color' appears more than once",
                ((Rejection) streamed("{\"vehicle\":{\"color\":\"red\",\"make\":\"Ford\",\"color\":\"blue\"}," + BASE + "}")).message());
        // the first repeat in payload order is the one named
        assertEquals("field 'plate' appears more than once",
                ((Rejection) streamed("{" + BASE + ",\"plate\":\"X1\",\"location\":{\"lat\":1,\"lat\":2}}")).message());
        // an unknown field is refused first (the same rule order whatever the field order), even when it repeats
        Rejection unknown = assertInstanceOf(Rejection.class, streamed("{\"zz\":1," + BASE + ",\"plate\":\"X1\",\"zz\":3}"));
        assertEquals("unknown field 'zz'", unknown.message());
        // the same name in different objects is no repeat
        assertInstanceOf(StoredRead.class, bothWays("{" + BASE + ",\"location\":{\"lat\":1,\"lon\":2},\"vehicle\":{\"type\":\"suv\",\"make\":\"Ford\"}}"));
        // the rejection still carries the stated read id for the dead letter
        assertEquals("r-7", ((Rejection) streamed("{\"read_id\":\"r-7\"," + BASE + ",\"region\":\"A\",\"region\":\"B\"}")).readId());
    }

    @Test
    void numbersAreJudgedByTheirJsonTypeAndQuotedAsSent() throws Exception {
        assertInstanceOf(StoredRead.class, bothWays("{" + BASE + ",\"lane\":2}"));
        for (String lane : List.of("2.0", "-1", "3000000000", "99999999999999999999", "\"2\"", "true", "[2]")) {
            Rejection r = assertInstanceOf(Rejection.class, bothWays("{" + BASE + ",\"lane\":" + lane + "}"), lane);
            assertEquals("lane must be an integer 0..32767", r.message());
        }
        assertEquals("heading_deg must be within [0, 360], got 400", ((Rejection) bothWays("{" + BASE + ",\"heading_deg\":400}")).message());
        assertEquals("heading_deg must be within [0, 360], got 400.5", ((Rejection) bothWays("{" + BASE + ",\"heading_deg\":400.5}")).message());
        assertEquals("heading_deg must be within [0, 360], got Infinity", ((Rejection) bothWays("{" + BASE + ",\"heading_deg\":1e400}")).message());
        assertEquals("plate_confidence must be within [0, 1], got 12345678901234567890",
                ((Rejection) bothWays("{" + BASE + ",\"plate_confidence\":12345678901234567890}")).message());
        StoredRead s = assertInstanceOf(StoredRead.class, bothWays("{" + BASE + ",\"heading_deg\":45,\"location\":{\"lat\":-0.0,\"lon\":1E2}}"));
        assertTrue(s.documentAsString().contains("\"heading_deg\":45.0"), s.documentAsString());
    }

    /** The streaming path parses fractions with the fast double parser; the tree with the JDK's. */
    @Test
    void fractionsParseToTheSameDoubleAsTheTreeGives() throws Exception {
        Random rnd = new Random(7);
        List<String> texts = new ArrayList<>(List.of("4.9e-324", "2.2250738585072011e-308", "89.99999999999999999999", "0.1000000000000000055511151231257827",
                "1.00000000000000011102230246251565404236316680908203125", "-0.0", "1E1", "39.7392000000000000001"));
        for (int i = 0; i < 3000; i++) {
            double d = (rnd.nextDouble() * 180) - 90;
            texts.add(rnd.nextBoolean() ? Double.toString(d) : new java.math.BigDecimal(d).toPlainString());
        }
        for (String lat : texts) {
            StoredRead s = assertInstanceOf(StoredRead.class, bothWays("{" + BASE + ",\"location\":{\"lat\":" + lat + ",\"lon\":0.5}}"), lat);
            assertTrue(s.documentAsString().contains("\"lat\":" + Double.parseDouble(lat) + ","), lat);
        }
    }

    @Test
    void readsItemsOfAnArrayOneAfterAnother() throws Exception {
        String batch = "[{\"junk\":{\"deep\":[1,{\"x\":[]}]},\"camera_id\":\"c1\"}, 7, [1,[2]], \"x\", null, {\"camera_id\":\"c2\",\"vehicle\":[{}]}]";
        List<ReadInput> items = new ArrayList<>();
        try (JsonParser p = MAPPER.getFactory().createParser(batch)) {
            assertEquals(JsonToken.START_ARRAY, p.nextToken());
            while (p.nextToken() != JsonToken.END_ARRAY) items.add(ReadInputReader.read(p));
            assertNull(p.nextToken());
        }
        assertEquals(6, items.size());
        assertEquals("junk", items.get(0).unknownField);
        assertEquals("c1", items.get(0).cameraId);
        for (int i = 1; i <= 4; i++) assertFalse(items.get(i).isObject(), "item " + i);
        assertEquals("c2", items.get(5).cameraId);
        assertEquals(ReadInput.WRONG_TYPE, items.get(5).vehicle);
    }

    /**
     * Thousands of payloads assembled at random from valid, blank, null, wrong-typed, nested,
     * oversized, repeated and unknown fields in random order: streaming decides as the tree does.
     */
    @Test
    void randomPayloadsDecideAsTheirTreesDo() throws Exception {
        Random rnd = new Random(20261123);
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < 6000; i++) {
            String json = randomRead(rnd);
            ReadResult r = bothWays(json);
            outcomes.merge(r instanceof Rejection j ? j.code() : "stored", 1, Integer::sum);
        }
        // the generator must reach acceptance and the common refusals, or the comparison proves little
        for (String o : List.of("stored", Rejection.UNKNOWN_FIELD, Rejection.INVALID_FIELD, Rejection.MISSING_FIELD, Rejection.CAMERA_MISMATCH,
                Rejection.DUPLICATE_FIELD)) {
            assertTrue(outcomes.getOrDefault(o, 0) >= 50, () -> o + " too rare: " + outcomes);
        }
    }

    private static final String[] FIELDS = {"read_id", "camera_id", "agency", "captured_at", "plate", "plate_confidence", "region",
        "location", "heading_deg", "lane", "vehicle", "image_ref"};

    private static String randomRead(Random rnd) {
        List<String> parts = new ArrayList<>();
        parts.add("\"camera_id\":" + pick(rnd, "\"cam-017\"", "\"cam-017\"", "\"cam-017\"", "\"cam-018\""));
        parts.add("\"captured_at\":" + pick(rnd, "\"2026-11-22T14:03:07.123Z\"", "\"2026-11-22T14:03:07+02:00\"", "\"2026-11-22T14:03:07\""));
        parts.add("\"plate\":" + pick(rnd, "\"ABC 1234\"", "\"xy-99\"", "\"A\"", "\"ÄÖÜ 12\""));
        // a required field now and then absent, and a repeated one now and then: each is refused for it
        if (rnd.nextInt(10) == 0) parts.remove(rnd.nextInt(parts.size()));
        java.util.Set<String> used = new java.util.HashSet<>(List.of("camera_id", "captured_at", "plate"));
        int extra = rnd.nextInt(5);
        for (int k = 0; k < extra; k++) {
            String f = rnd.nextInt(12) == 0 ? pick(rnd, "bogus", "plate_norm", "received_at", "Plate") : FIELDS[rnd.nextInt(FIELDS.length)];
            if (!used.add(f) && rnd.nextInt(4) != 0) continue;
            parts.add("\"" + f + "\":" + value(rnd, f));
        }
        java.util.Collections.shuffle(parts, rnd);
        return "{" + String.join(",", parts) + "}";
    }

    private static String value(Random rnd, String field) {
        if (rnd.nextInt(6) == 0) {
            return pick(rnd, "null", "true", "[]", "{}", "\"\"", "\"   \"", "17", "-2.5", "1e3", "\"" + "x".repeat(300) + "\"", "[{\"a\":[1,2]}]");
        }
        return switch (field) {
            case "plate_confidence" -> pick(rnd, "0.93", "1", "0", "1.5", "-0.1");
            case "heading_deg" -> pick(rnd, "270", "359.9", "361", "0");
            case "lane" -> pick(rnd, "0", "2", "2.0", "-1");
            case "location" -> pick(rnd, "{\"lat\":39.7,\"lon\":-104.9}", "{\"lat\":91,\"lon\":0}", "{\"lat\":1}", "{\"lat\":1,\"lon\":2,\"alt\":3}",
                    "{\"lat\":\"1\",\"lon\":2}", "{\"lat\":1,\"lat\":2,\"lon\":3}");
            case "vehicle" -> pick(rnd, "{\"make\":\"Toyota\",\"color\":\" Silver \"}", "{\"make\":5}", "{\"wheels\":4}", "{\"type\":\"\"}",
                    "{\"model\":\"" + "m".repeat(70) + "\"}", "{\"make\":null,\"model\":\"Camry\"}");
            case "agency" -> pick(rnd, "\"DPD\"", "\"OTHER\"");
            case "camera_id" -> pick(rnd, "\"cam-017\"", "\"cam-018\"");
            case "read_id" -> pick(rnd, "\"r-1\"", "\"" + "r".repeat(257) + "\"");
            default -> pick(rnd, "\"US-CO\"", "\"ok\"", "\"é∑\"");
        };
    }

    private static String pick(Random rnd, String... options) {
        return options[rnd.nextInt(options.length)];
    }
}
