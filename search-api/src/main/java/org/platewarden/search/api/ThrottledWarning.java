package org.platewarden.search.api;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A warning that a flood would otherwise write once per request (every refused request of a flood
 * of unauthenticated ones, say): the first is written at once, then at most one per interval,
 * saying how many like it were left out meanwhile. Thread-safe; never blocks.
 */
final class ThrottledWarning {
    private static final long NEVER = Long.MIN_VALUE;

    private final Consumer<String> sink;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong nextAt = new AtomicLong(NEVER);
    private final AtomicLong leftOut = new AtomicLong();

    ThrottledWarning(Consumer<String> sink, long interval, TimeUnit unit, LongSupplier nanoClock) {
        this.sink = sink;
        this.intervalNanos = unit.toNanos(interval);
        this.nanoClock = nanoClock;
    }

    void warn(String message) {
        long now = nanoClock.getAsLong();
        long next = nextAt.get();
        if ((next == NEVER || now - next >= 0) && nextAt.compareAndSet(next, now + intervalNanos)) {
            long skipped = leftOut.getAndSet(0);
            sink.accept(skipped == 0 ? message
                    : message + " (" + skipped + " more like it since the last one logged, " + TimeUnit.NANOSECONDS.toSeconds(intervalNanos) + " s or more ago, not logged)");
        } else {
            leftOut.incrementAndGet();
        }
    }
}
