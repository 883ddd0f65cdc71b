package org.platewarden.indexer;

/**
 * One spooled read on its way to Elasticsearch: the spool sequence number, the target daily index
 * and id, the read as spooled ({@code json}, what a dead letter keeps) and the bytes to send
 * ({@code document}: the same plus the plate's index terms, {@link org.platewarden.core.read.IndexDocument}).
 * {@code sinceEpochMs} is when the read entered the pipeline (its received_at when known, else when
 * the indexer read it), for the lag-in-seconds gauge.
 */
public record PendingRead(long seq, String index, String id, String cameraId, byte[] json, byte[] document,
                          long sinceEpochMs) {
}
