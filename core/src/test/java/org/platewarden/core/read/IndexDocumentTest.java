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
}
