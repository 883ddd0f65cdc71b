package org.platewarden.search.access;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-user token bucket: each user may make {@code perMinute} searches in a burst, refilled
 * continuously at {@code perMinute} per minute. Memory stays bounded by the number of users
 * active within the last minute: when more than {@code maxTrackedUsers} users have buckets, the
 * buckets that are full again (idle users, who would get the same answer from a fresh bucket) are
 * dropped. {@code perMinute <= 0} disables the limit. Thread-safe.
 */
public final class PerUserRateLimiter {
    public static final int DEFAULT_MAX_TRACKED_USERS = 10_000;
    private static final long NANOS_PER_MINUTE = 60_000_000_000L;

    private final int perMinute;
    private final int maxTrackedUsers;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public PerUserRateLimiter(int perMinute) {
        this(perMinute, DEFAULT_MAX_TRACKED_USERS, System::nanoTime);
    }

    public PerUserRateLimiter(int perMinute, int maxTrackedUsers, LongSupplier nanoTime) {
        this.perMinute = perMinute;
        this.maxTrackedUsers = maxTrackedUsers;
        this.nanoTime = nanoTime;
    }

    /** Takes one token; returns 0 when granted, else the seconds until a token is available (>= 1). */
    public int tryAcquire(String user) {
        if (perMinute <= 0) return 0;
        long now = nanoTime.getAsLong();
        if (buckets.size() >= maxTrackedUsers && !buckets.containsKey(user)) evictFull(now);
        Bucket bucket = buckets.computeIfAbsent(user, u -> new Bucket(perMinute, now));
        synchronized (bucket) {
            bucket.refill(now, perMinute);
            if (bucket.tokens >= 1.0) {
                bucket.tokens -= 1.0;
                return 0;
            }
            double missing = 1.0 - bucket.tokens;
            long waitNanos = (long) Math.ceil(missing * NANOS_PER_MINUTE / perMinute);
            return (int) Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        }
    }

    int trackedUsers() {
        return buckets.size();
    }

    private void evictFull(long now) {
        buckets.entrySet().removeIf(e -> {
            Bucket b = e.getValue();
            synchronized (b) {
                b.refill(now, perMinute);
                return b.tokens >= perMinute;
            }
        });
    }

    private static final class Bucket {
        double tokens;
        long lastNanos;

        Bucket(int capacity, long now) {
            this.tokens = capacity;
            this.lastNanos = now;
        }

        void refill(long now, int perMinute) {
            long elapsed = now - lastNanos;
            if (elapsed <= 0) return;
            tokens = Math.min(perMinute, tokens + (double) elapsed * perMinute / NANOS_PER_MINUTE);
            lastNanos = now;
        }
    }
}
