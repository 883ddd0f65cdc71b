package org.platewarden.indexer;

/**
 * What a daily index holds under a read id, as far as telling a resend from another read needs:
 * the stored document's {@code camera_id} and {@code captured_at} (the normalised UTC text the
 * gateway wrote), either null when the document lacks it, and its plate ({@link ReadPlate#NONE}
 * when not given).
 */
public record StoredRead(String cameraId, String capturedAt, ReadPlate plate) {
    public StoredRead {
        if (plate == null) plate = ReadPlate.NONE;
    }
}
