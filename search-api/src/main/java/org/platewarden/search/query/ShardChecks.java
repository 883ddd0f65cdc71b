package org.platewarden.search.query;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What makes a search response unusable even though Elasticsearch answered 200: a timeout or a
 * failed shard would return an incomplete result as if complete, so both fail the search.
 */
final class ShardChecks {
    /**
     * What a search's filter_path keeps of {@code _shards}: how many failed and, when some did, the
     * first one's index and reason, for the log and the record.
     */
    static final String FILTER_PATH = "_shards.failed,_shards.total,_shards.failures.index,_shards.failures.reason.type";

    private ShardChecks() {
    }

    static void requireComplete(JsonNode response) {
        if (response.path("timed_out").asBoolean(false)) throw new SearchBackendException(503, "Elasticsearch timed out", null);
        JsonNode shards = response.path("_shards");
        int failed = shards.path("failed").asInt(0);
        if (failed > 0) {
            JsonNode first = shards.path("failures").path(0);
            throw incomplete(failed, shards.path("total").asInt(0), first.path("index").asText(null),
                    first.path("reason").path("type").asText(null));
        }
    }

    /**
     * Some shards failed: nearly always a shard not available for now (Elasticsearch restarting or
     * recovering its shards, a node gone, a full search queue), so a 503 to retry, like the answer
     * Elasticsearch itself gives when no shard can serve — not the 500 of a broken search.
     */
    static SearchBackendException incomplete(int failed, int total, String firstIndex, String firstType) {
        return new SearchBackendException(503, failed + " of " + total + " Elasticsearch shard(s) failed, so the answer is incomplete"
                + (firstIndex == null ? "" : " (first: " + firstIndex + ": " + firstType + ")"), null);
    }
}
