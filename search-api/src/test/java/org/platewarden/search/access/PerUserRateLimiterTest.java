package org.platewarden.search.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PerUserRateLimiterTest {
    final AtomicLong nanos = new AtomicLong(1_000);

    @Test
    void burstOfPerMinuteThenRefillsContinuously() {
        PerUserRateLimiter limiter = new PerUserRateLimiter(6, 100, nanos::get);
        for (int i = 0; i < 6; i++) assertEquals(0, limiter.tryAcquire("u"));
        int wait = limiter.tryAcquire("u");
        assertEquals(10, wait, "one token per 10 s at 6 per minute");
        nanos.addAndGet(9_000_000_000L);
        assertTrue(limiter.tryAcquire("u") > 0);
        nanos.addAndGet(1_100_000_000L);
        assertEquals(0, limiter.tryAcquire("u"));
        assertEquals(0, limiter.tryAcquire("someone-else"));
    }

    @Test
    void idleUsersAreForgottenWhenTheMapIsFull() {
        PerUserRateLimiter limiter = new PerUserRateLimiter(60, 3, nanos::get);
        for (int i = 0; i < 3; i++) limiter.tryAcquire("u" + i);
        nanos.addAndGet(60_000_000_000L);
        limiter.tryAcquire("new");
        assertEquals(1, limiter.trackedUsers());
    }

    @Test
    void zeroDisablesTheLimit() {
        PerUserRateLimiter limiter = new PerUserRateLimiter(0);
        for (int i = 0; i < 1000; i++) assertEquals(0, limiter.tryAcquire("u"));
    }
}
