package org.platewarden.indexer;

import java.time.Instant;

/**
 * What the indexer needs to know about a spooled read without building a tree: where it goes
 * (daily index by capture day, {@code _id} = read id) and, for lag metrics and dead letters, when
 * it was received and by which camera. {@code receivedAt} and {@code cameraId} may be null.
 */
public record LocatedRead(String readId, Instant capturedAt, Instant receivedAt, String cameraId) {
}
