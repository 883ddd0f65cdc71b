package org.platewarden.indexer;

import java.time.Instant;

/**
 * One spooled read on its way to Elasticsearch: the spool sequence number, the target daily index
 * and id, its camera and capture instant (which tell a resend of this read from another read with
 * the same id, {@link ReadIdConflicts}), and the read as spooled ({@code json}, what a dead letter
 * keeps). The document sent is {@code json} with the index terms of {@code plateOcr} appended
 * ({@link org.platewarden.core.read.IndexDocument#writeWithTerms}), written straight into each bulk
 * body that carries the read; {@code plateOcr} is null for a record spooled with its terms, which is
 * sent as it is. {@code singleLine}: {@code json} is known to hold no raw CR or LF (else the body
 * replaces them, {@link ElasticsearchBulkTransport#singleLine}). {@code sinceEpochMs} is when the read
 * entered the pipeline (its received_at when known, else when the indexer read it), for the
 * lag-in-seconds gauge.
 *
 * <p>Why no document array: it was a second copy of every read (~1.6 KB) kept alive for the whole
 * bulk round trip beside {@code json} and the body, which young collections copied and promoted
 * (GC log, thirteenth session); a resend after a failure computes the terms again, ~1 µs.
 */
public record PendingRead(long seq, String index, String id, String cameraId, Instant capturedAt, byte[] json,
                          String plateOcr, boolean singleLine, long sinceEpochMs) {
}
