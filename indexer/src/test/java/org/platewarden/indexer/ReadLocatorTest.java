package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReadLocatorTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void findsIdCaptureTimeReceiptAndCameraAnywhereInTheObject() {
        LocatedRead r = ReadLocator.locate(b("{\"vehicle\":{\"read_id\":\"nested\"},\"location\":{\"lat\":1,\"lon\":2},"
                + "\"captured_at\":\"2026-11-22T14:03:07.123Z\",\"tags\":[1,{\"a\":[]}],\"read_id\":\"cam-017:1:ABC\","
                + "\"received_at\":\"2026-11-22T15:03:07+01:00\",\"camera_id\":\"cam-017\",\"plate_ocr\":\"A8C\"}"));
        assertEquals("cam-017:1:ABC", r.readId());
        assertEquals(Instant.parse("2026-11-22T14:03:07.123Z"), r.capturedAt());
        assertEquals(Instant.parse("2026-11-22T14:03:07Z"), r.receivedAt());
        assertEquals("cam-017", r.cameraId());
        assertEquals("A8C", r.plateOcr());
        assertFalse(r.termsStored(), "the indexer adds the terms");
    }

    @Test
    void stopsReadingAtTermsAnEarlierVersionStored() {
        // records spooled before the indexer added the terms carry them; they are not tokenised
        LocatedRead r = ReadLocator.locate(b("{\"read_id\":\"cam-1:1\",\"camera_id\":\"cam-1\",\"captured_at\":\"2026-11-22T14:03:07Z\","
                + "\"received_at\":\"2026-11-22T14:03:08Z\",\"plate_grams\":[\"A\",\"B\""));
        assertEquals("cam-1:1", r.readId());
        assertEquals(Instant.parse("2026-11-22T14:03:08Z"), r.receivedAt());
        assertTrue(r.termsStored());
    }

    @Test
    void refusesWhatCannotBeIndexed() {
        assertTrue(assertThrows(ReadLocator.NotARead.class, () -> ReadLocator.locate(b("[1]"))).getMessage().contains("not a JSON object"));
        assertTrue(assertThrows(ReadLocator.NotARead.class, () -> ReadLocator.locate(b("{\"read_id\":\"x\""))).getMessage().contains("not valid JSON"));
        assertTrue(assertThrows(ReadLocator.NotARead.class, () -> ReadLocator.locate(b("{\"read_id\":\"x\",\"captured_at\":\"2026-01-01T00:00:00Z\"} {}")))
                .getMessage().contains("trailing"));
        assertTrue(assertThrows(ReadLocator.NotARead.class, () -> ReadLocator.locate(b("{\"read_id\":\"x\",\"captured_at\":\"2026-01-01T00:00:00Z\"}")))
                .getMessage().contains("plate_ocr"));
        assertTrue(assertThrows(ReadLocator.NotARead.class, () -> ReadLocator.locate(b("{\"captured_at\":\"2026-01-01T00:00:00Z\"}"))).getMessage().contains("read_id"));
        assertTrue(assertThrows(ReadLocator.NotARead.class, () -> ReadLocator.locate(b("{\"read_id\":\"x\",\"captured_at\":\"yesterday\"}"))).getMessage().contains("ISO-8601"));
    }

    @Test
    void readIdsAreLimitedTo512Utf8Bytes() {
        // Elasticsearch refuses an _id over 512 bytes; the limit is on bytes, not characters
        for (String id : java.util.List.of("a".repeat(512), "é".repeat(256), "€".repeat(170), "😀".repeat(128))) {
            assertEquals(id, ReadLocator.locate(b(read(id))).readId());
        }
        for (String id : java.util.List.of("a".repeat(513), "é".repeat(257), "€".repeat(171), "😀".repeat(129))) {
            assertTrue(assertThrows(ReadLocator.NotARead.class, () -> ReadLocator.locate(b(read(id)))).getMessage().contains("512 bytes"), id);
        }
    }

    private static String read(String id) {
        return "{\"read_id\":\"" + id + "\",\"captured_at\":\"2026-01-01T00:00:00Z\",\"plate_ocr\":\"ABC\"}";
    }

    @Test
    void aRecordParsedToItsEndTellsWhetherItHoldsALineBreak() {
        assertTrue(ReadLocator.locate(b(read("x"))).singleLine());
        assertFalse(ReadLocator.locate(b(read("x").replace(",", ",\n"))).singleLine());
        assertFalse(ReadLocator.locate(b(read("x").replace(",", ",\r"))).singleLine(), "a lone CR counts too");
        assertFalse(ReadLocator.locate(b(read("x") + "\n")).singleLine(), "trailing whitespace counts too");
        assertFalse(ReadLocator.locate(b(read("x") + "\r")).singleLine());
        // an earlier version's record is not parsed to its end: not known, so the body checks it
        assertFalse(ReadLocator.locate(b("{\"read_id\":\"x\",\"captured_at\":\"2026-01-01T00:00:00Z\",\"plate_grams\":[\"A\"]}")).singleLine());
        // a raw line break inside a string is not JSON: refused, never sent as one line
        assertThrows(ReadLocator.NotARead.class, () -> ReadLocator.locate(b(read("x\ny"))));
    }

    @Test
    void newlinesBetweenTokensBecomeSpacesSoNdjsonFramingHolds() {
        byte[] compact = b("{\"a\":1}");
        assertSame(compact, ElasticsearchBulkTransport.singleLine(compact), "no copy when there is nothing to do");
        assertArrayEquals(b("{ \"a\":  1}"), ElasticsearchBulkTransport.singleLine(b("{\n\"a\":\r\n1}")));
    }
}
