package org.platewarden.indexer;

/**
 * One spooled read on its way to Elasticsearch: the spool sequence number, the target daily index
 * and id, and the exact bytes to send. {@code sinceEpochMs} is when the read entered the pipeline
 * (its received_at when known, else when the indexer read it), for the lag-in-seconds gauge.
 */
public record PendingRead(long seq, String index, String id, String cameraId, byte[] json, long sinceEpochMs) {
}
