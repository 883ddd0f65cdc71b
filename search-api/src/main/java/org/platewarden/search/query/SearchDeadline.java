package org.platewarden.search.query;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One search's overall deadline ({@code search.max_search_ms}), counted from its arrival. Each of its
 * Elasticsearch requests waits at most the per-request timeout ({@code search.es_request_timeout_ms})
 * and at most what is left of the deadline, so a cluster that slows down without stopping — every
 * request under its own timeout, all of them together far over — fails the search at the deadline.
 * The audit record's write is not bounded by it (it has its own bound, and a journal write under way
 * is never abandoned): a search is answered within about the deadline plus that write.
 */
final class SearchDeadline {
    private final int maxMillis;
    private final long deadlineNanos;
    private final LongSupplier nanoTime;

    private SearchDeadline(int maxMillis, LongSupplier nanoTime) {
        if (maxMillis < 1) throw new IllegalArgumentException("a search's deadline must be positive, not " + maxMillis);
        this.maxMillis = maxMillis;
        this.nanoTime = nanoTime;
        this.deadlineNanos = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
    }

    /** A deadline {@code maxMillis} from now. */
    static SearchDeadline startingNow(int maxMillis) {
        return new SearchDeadline(maxMillis, System::nanoTime);
    }

    /** The same on another clock (tests). */
    static SearchDeadline startingNow(int maxMillis, LongSupplier nanoTime) {
        return new SearchDeadline(maxMillis, nanoTime);
    }

    int maxMillis() {
        return maxMillis;
    }

    /**
     * How long the search's next Elasticsearch request may wait: {@code perRequestMillis}, or what is
     * left of the deadline when that is less.
     *
     * @throws Passed when nothing is left: the request is not sent
     */
    int requestTimeout(int perRequestMillis) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - nanoTime.getAsLong());
        if (left < 1) throw passed();
        return (int) Math.min(perRequestMillis, left);
    }

    /** The failure of a search that reached its deadline: 503, retry later, as for a cluster that does not answer. */
    Passed passed() {
        return new Passed(maxMillis, null);
    }

    /** The search reached its deadline ({@code search.max_search_ms}); {@code cause}: the request cut short by it, if any. */
    static final class Passed extends SearchBackendException {
        Passed(int maxMillis, Throwable cause) {
            super(503, "the search did not finish within search.max_search_ms (" + maxMillis + " ms)", cause);
        }
    }
}
