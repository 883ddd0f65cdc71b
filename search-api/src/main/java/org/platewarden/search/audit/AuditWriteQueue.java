package org.platewarden.search.audit;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The records waiting for the audit writer: authenticated callers' first, each lane in arrival
 * order. An investigator's record that arrives behind a burst of anonymous ones (a flood of 401s)
 * is thus sealed and sent to the index ahead of them instead of after them all. The chain's order
 * is simply the order the writer takes records in, and each record still completes only after its
 * own journal line and index call, so taking one lane first changes no guarantee. Anonymous records
 * cannot wait for ever: the writer takes up to a batch at a time, and authenticated records are
 * bounded by their own rate limits and the log's capacity.
 */
final class AuditWriteQueue<T> {
    /** added to an anonymous record's arrival number: it sorts after every authenticated one */
    private static final long ANONYMOUS_LANE = 1L << 62;

    private record Queued<T>(T item, long order) {
    }

    private final int capacity;
    private final PriorityBlockingQueue<Queued<T>> queue = new PriorityBlockingQueue<>(64, Comparator.comparingLong(Queued::order));
    private final AtomicLong arrivals = new AtomicLong();

    AuditWriteQueue(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Queues the item, or returns false when {@code capacity} items wait already (a backstop: the
     * log's admission keeps fewer than that in flight).
     */
    boolean offer(T item, boolean anonymous) {
        if (queue.size() >= capacity) return false;
        return queue.offer(new Queued<>(item, arrivals.incrementAndGet() + (anonymous ? ANONYMOUS_LANE : 0)));
    }

    /**
     * Queues a record the trail owes ({@link AuditLog#recordOwed}) ahead of every other: never
     * refused for capacity (there is at most one per request answered 503 after its record reached
     * the trail).
     */
    void offerOwed(T item) {
        queue.offer(new Queued<>(item, arrivals.incrementAndGet() - ANONYMOUS_LANE));
    }

    /** The next item, waiting up to the timeout; null if none came. */
    T poll(long timeout, TimeUnit unit) throws InterruptedException {
        Queued<T> next = queue.poll(timeout, unit);
        return next == null ? null : next.item();
    }

    /** The next item, or null at once if none waits. */
    T poll() {
        Queued<T> next = queue.poll();
        return next == null ? null : next.item();
    }

    /** Moves up to {@code max} waiting items, next first, to the batch. */
    void drainTo(List<T> batch, int max) {
        for (int i = 0; i < max; i++) {
            T next = poll();
            if (next == null) return;
            batch.add(next);
        }
    }
}
