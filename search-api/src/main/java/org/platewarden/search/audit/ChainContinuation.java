package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Which of the index's records of this node past the journal's last one continue the journal's
 * chain, offered one at a time in {@code (seq, audit_id)} order: start-up copies those into the
 * journal ({@link ChainedAuditLog}). A record continues the chain when it is this node's, its seq
 * is the head's + 1, its hash is its content's and its {@code prev_hash} is the head's hash — and
 * no other record claims its seq: of two records at one seq (a fork, or one added to the index
 * beside the node's) neither can be told to be the node's, so neither is copied. The first record
 * that does not continue stops the copy; it and every record after it stay in the index only,
 * where {@code audit verify} reports them, and {@link #stopReason} says why.
 */
final class ChainContinuation {
    private final String nodeId;
    private long headSeq;
    private String headHash;
    /** The last record offered, checked against the head: copied once the next shows no second record at its seq. */
    private JsonNode held;
    private String stopReason;
    private long stoppedAtSeq;

    ChainContinuation(String nodeId, long headSeq, String headHash) {
        this.nodeId = nodeId;
        this.headSeq = headSeq;
        this.headHash = headHash;
    }

    /**
     * The next record in {@code (seq, audit_id)} order. Returns the record before it once it is known
     * to continue the chain (to be copied, in that order), else null. Once stopped, takes nothing.
     */
    JsonNode offer(JsonNode doc) {
        if (stopped()) return null;
        long seq = doc.path(AuditDocument.SEQ).asLong();
        if (held != null && held.path(AuditDocument.SEQ).asLong() == seq) {
            stop(seq, "two records claim seq " + seq + " (audit ids " + auditId(held) + " and " + auditId(doc)
                    + "): a fork, or a record added to the index beside the node's; neither can be told to be the node's");
            held = null;
            return null;
        }
        JsonNode continues = held;
        if (continues != null) advance(continues);
        held = null;
        String why = whyNot(doc);
        if (why != null) stop(seq, "seq " + seq + " (audit id " + auditId(doc) + ") " + why);
        else held = doc;
        return continues;
    }

    /** No more records: returns the last one offered if it continues the chain, else null. */
    JsonNode finish() {
        JsonNode last = held;
        held = null;
        if (last != null) advance(last);
        return last;
    }

    boolean stopped() {
        return stopReason != null;
    }

    /** Why the copy stopped (naming the record and what is wrong with it), or null. */
    String stopReason() {
        return stopReason;
    }

    /** The seq of the first record left in the index (0 when none was). */
    long stoppedAtSeq() {
        return stoppedAtSeq;
    }

    long headSeq() {
        return headSeq;
    }

    String headHash() {
        return headHash;
    }

    private String whyNot(JsonNode doc) {
        if (!nodeId.equals(doc.path(AuditDocument.NODE_ID).asText())) return "is of node " + doc.path(AuditDocument.NODE_ID).asText() + ", not " + nodeId;
        long seq = doc.path(AuditDocument.SEQ).asLong();
        if (seq != headSeq + 1) return "follows seq " + headSeq + " with a gap: seq " + (headSeq + 1) + " is missing from the index";
        if (!AuditDocument.hashOf(doc).equals(doc.path(AuditDocument.HASH).asText())) return "is not the hash of its content (edited)";
        if (!doc.path(AuditDocument.PREV_HASH).asText().equals(headHash)) {
            return "does not link: its prev_hash is not the hash of seq " + headSeq + " (re-linked, or a record of another chain)";
        }
        return null;
    }

    private void advance(JsonNode doc) {
        headSeq = doc.path(AuditDocument.SEQ).asLong();
        headHash = doc.path(AuditDocument.HASH).asText();
    }

    private void stop(long seq, String why) {
        stoppedAtSeq = seq;
        stopReason = why;
    }

    private static String auditId(JsonNode doc) {
        return doc.path(AuditDocument.AUDIT_ID).asText("?");
    }
}
