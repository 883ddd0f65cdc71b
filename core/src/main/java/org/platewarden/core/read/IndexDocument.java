package org.platewarden.core.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.platewarden.core.plate.PlateIndexTerms;
import org.platewarden.core.plate.StoredTerms;

/**
 * The document Elasticsearch indexes for a stored read: the spooled bytes with the plate's index
 * terms ({@code plate_grams}, {@code plate_dels}; see {@link StoredTerms}) appended before the
 * closing brace.
 *
 * <p>The gateway stores a read without its ~55 index terms: they are derived from
 * {@code plate_ocr}, so they add nothing to what must be durable, and leaving them out of the
 * accept path makes each acknowledged read cheaper (validation, spool bytes, fsync) — the indexer
 * adds them here on its way to Elasticsearch. A record spooled by an earlier version, which stored
 * the terms itself, is returned as it is.
 */
public final class IndexDocument {
    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] GRAMS = (",\"" + ReadFields.PLATE_GRAMS + "\":[").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private static final byte[] DELS = ("],\"" + ReadFields.PLATE_DELS + "\":[").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private static final byte[] END = "]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private IndexDocument() {
    }

    /**
     * @param stored one JSON object as the gateway spooled it
     * @throws IllegalArgumentException when it is not one JSON object with a string {@code plate_ocr}
     */
    public static byte[] withPlateTerms(byte[] stored) {
        String ocr = null;
        try (JsonParser p = JSON.createParser(stored)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IllegalArgumentException("stored read is not a JSON object");
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(ReadFields.PLATE_GRAMS)) return stored; // an earlier version's record: terms included
                if (name.equals(ReadFields.PLATE_OCR) && value == JsonToken.VALUE_STRING) ocr = p.getText();
                p.skipChildren();
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IllegalArgumentException("stored read is not exactly one JSON object");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("stored read is not valid JSON: " + e.getMessage(), e);
        }
        if (ocr == null) throw new IllegalArgumentException("stored read has no plate_ocr");
        return appendTerms(stored, ocr);
    }

    /**
     * The terms of {@code plateOcr} appended to {@code stored}, which the caller has already parsed
     * as one JSON object without terms (the indexer's {@code ReadLocator}): no second parse.
     */
    public static byte[] appendTerms(byte[] stored, String plateOcr) {
        int close = stored.length - 1;
        while (close > 0 && stored[close] != '}') close--; // the object's own brace: only whitespace follows it
        List<String> grams = PlateIndexTerms.grams(plateOcr);
        List<String> dels = PlateIndexTerms.deletions(plateOcr, StoredTerms.STORED_DELETIONS);
        ByteArrayOutputStream out = new ByteArrayOutputStream(close + 16 + 12 * (grams.size() + dels.size()));
        out.write(stored, 0, close);
        out.writeBytes(GRAMS);
        writeStrings(out, grams);
        out.writeBytes(DELS);
        writeStrings(out, dels);
        out.writeBytes(END);
        return out.toByteArray();
    }

    private static void writeStrings(ByteArrayOutputStream out, List<String> values) {
        JsonStringEncoder encoder = JsonStringEncoder.getInstance();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) out.write(',');
            out.write('"');
            out.writeBytes(encoder.quoteAsUTF8(values.get(i)));
            out.write('"');
        }
    }
}
