package org.platewarden.search.query;

import org.platewarden.core.config.SearchConfig;

/**
 * Internal bounds of one search, beyond the configured dragnet guards, and of the searches one node
 * runs at once.
 *
 * @param scanPageSize   candidates fetched per Elasticsearch round trip (at most 10,000, the
 *                       default {@code index.max_result_window})
 * @param maxCandidates  candidates one search may verify; a broader search is refused (400) so
 *                       that results are never silently incomplete
 * @param maxInFlight    searches running at once on this node ({@code search.max_concurrent_searches})
 * @param maxQueued      searches that may wait for one of those to end ({@code search.max_queued_searches});
 *                       0: a search that finds them all running is answered 503 at once
 * @param maxWaitMillis  how long a search waits in that queue before it is answered 503 ({@code search.max_queue_wait_ms})
 * @param esTimeoutMillis how long each of a search's Elasticsearch requests may wait for Elasticsearch
 *                       before the search fails closed ({@code search.es_request_timeout_ms})
 * @param maxSearchMillis how long a whole search may take, from its arrival, before it fails closed;
 *                       its requests wait at most what is left of it ({@code search.max_search_ms})
 */
public record SearchLimits(int scanPageSize, int maxCandidates, int maxInFlight, int maxQueued, long maxWaitMillis,
                           int esTimeoutMillis, int maxSearchMillis) {
    public SearchLimits {
        if (scanPageSize < 1 || scanPageSize > 10_000) throw new IllegalArgumentException("scanPageSize must be 1..10000");
        if (maxCandidates < 1) throw new IllegalArgumentException("maxCandidates must be positive");
        if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight must be positive");
        if (maxQueued < 0) throw new IllegalArgumentException("maxQueued must be >= 0");
        if (maxWaitMillis < 0) throw new IllegalArgumentException("maxWaitMillis must be >= 0");
        if (esTimeoutMillis < 1) throw new IllegalArgumentException("esTimeoutMillis must be positive");
        if (maxSearchMillis < 1) throw new IllegalArgumentException("maxSearchMillis must be positive");
    }

    /**
     * With the default Elasticsearch timeout and search deadline ({@link SearchConfig#DEFAULT_ES_REQUEST_TIMEOUT_MS},
     * {@link SearchConfig#DEFAULT_MAX_SEARCH_MS}).
     */
    public SearchLimits(int scanPageSize, int maxCandidates, int maxInFlight, int maxQueued, long maxWaitMillis) {
        this(scanPageSize, maxCandidates, maxInFlight, maxQueued, maxWaitMillis, SearchConfig.DEFAULT_ES_REQUEST_TIMEOUT_MS,
                SearchConfig.DEFAULT_MAX_SEARCH_MS);
    }

    /** No queue: a search beyond {@code maxInFlight} is answered 503 at once. */
    public SearchLimits(int scanPageSize, int maxCandidates, int maxInFlight) {
        this(scanPageSize, maxCandidates, maxInFlight, 0, 0);
    }

    /**
     * Pages of 10,000 (Elasticsearch's default {@code index.max_result_window}): broad patterns — 2
     * edits on a 6-character plate reach 5,000–6,000 candidates over 21 days of a 500,000-vehicle
     * city — then take one round trip, not two (see docs/benchmark-history.md, fourth session).
     * The node's searches at once and their queue are the configuration's defaults.
     */
    public static SearchLimits defaults() {
        return of(SearchConfig.defaults());
    }

    /**
     * The defaults with the configured searches at once and their queue ({@code search.max_concurrent_searches},
     * {@code max_queued_searches}, {@code max_queue_wait_ms}), Elasticsearch timeout ({@code es_request_timeout_ms})
     * and deadline ({@code max_search_ms}).
     */
    public static SearchLimits of(SearchConfig search) {
        return new SearchLimits(10_000, 50_000, search.maxConcurrentSearches(), search.maxQueuedSearches(), search.maxQueueWaitMs(),
                search.esRequestTimeoutMs(), search.maxSearchMs());
    }
}
