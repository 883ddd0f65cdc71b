package org.platewarden.indexer;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The indexer's two requests to Elasticsearch. Neither may block the caller; a failure is the
 * future's, never the caller's exception.
 */
public interface BulkTransport {
    /**
     * Sends one bulk of create operations. The future completes with one result per item, in order,
     * or exceptionally when the request as a whole failed (connection refused, timeout, a non-2xx
     * answer to the whole request, an unreadable response); then nothing is known about the items and
     * the whole batch is retried.
     */
    CompletableFuture<List<BulkItemResult>> send(List<PendingRead> reads);

    /**
     * Looks up what each read's daily index holds under its id (after a create answered 409,
     * {@link ReadIdConflicts}). The future completes with one entry per read, in order, null where
     * nothing is stored under that id (or the index is gone), or exceptionally when the lookup failed
     * as a whole or for one of the reads; then nothing is known and the reads are retried.
     */
    CompletableFuture<List<StoredRead>> stored(List<PendingRead> reads);
}
