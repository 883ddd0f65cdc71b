package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which audit ids the audit index has a record of, and each record's {@code request_count}: a
 * multi-get by {@code _id} (the index's {@code _id} is the record's audit id), which is real-time —
 * it sees the records the audit log's start-up recovery has just re-sent, before any refresh — in
 * requests of {@value #PER_REQUEST} ids. Ask it once the audit log has started (its recovery done).
 */
public final class RecordedIds {
    static final int PER_REQUEST = 1_000;
    private final EsRest es;
    private final String index;

    public RecordedIds(EsRest es, String auditIndex) {
        this.es = es;
        this.index = auditIndex;
    }

    /** The ids among {@code ids} that have a record, with its request count (1 for a record without one). Fails if Elasticsearch does. */
    public Future<Map<String, Long>> find(List<String> ids) {
        return find(ids, 0, new HashMap<>());
    }

    private Future<Map<String, Long>> find(List<String> ids, int from, Map<String, Long> found) {
        if (from >= ids.size()) return Future.succeededFuture(found);
        ObjectNode body = CanonicalJson.MAPPER.createObjectNode();
        ids.subList(from, Math.min(ids.size(), from + PER_REQUEST)).forEach(body.putArray("ids")::add);
        return es.call("POST", "/" + index + "/_mget?_source_includes=" + AuditDocument.REQUEST_COUNT, CanonicalJson.write(body))
                .compose(answer -> {
                    for (JsonNode doc : answer.path("docs")) {
                        JsonNode error = doc.path("error");
                        // no audit index yet: no record was ever written, so none of these ids has one
                        if (!error.isMissingNode() && !"index_not_found_exception".equals(error.path("type").asText())) {
                            return Future.failedFuture(new IllegalStateException("looking up audit id " + doc.path("_id").asText()
                                    + " in " + index + ": " + error));
                        }
                        if (doc.path("found").asBoolean()) {
                            found.put(doc.path("_id").asText(), doc.path("_source").path(AuditDocument.REQUEST_COUNT).asLong(1));
                        }
                    }
                    return find(ids, from + PER_REQUEST, found);
                });
    }
}
