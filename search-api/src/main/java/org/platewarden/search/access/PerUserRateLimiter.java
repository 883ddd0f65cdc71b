package org.platewarden.search.access;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-user sliding window: a user gets at most {@code perMinute} searches in any 60 seconds, which
 * is what "60 searches per minute" says to an auditor. (A token bucket of the same size let a user
 * who had been idle make a burst of {@code perMinute} and then one more per refill, close to twice
 * the figure in the first minute.) Each user's window keeps the times of their last
 * {@code perMinute} granted searches in a ring; a search is granted when the oldest of them is a
 * minute old. Memory stays bounded: {@code perMinute} is at most {@link #MAX_PER_MINUTE}, and when
 * more than {@code maxTrackedUsers} users have windows, those with no search in the last minute
 * (who would get the same answer from a fresh window) are dropped. {@code perMinute <= 0}
 * disables the limit. A search granted but then not run because the node was too busy is given back
 * ({@link #refund}), so a 503 does not spend one of its caller's searches. Thread-safe.
 */
public final class PerUserRateLimiter {
    public static final int DEFAULT_MAX_TRACKED_USERS = 10_000;
    /** Keeps a window (one long per search) small; far above any investigator's pace. */
    public static final int MAX_PER_MINUTE = 10_000;
    private static final long NANOS_PER_MINUTE = 60_000_000_000L;

    private final int perMinute;
    private final int maxTrackedUsers;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public PerUserRateLimiter(int perMinute) {
        this(perMinute, DEFAULT_MAX_TRACKED_USERS, System::nanoTime);
    }

    public PerUserRateLimiter(int perMinute, int maxTrackedUsers, LongSupplier nanoTime) {
        if (perMinute > MAX_PER_MINUTE) throw new IllegalArgumentException("at most " + MAX_PER_MINUTE + " searches per minute");
        this.perMinute = perMinute;
        this.maxTrackedUsers = maxTrackedUsers;
        this.nanoTime = nanoTime;
    }

    /**
     * A search granted ({@code waitSeconds} 0, at {@code grantedAt}) or not ({@code waitSeconds}: the
     * seconds until one is, >= 1). A grant the search did not use can be given back ({@link #refund}).
     */
    public record Grant(String user, long grantedAt, int waitSeconds) {
        public boolean granted() {
            return waitSeconds == 0;
        }
    }

    /** Grants one search; returns 0 when granted, else the seconds until one is (>= 1). */
    public int tryAcquire(String user) {
        return acquire(user).waitSeconds();
    }

    /** Grants one search, or says how long until one is. */
    public Grant acquire(String user) {
        long now = nanoTime.getAsLong();
        if (perMinute <= 0) return new Grant(user, now, 0);
        if (windows.size() >= maxTrackedUsers && !windows.containsKey(user)) evictIdle(now);
        Window window = windows.computeIfAbsent(user, u -> new Window(perMinute));
        synchronized (window) {
            long waitNanos = window.waitNanos(now);
            if (waitNanos <= 0) {
                window.grant(now);
                return new Grant(user, now, 0);
            }
            return new Grant(user, now, (int) Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L));
        }
    }

    /**
     * Gives back a grant whose search did not run (the node was too busy): that search is taken out of
     * its user's window, exactly it and not a later one, so the window still holds the times of every
     * search that did run and the limit stays "at most {@code perMinute} in any 60 seconds". A grant
     * already given back, or never granted, changes nothing.
     */
    public void refund(Grant grant) {
        if (perMinute <= 0 || grant == null || !grant.granted()) return;
        Window window = windows.get(grant.user());
        if (window == null) return;
        synchronized (window) {
            window.remove(grant.grantedAt());
        }
    }

    int trackedUsers() {
        return windows.size();
    }

    private void evictIdle(long now) {
        windows.entrySet().removeIf(e -> {
            Window w = e.getValue();
            synchronized (w) {
                return w.idleSince(now);
            }
        });
    }

    /** The times of a user's last {@code perMinute} granted searches, oldest at {@code next} once full. */
    private static final class Window {
        final long[] grants;
        int count;
        int next;

        Window(int perMinute) {
            this.grants = new long[perMinute];
        }

        /** How long until a search may be granted: 0 or less when now. */
        long waitNanos(long now) {
            if (count < grants.length) return 0;
            return grants[next] + NANOS_PER_MINUTE - now;
        }

        void grant(long now) {
            grants[next] = now;
            next = (next + 1) % grants.length;
            if (count < grants.length) count++;
        }

        /**
         * Takes the newest grant made at {@code at} out of the ring: the grants after it move one place
         * back, so the ring stays in time order. False when there is none (given back already).
         */
        boolean remove(long at) {
            int oldest = Math.floorMod(next - count, grants.length);
            for (int k = count - 1; k >= 0; k--) {
                if (grants[(oldest + k) % grants.length] != at) continue;
                for (int j = k; j < count - 1; j++) {
                    grants[(oldest + j) % grants.length] = grants[(oldest + j + 1) % grants.length];
                }
                next = Math.floorMod(next - 1, grants.length);
                count--;
                return true;
            }
            return false;
        }

        /** No search granted in the last minute. */
        boolean idleSince(long now) {
            if (count == 0) return true;
            long newest = grants[(next - 1 + grants.length) % grants.length];
            return now - newest >= NANOS_PER_MINUTE;
        }
    }
}
