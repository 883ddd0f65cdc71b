package org.platewarden.search.api;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's own small pool for blocking work (audit verify, readiness and ILM checks through the
 * synchronous ES client): fixed threads, bounded queue, and a full queue is refused at once with
 * {@link ServiceUnavailableException} (503) instead of piling up. Results come back on the
 * caller's Vert.x context.
 */
public final class BlockingPool implements AutoCloseable {
    private final Vertx vertx;
    private final ThreadPoolExecutor executor;

    public BlockingPool(Vertx vertx, String name, int threads, int queueLimit) {
        this.vertx = vertx;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queueLimit), r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    public <T> Future<T> submit(Callable<T> task) {
        Context context = vertx.getOrCreateContext();
        Promise<T> promise = Promise.promise();
        try {
            executor.execute(() -> {
                try {
                    T result = task.call();
                    context.runOnContext(v -> promise.complete(result));
                } catch (Throwable e) {
                    context.runOnContext(v -> promise.fail(e));
                }
            });
        } catch (RejectedExecutionException e) {
            return Future.failedFuture(new ServiceUnavailableException("server busy: blocking work queue is full"));
        }
        return promise.future();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
