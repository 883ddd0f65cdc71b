package org.platewarden.indexer;

/**
 * What a daily index holds under a read id, as far as telling a resend from another read needs:
 * the stored document's {@code camera_id} and {@code captured_at} (the normalised UTC text the
 * gateway wrote), either null when the document lacks it.
 */
public record StoredRead(String cameraId, String capturedAt) {
}
