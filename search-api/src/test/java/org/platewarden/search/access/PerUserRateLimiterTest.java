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
    void aRefundedGrantIsTakenOutOfTheWindowAndOnlyIt() {
        PerUserRateLimiter limiter = new PerUserRateLimiter(3, 100, nanos::get);
        PerUserRateLimiter.Grant first = limiter.acquire("u");
        nanos.addAndGet(1_000_000_000L);
        PerUserRateLimiter.Grant busy = limiter.acquire("u"); // t = 1 s: it will find the node too busy
        nanos.addAndGet(1_000_000_000L);
        PerUserRateLimiter.Grant third = limiter.acquire("u"); // t = 2 s
        assertTrue(first.granted() && busy.granted() && third.granted());
        assertEquals(58, limiter.tryAcquire("u"), "three granted: the next when the first is a minute old");

        limiter.refund(busy);
        limiter.refund(busy); // twice changes nothing more
        assertEquals(0, limiter.tryAcquire("u"), "the search that did not run gave its place back");
        assertEquals(58, limiter.tryAcquire("u"));
        // the window holds t = 0, 2 and 2 s: the one given back (t = 1 s) is not what frees the next place
        nanos.addAndGet(58_000_000_000L); // t = 60 s
        assertEquals(0, limiter.tryAcquire("u"), "the first is a minute old");
        assertEquals(2, limiter.tryAcquire("u"), "the third (t = 2 s) still counts: exactly the refunded grant left");
    }

    @Test
    void refundsKeepTheRingInOrderWhenItHasWrappedAround() {
        PerUserRateLimiter limiter = new PerUserRateLimiter(4, 100, nanos::get);
        long t0 = nanos.get();
        PerUserRateLimiter.Grant[] grants = new PerUserRateLimiter.Grant[6];
        long[] at = {0, 1, 2, 3, 63, 64}; // seconds: the last two take the places of the first two, the ring wraps
        for (int i = 0; i < at.length; i++) {
            nanos.set(t0 + at[i] * 1_000_000_000L);
            grants[i] = limiter.acquire("u");
            assertTrue(grants[i].granted(), "grant " + i);
        }
        nanos.set(t0 + 64_500_000_000L);
        // in the window, oldest first: 2, 3, 63, 64 s; taking out 3 s moves 63 and 64 back across the ring's end
        limiter.refund(grants[3]);
        assertEquals(0, limiter.tryAcquire("u"), "three in the window: a fourth fits");
        assertEquals(0, limiter.tryAcquire("u"), "the oldest (2 s) is a minute old");
        assertEquals(59, limiter.tryAcquire("u"), "the oldest now is 63 s: 58.5 s to go");
        limiter.refund(new PerUserRateLimiter.Grant("u", 12345L, 0)); // a grant not in the window: nothing happens
        limiter.refund(new PerUserRateLimiter.Grant("nobody", 12345L, 0));
        assertEquals(59, limiter.tryAcquire("u"));
    }

    @Test
    void aRefusalIsNotAGrantAndCannotBeRefunded() {
        PerUserRateLimiter limiter = new PerUserRateLimiter(1, 100, nanos::get);
        assertTrue(limiter.acquire("u").granted());
        PerUserRateLimiter.Grant refused = limiter.acquire("u");
        assertEquals(60, refused.waitSeconds());
        limiter.refund(refused);
        assertTrue(limiter.tryAcquire("u") > 0);
        PerUserRateLimiter none = new PerUserRateLimiter(0);
        none.refund(none.acquire("u")); // no limit: nothing to give back
        assertEquals(0, none.tryAcquire("u"));
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
