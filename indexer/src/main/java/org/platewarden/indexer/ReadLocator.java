package org.platewarden.indexer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import org.platewarden.core.read.IndexDocument;
import org.platewarden.core.read.IsoInstant;
import org.platewarden.core.read.ReadFields;

/**
 * Finds {@code read_id}, {@code captured_at}, {@code plate_ocr} (and, when present,
 * {@code received_at} and {@code camera_id}) in a read document's bytes with Jackson's streaming
 * parser, in one pass: no tree, no re-serialisation. The indexer then appends the plate's index
 * terms to the bytes as spooled ({@link IndexDocument#appendTerms}).
 *
 * <p>A document as the gateway now spools it is tokenised to its end (it is small: the terms are
 * no longer in it), so a record that is not exactly one JSON object is caught here and
 * dead-lettered. A record spooled by an earlier version carries its terms after {@code plate_ocr};
 * parsing stops at {@code plate_grams} ({@link LocatedRead#termsStored}), since tokenising those
 * ~55 strings was over half of the indexer's CPU per read. A record cut short after that point
 * cannot come from the spool (every frame is CRC-checked) and could not break the bulk request's
 * NDJSON framing anyway ({@link ElasticsearchBulkTransport#singleLine}): Elasticsearch would reject
 * that one item with a 4xx, and the indexer dead-letters it. A record parsed to its end tells
 * whether it holds a raw line break ({@link LocatedRead#singleLine}), which spares the bulk body a
 * scan of every document's bytes (14 % of the indexer thread's samples, JFR, thirteenth session).
 */
public final class ReadLocator {
    private static final JsonFactory JSON = new JsonFactory();

    private ReadLocator() {
    }

    /** @throws NotARead with a reason fit for a dead letter */
    public static LocatedRead locate(byte[] json) {
        String readId = null;
        String capturedAt = null;
        String receivedAt = null;
        String cameraId = null;
        String plateOcr = null;
        boolean termsStored = false;
        boolean singleLine = false;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new NotARead("record is not a JSON object");
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(ReadFields.PLATE_GRAMS)) {
                    termsStored = true;
                    break;
                }
                if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                if (value != JsonToken.VALUE_STRING) continue;
                switch (name) {
                    case ReadFields.READ_ID -> readId = p.getText();
                    case ReadFields.CAPTURED_AT -> capturedAt = p.getText();
                    case ReadFields.RECEIVED_AT -> receivedAt = p.getText();
                    case ReadFields.CAMERA_ID -> cameraId = p.getText();
                    case ReadFields.PLATE_OCR -> plateOcr = p.getText();
                    default -> { }
                }
            }
            if (!termsStored) {
                if (t != JsonToken.END_OBJECT) throw new NotARead("record is not a well-formed JSON object");
                if (p.nextToken() != null) throw new NotARead("record has trailing content after the JSON object");
                // Jackson counts every CR and LF it skips as whitespace and refuses them raw inside
                // strings, so still on line 1 after the last token means none in the whole record
                singleLine = p.currentLocation().getLineNr() == 1;
            }
        } catch (IOException e) {
            throw new NotARead("record is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (readId == null || readId.isEmpty()) throw new NotARead("record has no read_id");
        // a char is at most 3 UTF-8 bytes, so only an id over 170 chars needs its bytes counted
        if (readId.length() > 170 && readId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 512) throw new NotARead("read_id longer than 512 bytes");
        if (capturedAt == null) throw new NotARead("record has no captured_at");
        Instant captured = parseInstant(capturedAt);
        if (captured == null) throw new NotARead("captured_at is not an ISO-8601 instant: " + capturedAt);
        if (plateOcr == null && !termsStored) throw new NotARead("record has no plate_ocr");
        return new LocatedRead(readId, captured, receivedAt == null ? null : parseInstant(receivedAt), cameraId,
                plateOcr, termsStored, singleLine);
    }

    static Instant parseInstant(String text) {
        try {
            return IsoInstant.parse(text);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** The record cannot be indexed whatever Elasticsearch says; the message is the dead-letter reason. */
    public static final class NotARead extends RuntimeException {
        public NotARead(String message) {
            super(message, null, false, false);
        }
    }
}
