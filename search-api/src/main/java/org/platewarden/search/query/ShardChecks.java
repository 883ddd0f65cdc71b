package org.platewarden.search.query;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What makes a search response unusable even though Elasticsearch answered 200: a timeout or a
 * failed shard would return an incomplete result as if complete, so both fail the search.
 */
final class ShardChecks {
    private ShardChecks() {
    }

    static void requireComplete(JsonNode response) {
        if (response.path("timed_out").asBoolean(false)) throw new SearchBackendException(503, "Elasticsearch timed out", null);
        int failed = response.path("_shards").path("failed").asInt(0);
        if (failed > 0) throw new SearchBackendException(500, failed + " Elasticsearch shard(s) failed", null);
    }
}
