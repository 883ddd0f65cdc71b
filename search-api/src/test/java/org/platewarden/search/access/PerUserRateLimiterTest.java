package org.platewarden.search.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PerUserRateLimiterTest {
    final AtomicLong nanos = new AtomicLong(1_000);

    @Test
    void atMostPerMinuteInAnySixtySeconds() {
        PerUserRateLimiter limiter = new PerUserRateLimiter(6, 100, nanos::get);
        for (int i = 0; i < 6; i++) {
            assertEquals(0, limiter.tryAcquire("u"));
            nanos.addAndGet(1_000_000_000L);
        }
        // six granted at t = 0..5 s; the next is granted when the first is a minute old (t = 60 s)
        assertEquals(54, limiter.tryAcquire("u"));
        nanos.addAndGet(53_500_000_000L); // t = 59.5 s
        assertEquals(1, limiter.tryAcquire("u"));
        nanos.addAndGet(500_000_000L); // t = 60 s
        assertEquals(0, limiter.tryAcquire("u"));
        assertTrue(limiter.tryAcquire("u") > 0, "the second of the first six is not a minute old yet");
        assertEquals(0, limiter.tryAcquire("someone-else"));
    }

    @Test
    void aSteadyClientGetsNoMoreThanTheLimitPerMinute() {
        // the token bucket this replaced let 117 of these through in 57 s at 60 per minute
        PerUserRateLimiter limiter = new PerUserRateLimiter(60, 100, nanos::get);
        long start = nanos.get();
        int granted = 0;
        for (long t = 0; t < 60_000_000_000L; t += 280_000_000L) {
            nanos.set(start + t);
            if (limiter.tryAcquire("u") == 0) granted++;
        }
        assertEquals(60, granted);
    }

    @Test
    void idleUsersAreForgottenWhenTheMapIsFull() {
        PerUserRateLimiter limiter = new PerUserRateLimiter(60, 3, nanos::get);
        for (int i = 0; i < 3; i++) limiter.tryAcquire("u" + i);
        nanos.addAndGet(59_000_000_000L);
        limiter.tryAcquire("u0");
        nanos.addAndGet(1_000_000_000L);
        limiter.tryAcquire("new");
        assertEquals(2, limiter.trackedUsers(), "u1 and u2 idle for a minute are dropped; u0 searched 1 s ago");
    }

    @Test
    void zeroDisablesTheLimit() {
        PerUserRateLimiter limiter = new PerUserRateLimiter(0);
        for (int i = 0; i < 1000; i++) assertEquals(0, limiter.tryAcquire("u"));
    }

    @Test
    void theWindowIsBounded() {
        assertThrows(IllegalArgumentException.class, () -> new PerUserRateLimiter(PerUserRateLimiter.MAX_PER_MINUTE + 1));
    }
}
