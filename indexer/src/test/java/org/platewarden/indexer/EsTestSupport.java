package org.platewarden.indexer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.templates.TemplateInstaller;
import org.platewarden.templates.TemplateResources;
import org.platewarden.testkit.ElasticsearchFixture;

/** Real-Elasticsearch helpers shared by the indexer tests: one prefix per test class, templates installed. */
public final class EsTestSupport implements AutoCloseable {
    public final String prefix;
    public final ElasticsearchConnection conn;
    public final EsRest es;

    public EsTestSupport(String topic) {
        this.prefix = ElasticsearchFixture.uniquePrefix(topic);
        this.conn = new ElasticsearchConnection(ElasticsearchFixture.url());
        this.es = new EsRest(conn.rest());
        new TemplateInstaller(conn.rest(), new TemplateResources(prefix, 21)).install();
    }

    public void refresh(String pattern) {
        es.call("POST", "/" + pattern + "/_refresh?ignore_unavailable=true&allow_no_indices=true", null);
    }

    public long count(String pattern) {
        refresh(pattern);
        JsonNode r = es.call("GET", "/" + pattern + "/_count?ignore_unavailable=true&allow_no_indices=true", null);
        return r.path("count").asLong(0);
    }

    /** read_id -> number of documents carrying it, over every daily index of the prefix. */
    public Map<String, Integer> readIdCounts(String indexPrefix) {
        refresh(indexPrefix + "-reads-*");
        Map<String, Integer> counts = new HashMap<>();
        String body = "{\"size\":10000,\"_source\":[\"read_id\"],\"query\":{\"match_all\":{}}}";
        JsonNode hits = es.call("POST", "/" + indexPrefix + "-reads-*/_search?ignore_unavailable=true&allow_no_indices=true", body)
                .path("hits").path("hits");
        for (JsonNode h : hits) counts.merge(h.path("_source").path("read_id").asText(), 1, Integer::sum);
        return counts;
    }

    /** Writes one document directly (for holds and retention fixtures), refreshed. */
    public void put(String index, String id, String json) {
        es.call("PUT", "/" + index + "/_doc/" + id + "?refresh=true", json);
    }

    /** The index's primary Lucene segments (as compaction counts them). */
    public int primarySegments(String index) {
        return es.call("GET", "/" + index + "/_stats/segments?level=indices", null)
                .path("indices").path(index).path("primaries").path("segments").path("count").asInt(-1);
    }

    public boolean exists(String index) {
        return !es.call("GET", "/" + index, null).isMissingNode();
    }

    public static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        try {
            ElasticsearchFixture.deletePrefix(prefix);
        } finally {
            conn.close();
        }
    }
}
