package org.platewarden.search.query;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What makes a search response unusable even though Elasticsearch answered 200: a timeout or a
 * failed shard would return an incomplete result as if complete, so both fail the search.
 */
final class ShardChecks {
    /**
     * What a search's filter_path keeps of {@code _shards}: how many failed and, when some did, each
     * failure's index and reason type, for the log and to tell a shard still starting.
     */
    static final String FILTER_PATH = "_shards.failed,_shards.total,_shards.failures.index,_shards.failures.reason.type";

    /** The reason Elasticsearch gives for a shard it has no started copy of (starting, recovering, unassigned). */
    private static final String NOT_AVAILABLE = "no_shard_available_action_exception";

    private ShardChecks() {
    }

    static void requireComplete(JsonNode response) {
        if (response.path("timed_out").asBoolean(false)) throw new SearchBackendException(503, "Elasticsearch timed out", null);
        JsonNode shards = response.path("_shards");
        int failed = shards.path("failed").asInt(0);
        if (failed > 0) throw incomplete(failed, shards.path("total").asInt(0), shards.path("failures"));
    }

    /**
     * Some shards failed: nearly always a shard not available for now (Elasticsearch restarting or
     * recovering its shards, a node gone, a full search queue), so a 503 to retry, like the answer
     * Elasticsearch itself gives when no shard can serve — not the 500 of a broken search. When every
     * failure is a shard not available (the day's index created a moment ago by its first read, whose
     * primary is still starting), the search waits briefly and asks again
     * ({@link SearchBackendException#shardStarting()}), as it does when that index alone is searched.
     */
    static SearchBackendException incomplete(int failed, int total, JsonNode failures) {
        JsonNode first = failures.path(0);
        boolean allNotAvailable = failures.size() > 0;
        for (JsonNode f : failures) allNotAvailable &= NOT_AVAILABLE.equals(f.path("reason").path("type").asText());
        String firstIndex = first.path("index").asText(null);
        return new SearchBackendException(503, failed + " of " + total + " Elasticsearch shard(s) failed, so the answer is incomplete"
                + (firstIndex == null ? "" : " (first: " + firstIndex + ": " + first.path("reason").path("type").asText() + ")"),
                null, allNotAvailable);
    }
}
