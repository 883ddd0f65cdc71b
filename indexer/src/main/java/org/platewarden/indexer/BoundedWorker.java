package org.platewarden.indexer;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A few owned daemon threads with a small queue, for the blocking Elasticsearch calls of the ops
 * code (retention, compaction, holds, index views): event-loop callers hand work over and get a
 * future; a full queue fails that future at once (back-pressure) instead of queueing without
 * bound. Optionally runs a task on a fixed delay from a timer thread of its own.
 */
public final class BoundedWorker implements AutoCloseable {
    private final String name;
    private final ThreadPoolExecutor pool;
    private ScheduledThreadPoolExecutor timer;
    private ScheduledFuture<?> scheduled;

    public BoundedWorker(String name, int threads, int queueCapacity) {
        this.name = name;
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queueCapacity),
                r -> daemon(r, name));
    }

    /** Runs {@code task} on this worker; a full queue answers a future failed with RejectedExecutionException. */
    public <T> CompletableFuture<T> submit(Supplier<T> task) {
        try {
            return CompletableFuture.supplyAsync(task, pool);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new RejectedExecutionException(name + " busy, try again", e));
        }
    }

    /** Calls {@code tick} now and then every {@code interval} after the previous call returned; false if already scheduled. */
    public synchronized boolean scheduleWithFixedDelay(Duration interval, Runnable tick) {
        if (scheduled != null) return false;
        timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, name + "-timer"));
        timer.setRemoveOnCancelPolicy(true);
        scheduled = timer.scheduleWithFixedDelay(tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return true;
    }

    public synchronized boolean scheduled() {
        return scheduled != null;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public synchronized void close() {
        if (scheduled != null) scheduled.cancel(false);
        if (timer != null) timer.shutdownNow();
        pool.shutdown();
    }
}
