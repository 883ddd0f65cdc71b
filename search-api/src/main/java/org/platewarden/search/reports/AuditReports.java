package org.platewarden.search.reports;

import com.fasterxml.jackson.databind.JsonNode;
import org.platewarden.search.api.BlockingPool;
import org.platewarden.search.audit.AuditDocument;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.platewarden.search.audit.EsRest;

/**
 * Auditor reports over {@code <prefix>-audit}. The audit index is refreshed before each read (audit
 * writes do not wait for a refresh, and an auditor must see every record already acknowledged);
 * auditor reads are rare, so the extra refresh is cheap. Every record served is checked as far as
 * the page allows ({@link PageIntegrity}), so an auditor reading the report sees an edited record
 * flagged, not only whoever runs verify.
 */
public final class AuditReports {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AuditReports.class);
    private final EsRest es;
    private final String index;

    private final java.util.Set<String> expectedNodes;
    private final BlockingPool pool;

    /**
     * @param expectedNodes the nodes whose chains belong in the trail; a record of another is flagged
     * @param pool          where a page's records are checked (hashing is CPU work)
     */
    public AuditReports(EsRest es, String auditIndex, java.util.Set<String> expectedNodes, BlockingPool pool) {
        this.pool = pool;
        this.expectedNodes = expectedNodes;
        this.es = es;
        this.index = auditIndex;
    }

    public Future<AuditPage> page(AuditQuery query) {
        return es.call("POST", "/" + index + "/_refresh?ignore_unavailable=true", null)
                .compose(v -> es.call("POST", "/" + index + "/_search?ignore_unavailable=true", query.searchBody().toString()))
                // hashing up to 1 000 records is CPU work of tens of milliseconds: not on the event loop
                .compose(response -> pool.submit(() -> {
                    JsonNode hits = response.path("hits").path("hits");
                    List<JsonObject> records = new ArrayList<>(hits.size());
                    PageIntegrity integrity = new PageIntegrity(expectedNodes);
                    for (JsonNode hit : hits) {
                        integrity.check(hit.path("_source"));
                        records.add(new JsonObject(hit.path("_source").toString()));
                    }
                    if (!integrity.problems().isEmpty()) {
                        LOG.warn("audit report served records that do not check out ({}); run audit verify", integrity.problems());
                    }
                    String next = hits.size() == query.limit() ? query.cursorAfter(hits.get(hits.size() - 1).path("sort")) : null;
                    return new AuditPage(records, response.path("hits").path("total").path("value").asLong(), next, integrity.problems());
                }));
    }

    /**
     * What can be checked of a page without the rest of the trail: each record against its own hash
     * (an edit that did not re-hash), and each record against the one before it in its node's chain
     * when both are on the page (an edit that re-hashed its record breaks the next one's link). A
     * record deleted, or the chain rewritten from some point on, is for {@code audit verify}, which
     * walks every chain and the journal.
     */
    static final class PageIntegrity {
        private final List<String> problems = new ArrayList<>();
        private final java.util.Map<String, JsonNode> lastByNode = new java.util.HashMap<>();
        private final java.util.Set<String> expectedNodes;

        PageIntegrity(java.util.Set<String> expectedNodes) {
            this.expectedNodes = expectedNodes;
        }

        void check(JsonNode doc) {
            String node = doc.path(AuditDocument.NODE_ID).asText();
            long seq = doc.path(AuditDocument.SEQ).asLong();
            String name = "node " + node + " seq " + seq + " (audit " + doc.path(AuditDocument.AUDIT_ID).asText() + ")";
            if (!expectedNodes.contains(node)) {
                problems.add(name + ": node " + node + " is not in audit_nodes (a chain added to the index, or a node missing from the configuration)");
            }
            if (!AuditDocument.hashOf(doc).equals(doc.path(AuditDocument.HASH).asText())) {
                problems.add(name + ": its content does not match its hash (changed after it was sealed)");
            }
            JsonNode previous = lastByNode.put(node, doc);
            if (previous == null) return;
            // pages run oldest or newest first: the later record of a neighbouring pair must link to the earlier
            long previousSeq = previous.path(AuditDocument.SEQ).asLong();
            JsonNode earlier = previousSeq == seq - 1 ? previous : previousSeq == seq + 1 ? doc : null;
            JsonNode later = earlier == previous ? doc : previous;
            if (earlier != null && !earlier.path(AuditDocument.HASH).asText().equals(later.path(AuditDocument.PREV_HASH).asText())) {
                long laterSeq = later.path(AuditDocument.SEQ).asLong();
                problems.add("node " + node + " seq " + laterSeq + " (audit " + later.path(AuditDocument.AUDIT_ID).asText()
                        + "): its prev_hash is not the hash of seq " + (laterSeq - 1) + " (a record before it was changed and re-hashed)");
            }
        }

        List<String> problems() {
            return problems;
        }
    }
}
