package org.platewarden.core.log;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
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

    private final BiConsumer<String, Throwable> sink;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong nextAt = new AtomicLong(NEVER);
    private final AtomicLong leftOut = new AtomicLong();

    public ThrottledWarning(Consumer<String> sink, long interval, TimeUnit unit, LongSupplier nanoClock) {
        this((message, cause) -> sink.accept(message), interval, unit, nanoClock);
    }

    private ThrottledWarning(BiConsumer<String, Throwable> sink, long interval, TimeUnit unit, LongSupplier nanoClock) {
        this.sink = sink;
        this.intervalNanos = unit.toNanos(interval);
        this.nanoClock = nanoClock;
    }

    /**
     * One whose lines carry the cause given to {@link #warn(String, Throwable)} (e.g. {@code LOG::error}:
     * a fault's stack trace, written with the lines that are written, not with those left out).
     */
    public static ThrottledWarning withCause(BiConsumer<String, Throwable> sink, long interval, TimeUnit unit, LongSupplier nanoClock) {
        return new ThrottledWarning(sink, interval, unit, nanoClock);
    }

    public void warn(String message) {
        warn(message, null);
    }

    /** As {@link #warn(String)}, with the cause handed to the sink when the line is written. */
    public void warn(String message, Throwable cause) {
        long now = nanoClock.getAsLong();
        long next = nextAt.get();
        if ((next == NEVER || now - next >= 0) && nextAt.compareAndSet(next, now + intervalNanos)) {
            long skipped = leftOut.getAndSet(0);
            sink.accept(skipped == 0 ? message
                    : message + " (" + skipped + " more like it since the last one logged, " + TimeUnit.NANOSECONDS.toSeconds(intervalNanos) + " s or more ago, not logged)",
                    cause);
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
        if (skipped > 0) sink.accept(skipped + " more like the last one logged since it was, not logged", null);
    }
}
