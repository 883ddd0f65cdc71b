package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SearchDeadlineTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private void advanceMillis(long millis) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void eachRequestWaitsItsOwnTimeoutUntilLessOfTheDeadlineIsLeft() {
        SearchDeadline deadline = SearchDeadline.startingNow(20_000, nanos::get);
        assertEquals(10_000, deadline.requestTimeout(10_000));
        advanceMillis(9_000);
        assertEquals(10_000, deadline.requestTimeout(10_000), "11 s left: the request's own timeout");
        advanceMillis(8_000);
        assertEquals(3_000, deadline.requestTimeout(10_000), "3 s left: what is left");
        advanceMillis(2_999);
        assertEquals(1, deadline.requestTimeout(10_000));
    }

    @Test
    void aSearchPastItsDeadlineSendsNoFurtherRequestAndFailsWithServiceUnavailable() {
        SearchDeadline deadline = SearchDeadline.startingNow(20_000, nanos::get);
        advanceMillis(20_000);
        SearchDeadline.Passed passed = assertThrows(SearchDeadline.Passed.class, () -> deadline.requestTimeout(10_000));
        assertEquals(503, passed.status());
        assertTrue(passed.getMessage().contains("search.max_search_ms (20000 ms)"), passed.getMessage());
        advanceMillis(60_000);
        assertThrows(SearchDeadline.Passed.class, () -> deadline.requestTimeout(10_000));
    }
}
