package org.platewarden.core.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.Camera;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.core.plate.PlateIndexTerms;

/** The indexer's document: a stored read plus the plate's index terms, in a form Elasticsearch parses as one object. */
class IndexDocumentTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Instant NOW = Instant.parse("2026-11-22T14:03:08Z");

    static byte[] stored(String plate) throws Exception {
        ReadValidator validator = new ReadValidator(21, 300, Clock.fixed(NOW, ZoneOffset.UTC));
        JsonNode read = MAPPER.readTree("{\"camera_id\":\"cam-017\",\"captured_at\":\"2026-11-22T14:03:07Z\",\"plate\":\""
                + plate + "\",\"vehicle\":{\"make\":\"Toyota\"}}");
        return assertInstanceOf(StoredRead.class, validator.validate(read, new Camera("cam-017", "DPD", null, null), "http")).document();
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void addsTheGramsAndDeletionsOfPlateOcrAndKeepsEveryStoredField() throws Exception {
        byte[] stored = stored("ABC 1234");
        JsonNode doc = MAPPER.readTree(IndexDocument.withPlateTerms(stored));
        String ocr = OcrFolding.defaults().fold("ABC1234");
        assertEquals(PlateIndexTerms.grams(ocr), strings(doc.get("plate_grams")));
        assertEquals(PlateIndexTerms.deletions(ocr, 2), strings(doc.get("plate_dels")));
        JsonNode original = MAPPER.readTree(stored);
        original.fieldNames().forEachRemaining(f -> assertEquals(original.get(f), doc.get(f), f));
        assertEquals(original.size() + 2, doc.size());
    }

    @Test
    void aRecordThatAlreadyCarriesItsTermsIsSentAsSpooled() {
        byte[] earlier = ("{\"read_id\":\"r1\",\"plate_ocr\":\"A8C\",\"plate_grams\":[\"A\"],\"plate_dels\":[\"A8C\"]}")
                .getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(earlier, IndexDocument.withPlateTerms(earlier));
    }

    @Test
    void trailingWhitespaceAfterTheObjectIsDropped() throws Exception {
        byte[] doc = IndexDocument.withPlateTerms("{\"plate_ocr\":\"A8\"} \n".getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"plate_ocr\":\"A8\",\"plate_grams\":[\"A\",\"8\",\"^A\",\"A8\",\"8$\",\"^A8\",\"A8$\"],\"plate_dels\":[\"A8\",\"8\",\"A\",\"\"]}",
                new String(doc, StandardCharsets.UTF_8));
    }

    @Test
    void refusesWhatIsNotOneObjectWithAPlate() {
        for (String bad : List.of("[1]", "{\"plate\":\"A\"}", "{\"plate_ocr\":\"A\"} {}", "{\"plate_ocr\":\"A\"", "{\"plate_ocr\":5}")) {
            assertThrows(IllegalArgumentException.class, () -> IndexDocument.withPlateTerms(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
    }

    /**
     * The terms are written byte by byte, not through Jackson: for every kind of plate_ocr — plain,
     * too long to pack, lower case, quote, backslash, control and non-ASCII characters — the bytes
     * must be exactly what Jackson writes for the same lists.
     */
    @Test
    void theTermsAreExactlyTheBytesJacksonWritesForTheSameLists() throws Exception {
        java.util.Random random = new java.util.Random(11);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        String odd = "ab\"\\\u0001\u00e9\u20ac ^$";
        List<String> plates = new ArrayList<>(List.of("", "A", "ABC1234", "AAAAAAA", "ABCDEFGHIJKLMN", "A\"B", "A\\B", "\u00c9T\u00c9", "A\u0002B"));
        for (int i = 0; i < 500; i++) {
            StringBuilder p = new StringBuilder();
            int len = random.nextInt(13);
            for (int k = 0; k < len; k++) {
                p.append(random.nextInt(10) == 0 ? odd.charAt(random.nextInt(odd.length())) : alphabet.charAt(random.nextInt(alphabet.length())));
            }
            plates.add(p.toString());
        }
        byte[] stored = "{\"read_id\":\"r1\",\"plate_ocr\":\"X\"}".getBytes(StandardCharsets.UTF_8);
        for (String plate : plates) {
            java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
            expected.write(stored, 0, stored.length - 1);
            expected.writeBytes(",\"plate_grams\":".getBytes(StandardCharsets.UTF_8));
            expected.writeBytes(MAPPER.writeValueAsBytes(PlateIndexTerms.grams(plate)));
            expected.writeBytes(",\"plate_dels\":".getBytes(StandardCharsets.UTF_8));
            expected.writeBytes(MAPPER.writeValueAsBytes(PlateIndexTerms.deletions(plate, 2)));
            expected.write('}');
            assertArrayEquals(expected.toByteArray(), IndexDocument.appendTerms(stored, plate), plate);
        }
    }
}
