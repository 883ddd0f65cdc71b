package org.platewarden.gateway.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Supplier;
import org.platewarden.core.read.ReadInput;
import org.platewarden.core.read.ReadInputReader;
import org.platewarden.core.read.Rejection;

/**
 * One read as it arrived in a batch: its fields as read from the payload ({@code read}) or, when the
 * item could not even be parsed (a bad NDJSON line), the reason ({@code parseError}). {@code payload}
 * gives the item's text for a dead letter; it is only called for a refused item, so an accepted
 * read never pays for a copy of its text.
 */
public record IngestItem(ReadInput read, Supplier<String> payload, Rejection parseError) {

    public static IngestItem parsed(ReadInput read, Supplier<String> payload) {
        return new IngestItem(read, payload, null);
    }

    /** A read the vendor adapters built as a tree. */
    public static IngestItem parsed(JsonNode read) {
        return new IngestItem(ReadInputReader.read(read), read::toString, null);
    }

    public static IngestItem unparseable(String raw, String why) {
        return new IngestItem(null, () -> raw, new Rejection(Rejection.INVALID_JSON, why));
    }

    public static IngestItem vendorRefused(String raw, String why) {
        return new IngestItem(null, () -> raw, new Rejection(Rejection.VENDOR_FORMAT, why));
    }

    /** The text to keep in a dead letter. */
    public String payloadText() {
        String text = payload.get();
        return text == null ? "" : text;
    }
}
