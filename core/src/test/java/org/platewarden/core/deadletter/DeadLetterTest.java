package org.platewarden.core.deadletter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.testkit.SettableClock;

class DeadLetterTest {
    @TempDir
    Path dir;

    @Test
    void bytesThatAreNotUtf8AreKeptExactlyAsBase64BesideTheLossyText() throws Exception {
        byte[] sent = {'{', '"', 'p', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'};
        DeadLetter letter = DeadLetter.of("gateway-http", "cam-001", null, "invalid_json: x", sent);
        assertEquals("{\"p\":\"\uFFFD\uFFFD\"}", letter.payload());
        assertEquals("eyJwIjoi//4ifQ==", letter.payloadBase64());
        assertFalse(letter.truncated());

        // and so they stay through the store's file
        try (DeadLetterStore store = new DeadLetterStore(dir)) {
            store.append(letter).get();
            String line = Files.readAllLines(Files.list(dir).findFirst().orElseThrow()).get(0);
            assertTrue(line.contains("\"payload_base64\":\"eyJwIjoi//4ifQ==\""), line);
            assertArrayEquals(sent, store.readAll().get(0).payloadBytes());
        }
    }

    @Test
    void utf8IsTextOnlyIncludingAReplacementCharacterTheCameraReallySent() {
        for (String text : List.of("{\"plate\":\"ÄÖ 日本\"}", "{\"plate\":\"\uFFFD\"}", "")) {
            DeadLetter letter = DeadLetter.of("gateway-mqtt", "cam-001", null, "r", text.getBytes(StandardCharsets.UTF_8));
            assertEquals(text, letter.payload());
            assertNull(letter.payloadBase64(), text);
            assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), letter.payloadBytes());
        }
    }

    @Test
    void aRefusalWithoutBytesHasNoPayloadFieldsInItsLineAndReadsBackAsNoBytes() throws Exception {
        DeadLetter letter = DeadLetter.withoutPayload("gateway-mqtt", "cam-001", "too_large: x");
        try (DeadLetterStore store = new DeadLetterStore(dir)) {
            store.append(letter).get();
            String line = Files.readAllLines(Files.list(dir).findFirst().orElseThrow()).get(0);
            assertFalse(line.contains("\"payload"), line);
            assertTrue(line.contains("\"camera_id\":\"cam-001\"") && line.contains("\"reason\":\"too_large: x\""), line);
            DeadLetter read = store.readAll().get(0);
            assertNull(read.payload());
            assertNull(read.payloadBase64());
            assertFalse(read.truncated());
            assertArrayEquals(new byte[0], read.payloadBytes());
        }
    }

    @Test
    void aReadPastRetentionKeepsItsCaptureTimeAndWhyButNoPayloadInItsLine() throws Exception {
        Instant captured = Instant.parse("2020-03-04T05:06:07.089Z");
        DeadLetter letter = DeadLetter.pastRetention("gateway-mqtt", "cam-001", "r-1", captured, "too_old: x");
        try (DeadLetterStore store = new DeadLetterStore(dir)) {
            store.append(letter).get();
            String line = Files.readAllLines(Files.list(dir).findFirst().orElseThrow()).get(0);
            assertFalse(line.contains("\"payload\"") || line.contains("\"payload_base64\""), line);
            assertTrue(line.contains("\"captured_at\":\"2020-03-04T05:06:07.089Z\"")
                    && line.contains("\"payload_withheld\":\"past_retention: ") && line.contains("\"read_id\":\"r-1\""), line);
            DeadLetter read = store.readAll().get(0);
            assertEquals(letter, read);
            assertArrayEquals(new byte[0], read.payloadBytes());
        }
    }

    /**
     * A read refused for a {@code read_id} too long to be stored still has it in its letter, for ops
     * searching by it: whole up to the longest id a read can be stored under, else its start with its
     * length, so one letter stays bounded.
     */
    @Test
    void aReadIdNoReadCouldHaveIsCutToItsStartWithItsLength() throws Exception {
        String refused = "r".repeat(300); // over the 256 characters a camera may send: kept whole
        assertEquals(refused, DeadLetter.of("gateway-http", "cam-001", refused, "invalid_field: x", "{}").readId());
        assertNull(DeadLetter.of("gateway-http", "cam-001", refused, "invalid_field: x", "{}").readIdLength());
        String longest = "cam-001:" + "r".repeat(DeadLetter.MAX_READ_ID_CHARS - 8); // as long as a stored id can be
        assertEquals(longest, DeadLetter.of("indexer", "cam-001", longest, "elasticsearch_refused: x", "{}").readId());

        String huge = "0123456789".repeat(10_000);
        DeadLetter letter = DeadLetter.of("gateway-http", "cam-001", huge, "invalid_field: read_id is longer than 256 characters", "{}");
        assertEquals(huge.substring(0, DeadLetter.MAX_READ_ID_CHARS), letter.readId());
        assertEquals(100_000, letter.readIdLength());
        DeadLetter withheld = DeadLetter.pastRetention("gateway-mqtt", "cam-001", huge, Instant.parse("2020-03-04T05:06:07Z"), "too_old: x");
        assertEquals(DeadLetter.MAX_READ_ID_CHARS, withheld.readId().length());
        assertEquals(100_000, withheld.readIdLength());
        // not inside a character beyond the BMP (two chars): the letter's text stays valid
        String emoji = "r".repeat(DeadLetter.MAX_READ_ID_CHARS - 1) + "\uD83D\uDE97".repeat(10);
        DeadLetter cut = DeadLetter.of("gateway-http", "cam-001", emoji, "invalid_field: x", "{}");
        assertEquals(emoji.substring(0, DeadLetter.MAX_READ_ID_CHARS - 1), cut.readId());
        assertEquals(emoji.length(), cut.readIdLength());

        try (DeadLetterStore store = new DeadLetterStore(dir)) {
            store.append(letter).get();
            String line = Files.readAllLines(Files.list(dir).findFirst().orElseThrow()).get(0);
            assertTrue(line.contains("\"read_id\":\"" + huge.substring(0, DeadLetter.MAX_READ_ID_CHARS) + "\",\"read_id_length\":100000,"), line);
            assertTrue(line.length() < 2_000, "bounded: " + line.length());
            assertEquals(letter, store.readAll().get(0), "and read back as it was");
        }
    }

    /**
     * A letter written on another UTC day than it was made says when it was written (the day its
     * camera's quota counted it), before {@code stage}, where the start-up count reads it; one written
     * the day it was made carries nothing more.
     */
    @Test
    void aLetterWrittenOnALaterDayThanItWasMadeSaysWhenItWasWritten() throws Exception {
        SettableClock clock = new SettableClock(Instant.parse("2026-11-22T00:05:00Z"));
        Instant made = Instant.parse("2026-11-21T23:59:30Z");
        try (DeadLetterStore store = new DeadLetterStore(dir, 21, clock, 0, null)) {
            store.append(new DeadLetter(made, "indexer", "cam-001", null, null, "elasticsearch_refused: x", null, "{}", null, false)).get();
            store.append(new DeadLetter(clock.instant(), "indexer", "cam-001", null, null, "elasticsearch_refused: y", null, "{}", null, false)).get();
            List<String> lines = Files.readAllLines(dir.resolve(DeadLetterStore.fileName(LocalDate.parse("2026-11-21"))));
            assertEquals(1, lines.size(), "filed by the day it was made, as before");
            assertTrue(lines.get(0).startsWith("{\"at\":\"2026-11-21T23:59:30Z\",\"written_at\":\"2026-11-22T00:05:00Z\",\"stage\":"), lines.get(0));
            String sameDay = Files.readAllLines(dir.resolve(DeadLetterStore.fileName(LocalDate.parse("2026-11-22")))).get(0);
            assertFalse(sameDay.contains("written_at"), sameDay);
            assertEquals(Instant.parse("2026-11-22T00:05:00Z"), store.readAll().get(0).writtenAt());
        }
    }

    @Test
    void largeBinaryPayloadsAreCut() {
        byte[] sent = new byte[DeadLetter.MAX_PAYLOAD_BYTES * 2];
        Arrays.fill(sent, (byte) 0xff);
        DeadLetter letter = DeadLetter.of("gateway-http", "cam-001", null, "r", sent);
        assertTrue(letter.truncated());
        assertEquals(DeadLetter.MAX_PAYLOAD_CHARS, letter.payload().length());
        assertArrayEquals(Arrays.copyOf(sent, DeadLetter.MAX_PAYLOAD_BYTES), letter.payloadBytes());
    }
}
