package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.testkit.ElasticsearchFixture;

class ElasticsearchCallsIT {
    private static ElasticsearchConnection es;
    private static Vertx vertx;
    private static final String PREFIX = ElasticsearchFixture.uniquePrefix("calls");

    @BeforeAll
    static void connect() {
        es = new ElasticsearchConnection(ElasticsearchFixture.url());
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void close() {
        ElasticsearchFixture.deletePrefix(PREFIX);
        es.close();
        vertx.close();
    }

    /** The audit id reaches Elasticsearch as X-Opaque-Id (Elasticsearch echoes the header it received). */
    @Test
    void taggedRequestsCarryTheAuditIdToElasticsearch() throws IOException {
        Request request = new Request("GET", "/_cluster/health");
        ElasticsearchCalls.tag(request, "audit-1234");
        Response response = es.rest().performRequest(request);
        assertEquals("audit-1234", response.getHeader(ElasticsearchCalls.OPAQUE_ID));
    }

    /**
     * A search that hits an index whose shard is still starting (the first read of a new day) waits
     * briefly instead of failing; simulated with an allocation filter lifted a moment later.
     */
    @Test
    void searchWaitsForAShardThatIsStillStarting() throws Exception {
        String index = PREFIX + "-starting";
        createUnallocated(index);
        Context context = vertx.getOrCreateContext();
        var result = new ElasticsearchCalls(es.rest(), 30_000).perform(context, search(index),
                in -> new String(in.readAllBytes(), StandardCharsets.UTF_8), SearchDeadline.startingNow(60_000)).toCompletionStage().toCompletableFuture();
        Thread.sleep(80);
        allowAllocation(index);
        String body = result.get(30, TimeUnit.SECONDS);
        assertTrue(body.contains("\"hits\""), body);
    }

    @Test
    void aShardThatNeverStartsStillFailsWithServiceUnavailable() throws Exception {
        String index = PREFIX + "-never";
        createUnallocated(index);
        var result = new ElasticsearchCalls(es.rest(), 30_000).perform(vertx.getOrCreateContext(), search(index),
                in -> new String(in.readAllBytes(), StandardCharsets.UTF_8), SearchDeadline.startingNow(60_000)).toCompletionStage().toCompletableFuture();
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> result.get(30, TimeUnit.SECONDS));
        SearchBackendException sbe = assertInstanceOf(SearchBackendException.class, e.getCause());
        assertEquals(503, sbe.status());
        assertTrue(sbe.shardStarting());
    }

    /**
     * The first read of a day creates its index while searches over the last 24 hours, two days'
     * indices, run: Elasticsearch answers them 200 with the other day's hits and the new index's shard
     * failed as not available. Such a search waits for the shard as one over the new index alone does,
     * instead of failing.
     */
    @Test
    void aSearchOverSeveralDaysWaitsForTheShardOfADayThatIsStillStarting() throws Exception {
        String yesterday = PREFIX + "-days-1";
        Request doc = new Request("PUT", "/" + yesterday + "/_doc/r1?refresh=true");
        doc.setEntity(new NStringEntity("{\"plate\":\"DAY1\"}", ContentType.APPLICATION_JSON));
        es.rest().performRequest(doc);
        String today = PREFIX + "-days-2";
        createUnallocated(today);
        Request search = new Request("POST", "/" + yesterday + "," + today + "/_search");
        search.addParameter("filter_path", "timed_out," + ShardChecks.FILTER_PATH + ",hits.hits._id");
        search.setEntity(new NStringEntity("{\"query\":{\"match_all\":{}}}", ContentType.APPLICATION_JSON));
        var result = new ElasticsearchCalls(es.rest(), 30_000).perform(vertx.getOrCreateContext(), search, in -> {
            com.fasterxml.jackson.databind.JsonNode answer = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
            ShardChecks.requireComplete(answer);
            return answer;
        }, SearchDeadline.startingNow(60_000)).toCompletionStage().toCompletableFuture();
        Thread.sleep(80);
        allowAllocation(today);
        com.fasterxml.jackson.databind.JsonNode answer = result.get(30, TimeUnit.SECONDS);
        assertEquals("r1", answer.path("hits").path("hits").path(0).path("_id").asText(), answer.toString());
    }

    private static Request search(String index) {
        Request r = new Request("POST", "/" + index + "/_search");
        r.setEntity(new NStringEntity("{\"query\":{\"match_all\":{}}}", ContentType.APPLICATION_JSON));
        return r;
    }

    private static void createUnallocated(String index) throws IOException {
        Request create = new Request("PUT", "/" + index + "?wait_for_active_shards=0");
        create.setEntity(new NStringEntity("{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0,"
                + "\"index.routing.allocation.require._name\":\"no-such-node\"}}", ContentType.APPLICATION_JSON));
        es.rest().performRequest(create);
    }

    private static void allowAllocation(String index) throws IOException {
        Request settings = new Request("PUT", "/" + index + "/_settings");
        settings.setEntity(new NStringEntity("{\"index.routing.allocation.require._name\":null}", ContentType.APPLICATION_JSON));
        es.rest().performRequest(settings);
    }
}
