package org.platewarden.gateway.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import org.platewarden.core.read.Rejection;

/**
 * One read as it arrived in a batch: its parsed JSON ({@code read}) or, when the item could not
 * even be parsed (a bad NDJSON line), the reason ({@code parseError}) and the raw text.
 */
public record IngestItem(JsonNode read, String raw, Rejection parseError) {

    public static IngestItem parsed(JsonNode read) {
        return new IngestItem(read, null, null);
    }

    public static IngestItem unparseable(String raw, String why) {
        return new IngestItem(null, raw, new Rejection(Rejection.INVALID_JSON, why));
    }

    public static IngestItem vendorRefused(String raw, String why) {
        return new IngestItem(null, raw, new Rejection(Rejection.VENDOR_FORMAT, why));
    }

    /** The text to keep in a dead letter. */
    public String payloadText() {
        return raw != null ? raw : read == null ? "" : read.toString();
    }
}
