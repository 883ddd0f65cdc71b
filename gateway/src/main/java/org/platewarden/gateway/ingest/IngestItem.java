package org.platewarden.gateway.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.Supplier;
import org.platewarden.core.read.ReadInput;
import org.platewarden.core.read.ReadInputReader;
import org.platewarden.core.read.Rejection;

/**
 * One read as it arrived in a batch: its fields as read from the payload ({@code read}) or, when the
 * item could not even be parsed (a bad NDJSON line), the reason ({@code parseError}). {@code payload}
 * gives the item's bytes for a dead letter (bytes, not text: a line that is not UTF-8 must reach the
 * dead letter as sent); it is only called for a refused item, so an accepted read never pays for a
 * copy of them. {@code capturedAt}: for an item that is no read (refused by a vendor adapter) but
 * whose capture time the adapter did read, that time, so its dead letter is dated by it; else null
 * (a read's own is in {@code read}).
 */
public record IngestItem(ReadInput read, Supplier<byte[]> payload, Rejection parseError, Instant capturedAt) {

    public static IngestItem parsed(ReadInput read, Supplier<byte[]> payload) {
        return new IngestItem(read, payload, null, null);
    }

    /** A read the vendor adapters built as a tree. */
    public static IngestItem parsed(JsonNode read) {
        return new IngestItem(ReadInputReader.read(read), () -> utf8(read.toString()), null, null);
    }

    /** Bytes {@code [from, to)} of {@code body} that do not parse. */
    public static IngestItem unparseable(byte[] body, int from, int to, String why) {
        return new IngestItem(null, () -> Arrays.copyOfRange(body, from, to), new Rejection(Rejection.INVALID_JSON, why), null);
    }

    public static IngestItem vendorRefused(String raw, String why) {
        return vendorRefused(raw, why, null);
    }

    /** A vendor read refused by its adapter after it read the capture time ({@code capturedAt}, null: unknown). */
    public static IngestItem vendorRefused(String raw, String why, Instant capturedAt) {
        return vendorRefused(() -> utf8(raw), why, capturedAt);
    }

    /**
     * A vendor body (or part of one) refused by its adapter, its dead letter keeping {@code sent}: the
     * bytes as they came, for a body refused as a whole.
     */
    public static IngestItem vendorRefused(Supplier<byte[]> sent, String why, Instant capturedAt) {
        return new IngestItem(null, sent, new Rejection(Rejection.VENDOR_FORMAT, why), capturedAt);
    }

    /** The bytes to keep in a dead letter. */
    public byte[] payloadBytes() {
        byte[] bytes = payload.get();
        return bytes == null ? new byte[0] : bytes;
    }

    /** The same, as text (lossy if the bytes are not UTF-8). */
    public String payloadText() {
        return new String(payloadBytes(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
