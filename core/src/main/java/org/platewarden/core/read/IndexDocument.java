package org.platewarden.core.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.util.Arrays;
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
     * as one JSON object without terms (the indexer's {@code ReadLocator}): no second parse. The
     * terms go straight from the plate's characters into the bytes, with no String or array per
     * term: that was 8 KB of garbage and 2.7 µs per indexed read (JMH {@code IndexDocumentBenchmark},
     * tenth session).
     */
    public static byte[] appendTerms(byte[] stored, String plateOcr) {
        long n = plateOcr.length();
        // room for every gram and deletion of a plain plate ("TERM", each), at most 64 KB ahead; grows
        // if escaping needs more
        long termBytes = 3 * (n + 2) * 6 + (1 + n + n * (n - 1) / 2) * (n + 3);
        Bytes out = new Bytes(stored.length + GRAMS.length + DELS.length + END.length + (int) Math.min(termBytes, 1 << 16));
        writeWithTerms(stored, plateOcr, out);
        return out.toArray();
    }

    /**
     * Writes what {@link #appendTerms(byte[], String)} returns straight into {@code out}: the indexer
     * writes each read's document this way into the bulk request's body, so no per-read document
     * array is made, copied and kept alive while the request is out (thirteenth session).
     */
    public static void writeWithTerms(byte[] stored, String plateOcr, ByteSink out) {
        int close = stored.length - 1;
        while (close > 0 && stored[close] != '}') close--; // the object's own brace: only whitespace follows it
        out.write(stored, 0, close);
        out.write(GRAMS, 0, GRAMS.length);
        TermWriter terms = new TermWriter(out);
        PlateIndexTerms.forEachGram(plateOcr, terms);
        out.write(DELS, 0, DELS.length);
        terms.first = true;
        PlateIndexTerms.forEachDeletion(plateOcr, StoredTerms.STORED_DELETIONS, terms);
        out.write(END, 0, END.length);
    }

    /** Where {@link #writeWithTerms} writes: a growable array here, the bulk request's body in the indexer. */
    public interface ByteSink {
        void write(int b);

        void write(byte[] b, int off, int len);
    }

    /** Writes each term as a JSON string array element; plain ASCII byte by byte, anything else through Jackson's quoting. */
    private static final class TermWriter implements PlateIndexTerms.TermSink {
        private final ByteSink out;
        boolean first = true;

        TermWriter(ByteSink out) {
            this.out = out;
        }

        @Override
        public void term(char[] chars, int from, int len, int skipA, int skipB) {
            if (!first) out.write(',');
            first = false;
            out.write('"');
            if (plain(chars, from, len)) {
                for (int p = from; p < from + len; p++) {
                    if (p != skipA && p != skipB) out.write(chars[p]);
                }
            } else { // needs escaping or UTF-8: the whole term the slow way
                byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(PlateIndexTerms.text(chars, from, len, skipA, skipB));
                out.write(quoted, 0, quoted.length);
            }
            out.write('"');
        }

        /** Checked before writing, since a sink cannot take bytes back (a skipped position may be checked needlessly: harmless). */
        private static boolean plain(char[] chars, int from, int len) {
            for (int p = from; p < from + len; p++) {
                if (!JsonAscii.plain(chars[p])) return false;
            }
            return true;
        }
    }

    /** A growable byte array that hands its bytes over with one exact-size copy. */
    private static final class Bytes implements ByteSink {
        byte[] buf;
        int count;

        Bytes(int capacity) {
            buf = new byte[capacity];
        }

        @Override
        public void write(int b) {
            if (count == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (count + len > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + len));
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        byte[] toArray() {
            return count == buf.length ? buf : Arrays.copyOf(buf, count);
        }
    }
}
