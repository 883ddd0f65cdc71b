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
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
