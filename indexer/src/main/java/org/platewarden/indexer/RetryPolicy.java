package org.platewarden.indexer;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: attempt n (1-based) waits a random fraction in [1/2, 1] of
 * {@code min(cap, initial * 2^(n-1))}. The jitter keeps several indexers that lost the same
 * cluster from coming back in lock-step. Tests inject short durations and a fixed jitter source.
 */
public record RetryPolicy(Duration initial, Duration cap, DoubleSupplier jitter) {

    public static RetryPolicy defaults() {
        return new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(30), () -> ThreadLocalRandom.current().nextDouble());
    }

    public static RetryPolicy of(Duration initial, Duration cap) {
        return new RetryPolicy(initial, cap, () -> ThreadLocalRandom.current().nextDouble());
    }

    public RetryPolicy {
        if (initial.isNegative() || initial.isZero()) throw new IllegalArgumentException("initial backoff must be positive");
        if (cap.compareTo(initial) < 0) throw new IllegalArgumentException("backoff cap must be >= initial");
    }

    public long delayMillis(int attempt) {
        int shift = Math.max(0, Math.min(attempt - 1, 30));
        long ceiling = Math.min(cap.toMillis(), initial.toMillis() << shift);
        if (ceiling <= 0) ceiling = cap.toMillis();
        double fraction = 0.5 + 0.5 * Math.min(1.0, Math.max(0.0, jitter.getAsDouble()));
        return Math.max(1, (long) (ceiling * fraction));
    }
}
