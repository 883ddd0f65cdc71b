package org.platewarden.indexer;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one round of a batch's reads and, when Elasticsearch refuses a request as a whole for what it
 * carries ({@link RequestFailures#refusesContent}: 400, 413), sends that request's reads again as two
 * halves, one after the other, recursively, until a read refused alone is answered with that refusal
 * ({@link BulkItemResult#wholeRequest()}) — so one poison read costs about log2(n) extra requests
 * instead of stalling the indexer, and the rest of the batch is indexed. One request at a time: a
 * batch never has more than one request out, however often it is split.
 * <p>
 * Every step runs on {@code loop} (the indexer's thread), so halves are built and sent there rather
 * than on the client's I/O thread. A failure that is not a content refusal (no answer, 408/429/5xx,
 * 401/403, ...) stops the round: the reads of that request and of the halves not yet sent stay
 * unanswered, for the caller to retry with backoff.
 * <p>
 * A read refused alone is only answered with that refusal (and so dead-lettered) once Elasticsearch
 * has accepted some bulk request — of any batch — since the batch was first sent: that is the proof
 * the refusal is about this read. A cluster that refuses every request (a proxy limit below one read,
 * a client/server mismatch) would otherwise split every batch down to single reads and dead-letter
 * the whole stream; without the proof the reads stay unanswered and are retried with backoff — the
 * indexer stalls, loudly (ERROR, the splits counter), and the spool keeps them.
 */
final class BisectingSend {
    private static final Logger LOG = LoggerFactory.getLogger(BisectingSend.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Function<List<PendingRead>, CompletableFuture<List<BulkItemResult>>> transport;
    private final Executor loop;
    private final IndexerMetrics metrics;
    /** When Elasticsearch last accepted a bulk request of any batch (System.nanoTime; written on the loop). */
    private volatile long lastAcceptedNanos = System.nanoTime(); // before any batch: no proof yet

    /** @param transport sends one bulk ({@link BulkTransport#send}) */
    BisectingSend(Function<List<PendingRead>, CompletableFuture<List<BulkItemResult>>> transport, Executor loop, IndexerMetrics metrics) {
        this.transport = transport;
        this.loop = loop;
        this.metrics = metrics;
    }

    /**
     * Per read, in order: Elasticsearch's answer, or null where the request carrying it failed (then
     * {@code failure} says why).
     */
    record Answers(List<BulkItemResult> items, Throwable failure) {
        static final Answers NONE = new Answers(List.of(), null);

        int unanswered() {
            return (int) items.stream().filter(i -> i == null).count();
        }
    }

    /**
     * Never completes exceptionally: an unexpected error leaves the reads it concerns unanswered.
     *
     * @param batchFirstSentNanos when the batch these reads belong to was first sent (System.nanoTime):
     *                            an acceptance after it proves a lone refusal is about its read
     */
    CompletableFuture<Answers> send(List<PendingRead> reads, long batchFirstSentNanos) {
        Round round = new Round(reads, batchFirstSentNanos);
        return round.part(0, reads.size()).handle((v, e) -> round.answers(e));
    }

    private CompletableFuture<List<BulkItemResult>> request(List<PendingRead> reads) {
        try {
            return transport.apply(reads);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private final class Round {
        final List<PendingRead> reads;
        final long batchFirstSentNanos;
        final BulkItemResult[] items;
        /** refusals of lone reads, held until the end of the round: answers only with proof (see class comment) */
        final BulkItemResult[] refusedAlone;
        Throwable refusal;
        Throwable failure;
        boolean split;

        Round(List<PendingRead> reads, long batchFirstSentNanos) {
            this.reads = reads;
            this.batchFirstSentNanos = batchFirstSentNanos;
            this.items = new BulkItemResult[reads.size()];
            this.refusedAlone = new BulkItemResult[reads.size()];
        }

        /** Sends reads [from, to) as one request, and its halves if it is refused for its content. */
        CompletableFuture<Void> part(int from, int to) {
            if (failure != null) return DONE;
            return request(reads.subList(from, to))
                    .handleAsync((results, error) -> answered(from, to, results, error), loop)
                    .thenCompose(Function.identity());
        }

        private CompletableFuture<Void> answered(int from, int to, List<BulkItemResult> results, Throwable error) {
            if (error == null) {
                lastAcceptedNanos = System.nanoTime();
                for (int i = from; i < to; i++) items[i] = results.get(i - from);
                return DONE;
            }
            if (!RequestFailures.refusesContent(error)) {
                failure = RequestFailures.unwrap(error);
                return DONE;
            }
            if (to - from == 1) {
                refusedAlone[from] = RequestFailures.asAnswerForLoneRead(error);
                refusal = RequestFailures.unwrap(error);
                return DONE;
            }
            splitting(from, to, error);
            int mid = (from + to) >>> 1;
            return part(from, mid).thenCompose(v -> part(mid, to));
        }

        private void splitting(int from, int to, Throwable error) {
            metrics.split(RequestFailures.cause(error));
            if (split) {
                LOG.debug("bulk of {} reads (seq {}..{}) refused as a whole too; splitting it again",
                        to - from, reads.get(from).seq(), reads.get(to - 1).seq());
                return;
            }
            split = true;
            LOG.warn("bulk of {} reads (seq {}..{}) refused as a whole ({}); sending it again in halves: a read refused "
                            + "alone is dead-lettered once another request has been accepted, the others are indexed{}",
                    to - from, reads.get(from).seq(), reads.get(to - 1).seq(), RequestFailures.unwrap(error).toString(),
                    RequestFailures.status(error) == 413 ? "; bulk_max_bytes may exceed what the cluster accepts" : "");
        }

        Answers answers(Throwable error) {
            if (error != null && failure == null) failure = RequestFailures.unwrap(error);
            if (refusal != null) {
                if (lastAcceptedNanos - batchFirstSentNanos > 0) {
                    for (int i = 0; i < items.length; i++) if (refusedAlone[i] != null) items[i] = refusedAlone[i];
                } else {
                    LOG.error("Elasticsearch refused every request of the bulk of {} reads (seq {}..{}) down to single reads "
                                    + "({}) and has accepted no request of any batch since the batch was first sent: that is a "
                                    + "refusal of every request, not of these reads, so none is dead-lettered; retrying with "
                                    + "backoff (check a proxy's body limit, the cluster's version and settings)",
                            reads.size(), reads.get(0).seq(), reads.get(reads.size() - 1).seq(), refusal.toString());
                    if (failure == null) failure = refusal;
                }
            }
            return new Answers(Arrays.asList(items), failure);
        }
    }
}
