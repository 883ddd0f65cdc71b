package org.platewarden.indexer;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sends one bulk of create operations. The future completes with one result per item, in order,
 * or exceptionally when the request as a whole failed (connection refused, timeout, a non-2xx
 * answer to the whole request, an unreadable response); then nothing is known about the items and
 * the whole batch is retried. Must not block the caller.
 */
public interface BulkTransport {
    CompletableFuture<List<BulkItemResult>> send(List<PendingRead> reads);
}
