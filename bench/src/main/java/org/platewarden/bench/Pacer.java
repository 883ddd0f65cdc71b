package org.platewarden.bench;

/**
 * Open-loop schedule shared by all connections: the k-th send (over the whole run) is due at
 * start + k / rate. Latency is measured from the due time, not the actual send time, so a stalled
 * server cannot hide its stall by slowing the generator down (coordinated omission). With rate 0
 * the run is closed-loop at maximum rate and latency is measured from the actual send.
 */
public final class Pacer {
    private final long startNanos;
    private final double sendsPerSecond;
    private final java.util.concurrent.atomic.AtomicLong slots = new java.util.concurrent.atomic.AtomicLong();

    public Pacer(long startNanos, double sendsPerSecond) {
        this.startNanos = startNanos;
        this.sendsPerSecond = sendsPerSecond;
    }

    public boolean unlimited() {
        return sendsPerSecond <= 0;
    }

    /** Claims the next slot and returns its due time (System.nanoTime scale); now for unlimited runs. */
    public long nextDue() {
        if (unlimited()) return System.nanoTime();
        long k = slots.getAndIncrement();
        return startNanos + (long) (k * 1e9 / sendsPerSecond);
    }
}
