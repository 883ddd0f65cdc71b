package org.platewarden.core.read;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A validated read ready for the spool: {@code document} is the UTF-8 JSON exactly as it will be
 * indexed (fields named in {@link ReadFields}); the other components are kept for logging and
 * routing without re-parsing it.
 */
public record StoredRead(String readId, String cameraId, Instant capturedAt, byte[] document) implements ReadResult {

    public String documentAsString() {
        return new String(document, StandardCharsets.UTF_8);
    }
}
