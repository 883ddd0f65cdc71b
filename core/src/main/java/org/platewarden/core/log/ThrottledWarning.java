package org.platewarden.core.log;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A warning that a flood would otherwise write once per request (every refused request of a flood
 * of unauthenticated ones, say): the first is written at once, then at most one per interval,
 * saying how many like it were left out meanwhile; {@link #flush} (on a timer, and at shutdown)
 * writes the count of the last interval's left-out ones when no later warning came to carry it, so
 * the log says how long a flood lasted, not only how it began. Thread-safe; never blocks.
 */
public final class ThrottledWarning {
    private static final long NEVER = Long.MIN_VALUE;

    private final Consumer<String> sink;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong nextAt = new AtomicLong(NEVER);
    private final AtomicLong leftOut = new AtomicLong();

    public ThrottledWarning(Consumer<String> sink, long interval, TimeUnit unit, LongSupplier nanoClock) {
        this.sink = sink;
        this.intervalNanos = unit.toNanos(interval);
        this.nanoClock = nanoClock;
    }

    public void warn(String message) {
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

    /**
     * Writes how many were left out since the last line, if any were and the interval since that
     * line has passed ({@code force}: at once, for shutdown); otherwise nothing.
     */
    public void flush(boolean force) {
        long now = nanoClock.getAsLong();
        long next = nextAt.get();
        if (leftOut.get() == 0 || (!force && next != NEVER && now - next < 0)) return;
        if (!nextAt.compareAndSet(next, now + intervalNanos)) return; // a warning (or flush) got there first
        long skipped = leftOut.getAndSet(0);
        if (skipped > 0) sink.accept(skipped + " more like the last one logged since it was, not logged");
    }
}
