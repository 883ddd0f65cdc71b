package org.platewarden.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * When a load run stops: after a wall-clock duration, after a number of reads, or at whichever
 * comes first. Every load loop asks this before each send, so every loop ends by itself.
 */
public final class LoadControl {
    private final double durationSeconds;
    private final double sendsPerSecond;
    private final AtomicLong remaining;
    private volatile long deadlineNanos = Long.MIN_VALUE;
    private volatile Pacer pacer;

    /**
     * @param durationSeconds 0 = no time limit (then maxReads must be set)
     * @param maxReads        0 = no count limit (then durationSeconds must be set)
     */
    public LoadControl(double durationSeconds, long maxReads, double readsPerSecond, int batchSize) {
        if (durationSeconds <= 0 && maxReads <= 0) throw new IllegalArgumentException("a run needs a duration or a read count");
        this.durationSeconds = durationSeconds;
        this.sendsPerSecond = readsPerSecond > 0 ? readsPerSecond / batchSize : 0;
        this.remaining = new AtomicLong(maxReads > 0 ? maxReads : Long.MAX_VALUE);
    }

    /** Starts the clock once every connection is up, so connection set-up counts neither against the duration nor the latency. */
    public void begin() {
        long now = System.nanoTime();
        pacer = new Pacer(now, sendsPerSecond);
        deadlineNanos = durationSeconds > 0 ? now + (long) (durationSeconds * 1e9) : Long.MAX_VALUE;
    }

    public Pacer pacer() {
        return pacer;
    }

    public boolean expired() {
        return System.nanoTime() - deadlineNanos >= 0 || remaining.get() <= 0;
    }

    /** Claims up to {@code wanted} reads for one send; 0 when the run is over. */
    public int claim(int wanted) {
        if (System.nanoTime() - deadlineNanos >= 0) return 0;
        while (true) {
            long left = remaining.get();
            if (left <= 0) return 0;
            int granted = (int) Math.min(wanted, left);
            if (remaining.compareAndSet(left, left - granted)) return granted;
        }
    }
}
