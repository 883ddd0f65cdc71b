package org.platewarden.search.reports;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.platewarden.search.audit.EsRest;

/**
 * Auditor reports over {@code <prefix>-audit}. The audit index is refreshed before each read (audit
 * writes do not wait for a refresh, and an auditor must see every record already acknowledged);
 * auditor reads are rare, so the extra refresh is cheap.
 */
public final class AuditReports {
    private final EsRest es;
    private final String index;

    public AuditReports(EsRest es, String auditIndex) {
        this.es = es;
        this.index = auditIndex;
    }

    public Future<AuditPage> page(AuditQuery query) {
        return es.call("POST", "/" + index + "/_refresh?ignore_unavailable=true", null)
                .compose(v -> es.call("POST", "/" + index + "/_search?ignore_unavailable=true", query.searchBody().toString()))
                .map(response -> {
                    JsonNode hits = response.path("hits").path("hits");
                    List<JsonObject> records = new ArrayList<>(hits.size());
                    for (JsonNode hit : hits) records.add(new JsonObject(hit.path("_source").toString()));
                    String next = hits.size() == query.limit() ? AuditQuery.encodeCursor(hits.get(hits.size() - 1).path("sort")) : null;
                    return new AuditPage(records, response.path("hits").path("total").path("value").asLong(), next);
                });
    }
}
