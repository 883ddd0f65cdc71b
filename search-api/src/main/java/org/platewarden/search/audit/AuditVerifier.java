package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/**
 * Recomputes every node's chain from the audit index: pages through it sorted by
 * {@code (node_id, seq)} with {@code search_after} (no point-in-time needed: records are only ever
 * appended at the end of a chain), and for each record checks, in this order, that its seq is the
 * next one (else "missing record (seq gap)"), that its hash is the hash of its content and equals
 * the local journal's copy when the journal has that seq (else "hash mismatch"), and that its
 * prev_hash is the previous record's hash (else "broken link"). For this node's chain, a record
 * the journal holds beyond the index's last one is also "missing". Blocking: run it on a worker.
 * <p>
 * Writes in flight during a verify (journaled, not yet visible in the index) are not reported:
 * a suspected gap is re-checked after a refresh before it is called missing. A record the index
 * holds and the journal does not (a lone record indexed while its line is being written, or one
 * whose journal write failed: see {@link ChainedAuditLog}) is checked against the chain alone.
 */
public final class AuditVerifier {
    private final RestClient rest;
    private final String index;
    private final Path journalFile;
    private final String journalNodeId;
    private final int pageSize;

    /** {@code journalFile} may be null or absent (e.g. verifying from another node or the CLI without data). */
    public AuditVerifier(RestClient rest, String auditIndex, Path journalFile, String journalNodeId, int pageSize) {
        this.rest = rest;
        this.index = auditIndex;
        this.journalFile = journalFile;
        this.journalNodeId = journalNodeId;
        this.pageSize = pageSize;
    }

    public VerifyResult verify() throws IOException {
        refresh();
        Walk walk = new Walk();
        try {
            JsonNode after = null;
            while (true) {
                ArrayNode hits = page(after);
                for (JsonNode hit : hits) {
                    VerifyResult.Broken broken = walk.accept((ObjectNode) hit.get("_source"));
                    if (broken != null) return new VerifyResult(false, walk.checked, broken);
                }
                if (hits.size() < pageSize) break;
                after = hits.get(hits.size() - 1).get("sort");
            }
            VerifyResult.Broken broken = walk.endOfChain();
            if (broken == null) broken = walk.journalChainAbsent();
            return broken == null ? new VerifyResult(true, walk.checked, null) : new VerifyResult(false, walk.checked, broken);
        } finally {
            walk.closeJournal();
        }
    }

    /** The state of the walk through one chain at a time. */
    private final class Walk {
        long checked;
        String node;
        long expectedSeq;
        String prevHash;
        boolean journalChainSeen;
        AuditJournal.JournalReader journal;
        ObjectNode journalNext;

        VerifyResult.Broken accept(ObjectNode doc) throws IOException {
            String docNode = doc.path(AuditDocument.NODE_ID).asText();
            if (!docNode.equals(node)) {
                VerifyResult.Broken broken = endOfChain();
                if (broken != null) return broken;
                startChain(docNode);
            }
            long seq = doc.path(AuditDocument.SEQ).asLong();
            while (seq > expectedSeq) {
                // a gap, unless the record was still in flight when we refreshed
                ObjectNode late = fetchBySeq(node, expectedSeq);
                if (late == null) return new VerifyResult.Broken(journalAuditId(expectedSeq), expectedSeq, node, VerifyResult.MISSING);
                VerifyResult.Broken broken = check(late);
                if (broken != null) return broken;
            }
            if (seq < expectedSeq) {
                // a second record claiming an already used position: the chain forks here
                return new VerifyResult.Broken(doc.path(AuditDocument.AUDIT_ID).asText(null), seq, node, VerifyResult.BROKEN_LINK);
            }
            return check(doc);
        }

        private VerifyResult.Broken check(ObjectNode doc) throws IOException {
            long seq = doc.path(AuditDocument.SEQ).asLong();
            String auditId = doc.path(AuditDocument.AUDIT_ID).asText(null);
            String hash = doc.path(AuditDocument.HASH).asText();
            if (!AuditDocument.hashOf(doc).equals(hash)) return new VerifyResult.Broken(auditId, seq, node, VerifyResult.HASH_MISMATCH);
            ObjectNode journaled = journalAt(seq);
            if (journaled != null && !journaled.path(AuditDocument.HASH).asText().equals(hash)) {
                return new VerifyResult.Broken(auditId, seq, node, VerifyResult.HASH_MISMATCH);
            }
            if (!doc.path(AuditDocument.PREV_HASH).asText().equals(prevHash)) {
                return new VerifyResult.Broken(auditId, seq, node, VerifyResult.BROKEN_LINK);
            }
            prevHash = hash;
            expectedSeq = seq + 1;
            checked++;
            return null;
        }

        void startChain(String nodeId) throws IOException {
            closeJournal();
            node = nodeId;
            expectedSeq = 1;
            prevHash = AuditDocument.GENESIS_HASH;
            if (nodeId.equals(journalNodeId) && journalFile != null && Files.exists(journalFile)) {
                journal = AuditJournal.reader(journalFile);
                journalNext = journal.next();
                journalChainSeen = true;
            }
        }

        /** The index's chain of this node ends here: anything more in the journal is missing from the index. */
        VerifyResult.Broken endOfChain() throws IOException {
            if (node == null) return null;
            while (journal != null) {
                ObjectNode next = journalAt(expectedSeq);
                if (next == null) break;
                ObjectNode late = fetchBySeq(node, expectedSeq);
                if (late == null) return new VerifyResult.Broken(next.path(AuditDocument.AUDIT_ID).asText(), expectedSeq, node, VerifyResult.MISSING);
                VerifyResult.Broken broken = check(late);
                if (broken != null) return broken;
            }
            return null;
        }

        /** The journal holds a chain the index has no record of at all. */
        VerifyResult.Broken journalChainAbsent() throws IOException {
            if (journalChainSeen || journalFile == null || !Files.exists(journalFile)) return null;
            startChain(journalNodeId);
            return endOfChain();
        }

        private ObjectNode journalAt(long seq) {
            while (journalNext != null && journalNext.path(AuditDocument.SEQ).asLong() < seq) journalNext = journal.next();
            return journalNext != null && journalNext.path(AuditDocument.SEQ).asLong() == seq ? journalNext : null;
        }

        private String journalAuditId(long seq) {
            ObjectNode j = journal == null ? null : journalAt(seq);
            return j == null ? null : j.path(AuditDocument.AUDIT_ID).asText();
        }

        void closeJournal() throws IOException {
            if (journal != null) journal.close();
            journal = null;
            journalNext = null;
        }
    }

    private ArrayNode page(JsonNode after) throws IOException {
        ObjectNode body = CanonicalJson.MAPPER.createObjectNode();
        body.put("size", pageSize);
        body.put("track_total_hits", false);
        ArrayNode sort = body.putArray("sort");
        sort.addObject().put(AuditDocument.NODE_ID, "asc");
        sort.addObject().put(AuditDocument.SEQ, "asc");
        if (after != null) body.set("search_after", after);
        return (ArrayNode) search(body).path("hits").path("hits");
    }

    private ObjectNode fetchBySeq(String nodeId, long seq) throws IOException {
        refresh();
        ObjectNode body = CanonicalJson.MAPPER.createObjectNode();
        body.put("size", 1);
        ArrayNode filter = body.putObject("query").putObject("bool").putArray("filter");
        filter.addObject().putObject("term").put(AuditDocument.NODE_ID, nodeId);
        filter.addObject().putObject("term").put(AuditDocument.SEQ, seq);
        JsonNode hits = search(body).path("hits").path("hits");
        return hits.isEmpty() ? null : (ObjectNode) hits.get(0).get("_source");
    }

    private JsonNode search(ObjectNode body) throws IOException {
        Request request = new Request("POST", "/" + index + "/_search");
        request.addParameter("ignore_unavailable", "true");
        request.setEntity(new NStringEntity(CanonicalJson.MAPPER.writeValueAsString(body), ContentType.APPLICATION_JSON));
        return CanonicalJson.MAPPER.readTree(rest.performRequest(request).getEntity().getContent());
    }

    private void refresh() throws IOException {
        try {
            rest.performRequest(new Request("POST", "/" + index + "/_refresh"));
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() != 404) throw e;
        }
    }
}
