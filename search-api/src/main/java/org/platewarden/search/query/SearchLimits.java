package org.platewarden.search.query;

/**
 * Internal bounds of one search, beyond the configured dragnet guards.
 *
 * @param scanPageSize   candidates fetched per Elasticsearch round trip (at most 10,000, the
 *                       default {@code index.max_result_window})
 * @param maxCandidates  candidates one search may verify; a broader search is refused (400) so
 *                       that results are never silently incomplete
 * @param maxInFlight    searches running at once on this node; more are answered 503
 */
public record SearchLimits(int scanPageSize, int maxCandidates, int maxInFlight) {
    public SearchLimits {
        if (scanPageSize < 1 || scanPageSize > 10_000) throw new IllegalArgumentException("scanPageSize must be 1..10000");
        if (maxCandidates < 1) throw new IllegalArgumentException("maxCandidates must be positive");
        if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight must be positive");
    }

    /**
     * Pages of 10,000 (Elasticsearch's default {@code index.max_result_window}): broad patterns — 2
     * edits on a 6-character plate reach 5,000–6,000 candidates over 21 days of a 500,000-vehicle
     * city — then take one round trip, not two (see docs/benchmark-history.md, fourth session).
     */
    public static SearchLimits defaults() {
        return new SearchLimits(10_000, 50_000, 16);
    }
}
