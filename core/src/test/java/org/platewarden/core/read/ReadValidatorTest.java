package org.platewarden.core.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.Camera;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.core.plate.PlateIndexTerms;

class ReadValidatorTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-22T14:05:00Z");
    private static final Camera CAM = new Camera("cam-017", "DPD", "pbkdf2-sha256$100000$x$y", "test");
    private final ReadValidator validator = new ReadValidator(21, 300, Clock.fixed(NOW, ZoneOffset.UTC));

    private static ObjectNode read() {
        return read(CAM.id());
    }

    private static ObjectNode read(String cameraId) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("camera_id", cameraId);
        n.put("captured_at", "2026-11-22T14:03:07.123Z");
        n.put("plate", "ABC 1234");
        return n;
    }

    private static ObjectNode fullRead() throws Exception {
        return (ObjectNode) MAPPER.readTree("""
                {"read_id":"cam-017:1763820187123:ABC1234","camera_id":"cam-017",
                 "captured_at":"2026-11-22T14:03:07.123Z","plate":"ABC 1234","plate_confidence":0.93,
                 "region":"US-CO","location":{"lat":39.7392,"lon":-104.9903},"heading_deg":270,"lane":2,
                 "vehicle":{"make":"Toyota","model":"Camry","color":"silver","type":"sedan"},
                 "image_ref":"https://camera-17.local/crops/1763820187123.jpg"}""");
    }

    /**
     * Validates the read both ways it reaches the validator — as a tree (vendor adapters) and
     * streamed from its bytes (HTTP, MQTT) — and requires the same outcome from both.
     */
    private ReadResult validate(JsonNode in) {
        return validate(in, CAM);
    }

    private ReadResult validate(JsonNode in, Camera camera) {
        ReadResult fromTree = validator.validate(in, camera, "http");
        try (var p = ReadInputReader.factory().createParser(MAPPER.writeValueAsBytes(in))) {
            p.nextToken();
            ReadResult streamed = validator.validate(ReadInputReader.read(p), camera, "http");
            assertEquals(ReadInputReaderTest.describe(fromTree), ReadInputReaderTest.describe(streamed), "streamed from bytes vs from the tree");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return fromTree;
    }

    private JsonNode stored(JsonNode in) throws Exception {
        return stored(in, CAM.id());
    }

    private JsonNode stored(JsonNode in, String cameraId) throws Exception {
        ReadResult r = validate(in, new Camera(cameraId, CAM.agency(), CAM.secretHash(), "test"));
        StoredRead s = assertInstanceOf(StoredRead.class, r, () -> "expected stored, got " + r);
        return MAPPER.readTree(s.document());
    }

    private Rejection rejected(JsonNode in, String code) {
        ReadResult r = validate(in);
        Rejection rej = assertInstanceOf(Rejection.class, r, () -> "expected rejection " + code + ", got " + r);
        assertEquals(code, rej.code(), rej.message());
        assertFalse(rej.message().isBlank());
        return rej;
    }

    @Test
    void fullReadBecomesStoredDocumentWithDerivedFields() throws Exception {
        JsonNode doc = stored(fullRead());
        assertEquals("cam-017:1763820187123:ABC1234", doc.get("read_id").asText());
        assertEquals("cam-017", doc.get("camera_id").asText());
        assertEquals("DPD", doc.get("agency").asText());
        assertEquals("2026-11-22T14:03:07.123Z", doc.get("captured_at").asText());
        assertEquals(NOW.toString(), doc.get("received_at").asText());
        assertEquals("ABC 1234", doc.get("plate").asText());
        assertEquals("ABC1234", doc.get("plate_norm").asText());
        String ocr = OcrFolding.defaults().fold("ABC1234");
        assertEquals(ocr, doc.get("plate_ocr").asText());
        assertFalse(doc.has("plate_grams") || doc.has("plate_dels"), "index terms are the indexer's to add (IndexDocument)");
        assertEquals(7, doc.get("plate_len").asInt(), "plate_len: candidate plans filter on it");
        assertEquals(0.93, doc.get("plate_confidence").asDouble());
        assertEquals("US-CO", doc.get("region").asText());
        assertEquals(39.7392, doc.get("location").get("lat").asDouble());
        assertEquals(-104.9903, doc.get("location").get("lon").asDouble());
        assertEquals(270.0, doc.get("heading_deg").asDouble());
        assertEquals(2, doc.get("lane").asInt());
        assertEquals("toyota", doc.get("vehicle").get("make").asText());
        assertEquals("camry", doc.get("vehicle").get("model").asText());
        assertEquals("https://camera-17.local/crops/1763820187123.jpg", doc.get("image_ref").asText());
        assertEquals("http", doc.get("source").asText());
        for (var it = doc.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            assertTrue(List.of(ReadFields.class.getFields()).stream().anyMatch(fl -> {
                try {
                    return f.equals(fl.get(null));
                } catch (IllegalAccessException e) {
                    return false;
                }
            }), "field not in ReadFields: " + f);
        }
    }

    @Test
    void readIdIsDerivedDeterministicallyWhenAbsent() throws Exception {
        JsonNode a = stored(read());
        JsonNode b = stored(read());
        assertEquals(a.get("read_id"), b.get("read_id"));
    }

    /**
     * Audit records keep the ids a search returned forever: a derived id holding the plate kept
     * bystanders' plates, cameras and capture times past retention. The id's last part is a keyed
     * hash of the read instead — the same for a resend with the same key (another gateway of the
     * node's cluster, a restart), not computable without the key, and not shared by two reads of
     * one plate.
     */
    @Test
    void aDerivedReadIdHoldsNoPlateButAKeyedHashOfTheRead() throws Exception {
        byte[] key = "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        ReadValidator gateway1 = new ReadValidator(21, 300, clock, ReadIdKey.of(key));
        ReadValidator gateway2 = new ReadValidator(21, 300, clock, ReadIdKey.of(key.clone()));
        long at = Instant.parse("2026-11-22T14:03:07.123Z").toEpochMilli();
        String id = idOf(gateway1, read());
        assertFalse(id.contains("ABC1234") || id.contains("ABC 1234"), id);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        String tag = java.util.HexFormat.of().formatHex(mac.doFinal(("cam-017:" + at + ":ABC1234").getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .substring(0, 16);
        assertEquals("cam-017:" + at + ":" + tag, id, "<camera_id>:<epoch ms>:<first 16 hex of HMAC-SHA256(key, camera:ms:plate_norm)>");
        assertEquals(id, idOf(gateway2, read()), "a resend through another gateway with the same key is the same document");
        ObjectNode spaced = read();
        spaced.put("plate", "abc-1234");
        assertEquals(id, idOf(gateway1, spaced), "the plate as normalised: a resend spelt otherwise is the same document");
        assertFalse(id.equals(idOf(new ReadValidator(21, 300, clock, ReadIdKey.random()), read())), "without the key no id can be confirmed");
        ObjectNode other = read();
        other.put("plate", "ABC1235");
        assertFalse(idOf(gateway1, other).endsWith(tag), "another plate at the same camera and time: another tag");
        ObjectNode later = read();
        later.put("captured_at", "2026-11-22T14:03:08.123Z");
        assertFalse(idOf(gateway1, later).endsWith(tag), "the same plate in another read shares no tag with it (no pseudonym to follow)");
        ObjectNode sent = read();
        sent.put("read_id", "cam-017:1763820187123:ABC1234");
        assertEquals("cam-017:1763820187123:ABC1234", idOf(gateway1, sent), "an id the camera sends is kept as sent");
    }

    private static String idOf(ReadValidator v, ObjectNode read) throws Exception {
        ReadResult r = v.validate(read, CAM, "http");
        return assertInstanceOf(StoredRead.class, r, () -> r.toString()).readId();
    }

    @Test
    void capturedAtWithOffsetIsNormalisedToUtc() throws Exception {
        ObjectNode r = read();
        r.put("captured_at", "2026-11-22T15:03:07.123+01:00");
        assertEquals("2026-11-22T14:03:07.123Z", stored(r).get("captured_at").asText());
    }

    @Test
    void requiredFields() {
        for (String f : List.of("camera_id", "captured_at", "plate")) {
            ObjectNode r = read();
            r.remove(f);
            assertTrue(rejected(r, Rejection.MISSING_FIELD).message().contains(f));
            ObjectNode nul = read();
            nul.putNull(f);
            rejected(nul, Rejection.MISSING_FIELD);
        }
    }

    @Test
    void notAnObject() throws Exception {
        rejected(MAPPER.readTree("[1,2]"), Rejection.NOT_AN_OBJECT);
        rejected(MAPPER.readTree("\"x\""), Rejection.NOT_AN_OBJECT);
    }

    @Test
    void cameraMustBeTheAuthenticatedOne() {
        ObjectNode r = read();
        r.put("camera_id", "cam-002");
        rejected(r, Rejection.CAMERA_MISMATCH);
    }

    @Test
    void payloadAgencyMustAgreeWithRegistryOrIsRejected() throws Exception {
        ObjectNode same = read();
        same.put("agency", "DPD");
        assertEquals("DPD", stored(same).get("agency").asText());
        ObjectNode other = read();
        other.put("agency", "FED");
        rejected(other, Rejection.AGENCY_MISMATCH);
    }

    @Test
    void capturedAtNeedsAZone() {
        ObjectNode r = read();
        r.put("captured_at", "2026-11-22T14:03:07");
        rejected(r, Rejection.INVALID_FIELD);
        r.put("captured_at", "yesterday");
        rejected(r, Rejection.INVALID_FIELD);
        r.put("captured_at", 1763820187123L);
        rejected(r, Rejection.INVALID_FIELD);
    }

    @Test
    void platesInLookAlikeLettersAccentsOrFullWidthAreStoredAsTheLatinPlate() throws Exception {
        ObjectNode r = read();
        // a Russian plate as a camera may emit it: Cyrillic А, В, С
        r.put("plate", "\u0410123\u0412\u042177");
        JsonNode doc = stored(r);
        assertEquals("\u0410123\u0412\u042177", doc.get("plate").asText(), "the plate is kept as read");
        assertEquals("A123BC77", doc.get("plate_norm").asText());
        assertEquals(OcrFolding.defaults().fold("A123BC77"), doc.get("plate_ocr").asText());
        ObjectNode latin = read();
        latin.put("plate", "A123BC77");
        assertEquals(stored(latin).get("read_id").asText(), doc.get("read_id").asText(),
                "the derived id is the Latin plate's: a resend in either script is the same document");
        r.put("plate", "M\u00dc AB 123");
        assertEquals("MUAB123", stored(r).get("plate_norm").asText());
        r.put("plate", "\uff21\uff22\uff23\uff11\uff12\uff13");
        assertEquals("ABC123", stored(r).get("plate_norm").asText());
    }

    @Test
    void aPlateWithALetterOrDigitThatIsNotLatinIsRefusedNamingItNotStripped() {
        ObjectNode r = read();
        r.put("plate", "\u4eacA12345");
        Rejection chinese = rejected(r, Rejection.PLATE_CHARACTER);
        assertTrue(chinese.message().contains("'\u4eac' (U+4EAC)"), chinese.message());
        assertTrue(chinese.message().contains("\u4eacA12345"), "names the plate as sent: " + chinese.message());
        r.put("plate", "ABC \u0661\u0662\u0663");
        assertTrue(rejected(r, Rejection.PLATE_CHARACTER).message().contains("'\u0661' (U+0661)"));
    }

    @Test
    void regionIsStoredTrimmedAndUpperCasedSoOneFilterMatchesEverySpelling() throws Exception {
        ObjectNode r = read();
        for (String sent : List.of("US-CA", "us-ca", " US-CA ", "  Us-Ca")) {
            r.put("region", sent);
            assertEquals("US-CA", stored(r).get("region").asText(), "region '" + sent + "'");
        }
        // a tab is a control character, refused in every text field, even where trimming would drop it
        r.put("region", "\tUs-Ca");
        rejected(r, Rejection.INVALID_CHARACTER);
        r.put("region", "   ");
        assertFalse(stored(r).has("region"), "a blank region is no region");
    }

    @Test
    void plateNormLengthTwoToTen() throws Exception {
        ObjectNode r = read();
        r.put("plate", "A-");
        assertEquals("plate 'A-' normalises to 1 character (allowed 2..10)", rejected(r, Rejection.PLATE_LENGTH).message());
        r.put("plate", "AB");
        assertEquals("AB", stored(r).get("plate_norm").asText());
        r.put("plate", "ABCDE 12345");
        assertEquals("ABCDE12345", stored(r).get("plate_norm").asText());
        r.put("plate", "ABCDE 123456");
        assertEquals("plate 'ABCDE 123456' normalises to 11 characters (allowed 2..10)", rejected(r, Rejection.PLATE_LENGTH).message());
        r.put("plate", "---");
        rejected(r, Rejection.PLATE_LENGTH);
        r.put("plate", 1234);
        rejected(r, Rejection.INVALID_FIELD);
    }

    @Test
    void confidenceWithinZeroOne() throws Exception {
        ObjectNode r = read();
        r.put("plate_confidence", 0.0);
        stored(r);
        r.put("plate_confidence", 1.0);
        stored(r);
        r.put("plate_confidence", 1.01);
        rejected(r, Rejection.INVALID_FIELD);
        r.put("plate_confidence", -0.1);
        rejected(r, Rejection.INVALID_FIELD);
        r.put("plate_confidence", "0.9");
        rejected(r, Rejection.INVALID_FIELD);
    }

    @Test
    void locationRanges() throws Exception {
        ObjectNode r = read();
        r.putObject("location").put("lat", 90).put("lon", -180);
        stored(r);
        r.putObject("location").put("lat", 90.5).put("lon", 0);
        rejected(r, Rejection.INVALID_FIELD);
        r.putObject("location").put("lat", 0).put("lon", 180.01);
        rejected(r, Rejection.INVALID_FIELD);
        r.putObject("location").put("lat", 10);
        rejected(r, Rejection.MISSING_FIELD);
        r.putObject("location").put("lat", 10).put("lon", 10).put("alt", 3);
        rejected(r, Rejection.UNKNOWN_FIELD);
        r.put("location", "39.7,-104.9");
        rejected(r, Rejection.INVALID_FIELD);
    }

    @Test
    void headingZeroTo360() throws Exception {
        ObjectNode r = read();
        r.put("heading_deg", 360);
        stored(r);
        r.put("heading_deg", 0);
        stored(r);
        r.put("heading_deg", 360.5);
        rejected(r, Rejection.INVALID_FIELD);
        r.put("heading_deg", -1);
        rejected(r, Rejection.INVALID_FIELD);
    }

    @Test
    void laneNonNegativeInteger() throws Exception {
        ObjectNode r = read();
        r.put("lane", 0);
        assertEquals(0, stored(r).get("lane").asInt());
        r.put("lane", -1);
        rejected(r, Rejection.INVALID_FIELD);
        r.put("lane", 1.5);
        rejected(r, Rejection.INVALID_FIELD);
        r.put("lane", "2");
        rejected(r, Rejection.INVALID_FIELD);
        // the mapping's short: a larger lane would be acknowledged, then refused by Elasticsearch
        r.put("lane", 32767);
        assertEquals(32767, stored(r).get("lane").asInt());
        r.put("lane", 32768);
        rejected(r, Rejection.INVALID_FIELD);
    }

    @Test
    void vehicleAttributesAreLowerCasedStrings() throws Exception {
        ObjectNode r = read();
        r.putObject("vehicle").put("make", "BMW").put("color", "Dark Blue").put("type", "SUV");
        JsonNode v = stored(r).get("vehicle");
        assertEquals("bmw", v.get("make").asText());
        assertEquals("dark blue", v.get("color").asText());
        assertEquals("suv", v.get("type").asText());
        assertFalse(v.has("model"));
        r.putObject("vehicle").put("make", 3);
        rejected(r, Rejection.INVALID_FIELD);
        r.putObject("vehicle").put("wheels", "4");
        rejected(r, Rejection.UNKNOWN_FIELD);
        r.put("vehicle", "bmw");
        rejected(r, Rejection.INVALID_FIELD);
    }

    @Test
    void imageRefStringUpTo2048() throws Exception {
        ObjectNode r = read();
        r.put("image_ref", "x".repeat(2048));
        stored(r);
        r.put("image_ref", "x".repeat(2049));
        rejected(r, Rejection.INVALID_FIELD);
        r.put("image_ref", 5);
        rejected(r, Rejection.INVALID_FIELD);
    }

    /** A refusal for a character names the field and the code point, and never holds the character itself. */
    private Rejection refusedCharacter(ObjectNode r, String field, String codePoint) {
        Rejection rej = rejected(r, Rejection.INVALID_CHARACTER);
        assertTrue(rej.message().startsWith(field + " holds " + codePoint + " at character "), rej.message());
        assertTrue(rej.message().chars().allMatch(c -> c >= 0x20 && c != 0x7f && Character.getType(c) != Character.FORMAT), rej.message());
        return rej;
    }

    @Test
    void controlAndInvisibleCharactersAreRefusedInThePlate() {
        // the probe's plate: NUL between the letters was stored and shown to investigators as it came
        ObjectNode r = read();
        r.put("plate", "AB\u0000C1");
        assertEquals("plate holds U+0000 at character 3, a control character; text fields may not hold control, invisible format"
                + " or line-separator characters", refusedCharacter(r, "plate", "U+0000").message());
        // C0 and C1 controls, DEL; format characters that hide or reorder (zero-width space and joiners,
        // soft hyphen, bidi override and isolate, BOM, a tag character); line and paragraph separators
        for (String c : List.of("\t", "\n", "\u001b", "\u007f", "\u0085", "\u009b", "\u200b", "\u200c", "\u200d", "\u00ad",
                "\u202e", "\u2066", "\ufeff", "\udb40\udc41", "\u2028", "\u2029")) {
            r.put("plate", "AB" + c + "C123");
            refusedCharacter(r, "plate", "U+" + String.format("%04X", c.codePointAt(0)));
        }
        // half a surrogate pair is no character at all
        r.put("plate", "AB\ud800C1");
        assertTrue(refusedCharacter(r, "plate", "U+D800").message().contains("surrogate"));
        r.put("plate", "\u202e1CBA");
        refusedCharacter(r, "plate", "U+202E");
    }

    @Test
    void controlAndInvisibleCharactersAreRefusedInEveryTextField() throws Exception {
        for (String field : List.of("camera_id", "captured_at", "read_id", "agency", "region", "image_ref")) {
            ObjectNode r = fullRead();
            r.put(field, r.path(field).asText("DPD") + "\u0000");
            refusedCharacter(r, field, "U+0000");
            r.put(field, "\u200b" + r.path(field).asText("DPD"));
            refusedCharacter(r, field, "U+200B");
        }
        for (String f : List.of("make", "model", "color", "type")) {
            ObjectNode r = fullRead();
            // leading or trailing: trimming the attribute once hid a control character there
            ((ObjectNode) r.get("vehicle")).put(f, "\u0000ford");
            refusedCharacter(r, "vehicle." + f, "U+0000");
            ((ObjectNode) r.get("vehicle")).put(f, "ford\r");
            refusedCharacter(r, "vehicle." + f, "U+000D");
            ((ObjectNode) r.get("vehicle")).put(f, "mod\u200del");
            refusedCharacter(r, "vehicle." + f, "U+200D");
        }
        // a field of only whitespace controls is not blank (absent), it is refused too
        ObjectNode r = read();
        r.put("region", "\t");
        refusedCharacter(r, "region", "U+0009");
    }

    @Test
    void lettersOfEveryScriptSpacesAndSymbolsStayAllowed() throws Exception {
        ObjectNode r = read();
        r.put("plate", "AB\u00a0123"); // a no-break space separates like a space
        r.put("region", "de-by");
        r.putObject("vehicle").put("make", "\u0160koda").put("model", "Citro\u00ebn \u00c9-C4").put("color", "\u9280\u8272 \ud83d\ude97");
        JsonNode doc = stored(r);
        assertEquals("AB123", doc.get("plate_norm").asText());
        assertEquals("\u0161koda", doc.get("vehicle").get("make").asText());
        assertEquals("\u9280\u8272 \ud83d\ude97", doc.get("vehicle").get("color").asText());
    }

    @Test
    void aRequiredFieldSentEmptyOrBlankIsRefusedSayingSo() {
        for (String f : List.of("camera_id", "captured_at", "plate")) {
            ObjectNode r = read();
            r.put(f, "");
            assertEquals(f + " is empty; it is required", rejected(r, Rejection.MISSING_FIELD).message());
            r.put(f, "   ");
            assertEquals(f + " holds only blanks; it is required", rejected(r, Rejection.MISSING_FIELD).message());
            r.remove(f);
            assertEquals(f + " is required", rejected(r, Rejection.MISSING_FIELD).message());
        }
    }

    @Test
    void anOptionalFieldSentEmptyOrBlankCountsAsNotSent() throws Exception {
        ObjectNode r = read();
        r.put("region", "");
        r.put("image_ref", " ");
        r.put("read_id", "");
        r.put("agency", "");
        r.putObject("vehicle").put("make", "").put("model", "  ").put("color", "red");
        JsonNode doc = stored(r);
        assertFalse(doc.has("region"), doc.toString());
        assertFalse(doc.has("image_ref"), doc.toString());
        assertEquals("DPD", doc.get("agency").asText());
        assertTrue(doc.get("read_id").asText().matches("cam-017:\\d+:[0-9a-f]{16}"), doc.toString());
        assertEquals("{\"color\":\"red\"}", doc.get("vehicle").toString());
        r.putObject("vehicle").put("make", "");
        assertFalse(stored(r).has("vehicle"), "a vehicle of empty attributes is no vehicle");
    }

    @Test
    void imageRefIsAnHttpUrlOrAReferenceWithoutAScheme() throws Exception {
        for (String ok : List.of("https://camera-17.local/crops/1763820187123.jpg", "http://10.0.0.7:8080/crop?id=1", "HTTPS://CDN.EXAMPLE/X.JPG",
                "crops/2026-11-22/1763820187123.jpg", "/crops/1.jpg", "//cdn.example/crops/1.jpg", "1763820187123.jpg",
                "1763820187123:crop.jpg", "./crop:17.jpg", "crops/cam:17/1.jpg", "a1b2c3d4-e5f6")) {
            ObjectNode r = read();
            r.put("image_ref", ok);
            assertEquals(ok, stored(r).get("image_ref").asText(), ok);
        }
        for (String bad : List.of("javascript:alert(1)", "JavaScript:alert(1)", "  javascript:alert(1)", "data:text/html,<script>x</script>",
                "vbscript:msgbox", "file:///etc/passwd", "s3://bucket/crop.jpg", "c:\\crops\\1.jpg", "crop:17.jpg", "ftp://x/y.jpg")) {
            ObjectNode r = read();
            r.put("image_ref", bad);
            Rejection rej = rejected(r, Rejection.INVALID_FIELD);
            assertTrue(rej.message().startsWith("image_ref has the scheme '"), rej.message());
            assertTrue(rej.message().contains("it must be an http or https URL or a reference without a scheme"), rej.message());
        }
    }

    @Test
    void capturedAtIsKeptToTheMillisecond() throws Exception {
        ObjectNode r = read();
        r.put("captured_at", "2026-11-22T14:03:07.123999Z");
        JsonNode micro = stored(r);
        assertEquals("2026-11-22T14:03:07.123Z", micro.get("captured_at").asText());
        r.put("captured_at", "2026-11-22T14:03:07.123Z");
        JsonNode milli = stored(r);
        // the same read, sent with and without microseconds: one id, so the indexer keeps one document
        assertEquals(milli.get("read_id").asText(), micro.get("read_id").asText());
        // cut towards the past, so never into the next UTC day (and its daily index)
        ReadValidator atMidnight = new ReadValidator(21, 300, Clock.fixed(Instant.parse("2026-11-23T00:00:10Z"), ZoneOffset.UTC));
        ObjectNode late = read();
        late.put("captured_at", "2026-11-22T13:59:59.999999999-10:00");
        StoredRead last = assertInstanceOf(StoredRead.class, atMidnight.validate(late, CAM, "http"));
        assertEquals(Instant.parse("2026-11-22T23:59:59.999Z"), last.capturedAt());
        assertEquals("2026-11-22T23:59:59.999Z", MAPPER.readTree(last.document()).get("captured_at").asText());
    }

    @Test
    void aCapturedAtOutsideTheGrammarIsRefusedWithWhy() {
        ObjectNode r = read();
        for (String[] c : new String[][] {{"2026-11-22T14:03:07.Z", "a decimal sign must be followed by at least one digit"},
                {"2026-11-22T14:03:07+00:00:00", "an offset has no seconds"},
                {"2026-11-22T14:03:07+15:00", "the offset +15:00 is beyond ±14:00, which no zone uses"}}) {
            r.put("captured_at", c[0]);
            assertEquals("captured_at '" + c[0] + "' is not an ISO-8601 date-time with a UTC offset: " + c[1],
                    rejected(r, Rejection.INVALID_FIELD).message());
        }
    }

    @Test
    void unknownTopLevelFieldsAndServerFieldsAreRejected() {
        for (String f : List.of("speed", "plate_norm", "received_at", "source", "plate_grams")) {
            ObjectNode r = read();
            r.put(f, "x");
            assertTrue(rejected(r, Rejection.UNKNOWN_FIELD).message().contains(f));
        }
    }

    @Test
    void retentionWindowByUtcCaptureDay() throws Exception {
        // now = 2026-11-22T14:05Z, retention 21 days: oldest accepted UTC day is 2026-11-02
        ObjectNode r = read();
        r.put("captured_at", "2026-11-02T00:00:00Z");
        stored(r);
        r.put("captured_at", "2026-11-01T23:59:59.999Z");
        rejected(r, Rejection.TOO_OLD);
        // the offset does not matter, the UTC day does: 2026-11-02T00:30+01:00 is 2026-11-01 in UTC
        r.put("captured_at", "2026-11-02T00:30:00+01:00");
        rejected(r, Rejection.TOO_OLD);
    }

    @Test
    void futureSkew() throws Exception {
        ObjectNode r = read();
        r.put("captured_at", "2026-11-22T14:10:00Z"); // exactly now + 300 s
        stored(r);
        r.put("captured_at", "2026-11-22T14:10:00.001Z");
        rejected(r, Rejection.IN_FUTURE);
    }

    @Test
    void rejectionCarriesStatedReadId() {
        ObjectNode r = read();
        r.put("read_id", "my-id");
        r.put("lane", -3);
        assertEquals("my-id", rejected(r, Rejection.INVALID_FIELD).readId());
    }

    @Test
    void readIdTooLongRejected() {
        ObjectNode r = read();
        r.put("read_id", "x".repeat(257));
        rejected(r, Rejection.INVALID_FIELD);
    }

    @Test
    void aSentReadIdIsScopedToItsCamera() throws Exception {
        ObjectNode r = read();
        r.put("read_id", "1001");
        assertEquals("cam-017:1001", stored(r).get("read_id").asText(), "a camera's own numbering, under its prefix");
        ObjectNode other = read("cam-002");
        other.put("read_id", "1001");
        assertEquals("cam-002:1001", stored(other, "cam-002").get("read_id").asText(),
                "another camera numbering its reads alike gets another id, so neither read is a conflict");
        r.put("read_id", "cam-017:1763820187123:ZZZ999");
        assertEquals("cam-017:1763820187123:ZZZ999", stored(r).get("read_id").asText(), "already prefixed: kept as sent");
        r.put("read_id", "cam-002:1763820187123:ABC1234");
        assertEquals("cam-017:cam-002:1763820187123:ABC1234", stored(r).get("read_id").asText(),
                "another camera's id (even its derived form) cannot be taken: it lands under this camera's prefix");
        for (String[] c : new String[][] {{"cam-0171:x", "cam-017:cam-0171:x"}, {"cam-017", "cam-017:cam-017"},
                {"cam-017-x", "cam-017:cam-017-x"}, {"cam-017:", "cam-017:"}, {":x", "cam-017::x"}}) {
            r.put("read_id", c[0]);
            assertEquals(c[1], stored(r).get("read_id").asText(), c[0]);
        }
    }

    @Test
    void readIdOverElasticsearchsIdBytesRejected() throws Exception {
        ObjectNode r = read();
        // the stored id is "cam-017:" (8 bytes) + the id: 168 three-byte characters make 512 bytes,
        // under 256 characters; one more byte is over Elasticsearch's 512-byte _id
        r.put("read_id", "中".repeat(168) + "x");
        assertTrue(rejected(r, Rejection.INVALID_FIELD).reason().contains("512 bytes"));
        r.put("read_id", "中".repeat(168));
        assertEquals("cam-017:" + "中".repeat(168), stored(r).get("read_id").asText());
        r.put("read_id", "cam-017:" + "中".repeat(168));
        assertEquals("cam-017:" + "中".repeat(168), stored(r).get("read_id").asText(), "prefixed by the camera: the same id");
    }

    @Test
    void differentPlatesGiveDifferentIds() throws Exception {
        ObjectNode a = read();
        ObjectNode b = read();
        b.put("plate", "ABC 1235");
        assertNotEquals(stored(a).get("read_id"), stored(b).get("read_id"));
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }
}
