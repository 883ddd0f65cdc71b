package org.platewarden.search.query;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;

/**
 * The searches one node runs at once ({@code search.max_concurrent_searches}). A search that finds
 * every slot taken waits for one, first come first served, with at most {@code maxQueued} others and
 * for at most {@code maxWaitMillis}; a search that finds the queue full, or whose wait ends first, is
 * refused ({@link #acquire} fails with {@link Busy}). Nothing blocks: a waiting search is a promise
 * that a finishing search completes (on the waiter's context) by handing its slot over, or a timer
 * fails. Thread-safe; the lock is held only to count and to queue.
 *
 * <p>Waiters exist only while every slot is taken: a slot given back goes to the oldest waiter before
 * it is free for anyone else, so a search arriving at that moment cannot overtake the queue.
 */
final class SearchSlots {
    /** Every slot taken and the queue full, or no slot freed within the wait. */
    static final class Busy extends RuntimeException {
        Busy(String message) {
            super(message, null, false, false);
        }
    }

    private final int maxRunning;
    private final int maxQueued;
    private final long maxWaitMillis;
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    private int running;

    SearchSlots(int maxRunning, int maxQueued, long maxWaitMillis) {
        if (maxRunning < 1) throw new IllegalArgumentException("maxRunning must be positive");
        if (maxQueued < 0) throw new IllegalArgumentException("maxQueued must be >= 0");
        this.maxRunning = maxRunning;
        this.maxQueued = maxQueued;
        this.maxWaitMillis = maxWaitMillis;
    }

    /**
     * A slot: at once when one is free, else once a running search gives one back. Fails with
     * {@link Busy} when the queue is full or no slot came within the wait. Each success must be
     * followed by exactly one {@link #release}.
     *
     * @param context where a queued search resumes (the caller's, a Vert.x context)
     */
    Future<Void> acquire(Context context) {
        Waiter waiter;
        synchronized (this) {
            if (running < maxRunning) {
                running++;
                return Future.succeededFuture();
            }
            if (queue.size() >= maxQueued || maxWaitMillis <= 0) {
                return Future.failedFuture(new Busy("all " + maxRunning + " search slots busy and "
                        + queue.size() + " search(es) waiting"));
            }
            waiter = new Waiter(context);
            queue.addLast(waiter);
        }
        // outside the lock: a slot handed over before the timer is set leaves a timer that finds the waiter served
        waiter.timer = context.owner().setTimer(maxWaitMillis, id -> expire(waiter));
        return waiter.promise.future();
    }

    /** Gives a slot back: to the oldest waiter, else to whoever asks next. */
    void release() {
        Waiter next;
        synchronized (this) {
            next = queue.pollFirst();
            if (next == null) {
                if (running > 0) running--;
                return;
            }
            next.done = true; // the slot passes to it: running stays as it is
        }
        next.context.owner().cancelTimer(next.timer);
        next.context.runOnContext(v -> next.promise.complete());
    }

    private void expire(Waiter waiter) {
        int waiting;
        synchronized (this) {
            if (waiter.done) return;
            waiter.done = true;
            queue.remove(waiter);
            waiting = queue.size();
        }
        Busy busy = new Busy("no search slot freed within " + maxWaitMillis + " ms (all " + maxRunning
                + " busy, " + waiting + " other search(es) waiting)");
        waiter.context.runOnContext(v -> waiter.promise.fail(busy));
    }

    synchronized int running() {
        return running;
    }

    synchronized int queued() {
        return queue.size();
    }

    private static final class Waiter {
        final Context context;
        final Promise<Void> promise = Promise.promise();
        /** Guarded by the slots' lock: served or expired. */
        boolean done;
        volatile long timer = -1;

        Waiter(Context context) {
            this.context = context;
        }
    }
}
