package org.platewarden.indexer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import org.platewarden.core.read.ReadFields;

/**
 * A read document's plate: {@code plate} as the camera sent it and {@code norm}, its
 * {@code plate_norm}; either null when the document lacks it. What tells a camera's retry from
 * another read under the same read_id and capture time ({@link ReadIdConflicts}).
 */
public record ReadPlate(String plate, String norm) {
    static final ReadPlate NONE = new ReadPlate(null, null);

    /** From a document's {@code _source}, or a spooled read parsed as a tree. */
    static ReadPlate of(JsonNode document) {
        return new ReadPlate(RequestFailures.text(document, ReadFields.PLATE), RequestFailures.text(document, ReadFields.PLATE_NORM));
    }

    /**
     * From a read's spooled bytes. Parsed only for a read answered 409 whose camera and capture
     * time match the stored one's (rare: a retry), never on the way in; {@link #NONE} if unreadable.
     */
    static ReadPlate ofSpooled(byte[] json) {
        try {
            return of(EsRest.MAPPER.readTree(json));
        } catch (IOException e) {
            return NONE;
        }
    }

    /**
     * The same plate: the same {@code plate_norm} (however the camera spaced it), or the same text
     * as sent (a read indexed by an earlier Platewarden whose normalisation read it otherwise, e.g.
     * dropped its Ü or Cyrillic letters, retried now).
     */
    boolean sameAs(ReadPlate other) {
        return (norm != null && norm.equals(other.norm)) || (plate != null && plate.equals(other.plate));
    }

    /** For a dead letter's reason: {@code plate 'ABC 123'}. */
    String describe() {
        return "plate " + (plate == null ? "unknown" : "'" + plate + "'");
    }
}
