package org.platewarden.indexer;

import java.time.Instant;

/**
 * What the indexer needs to know about a spooled read without building a tree: where it goes
 * (daily index by capture day, {@code _id} = read id) and, for lag metrics and dead letters, when
 * it was received and by which camera, and what its index terms are derived from. {@code receivedAt}
 * and {@code cameraId} may be null; {@code termsStored}: spooled by an earlier version with its
 * terms (then {@code plateOcr} may be null, the bytes are sent as they are). {@code singleLine}: the
 * bytes were parsed to their end and hold no raw CR or LF, so they need no NDJSON check
 * ({@link ElasticsearchBulkTransport#singleLine}); false when not known.
 */
public record LocatedRead(String readId, Instant capturedAt, Instant receivedAt, String cameraId, String plateOcr,
                          boolean termsStored, boolean singleLine) {
}
