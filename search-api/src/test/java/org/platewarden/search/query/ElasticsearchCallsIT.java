package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.junit.jupiter.api.Test;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.testkit.ElasticsearchFixture;

/** The audit id reaches Elasticsearch as X-Opaque-Id (Elasticsearch echoes the header it received). */
class ElasticsearchCallsIT {
    @Test
    void taggedRequestsCarryTheAuditIdToElasticsearch() throws IOException {
        try (ElasticsearchConnection es = new ElasticsearchConnection(ElasticsearchFixture.url())) {
            Request request = new Request("GET", "/_cluster/health");
            ElasticsearchCalls.tag(request, "audit-1234");
            Response response = es.rest().performRequest(request);
            assertEquals("audit-1234", response.getHeader(ElasticsearchCalls.OPAQUE_ID));
        }
    }
}
