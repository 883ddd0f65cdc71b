package org.platewarden.search.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The last record of one node's audit chain: its node, seq, hash and time. A hash chain shows an
 * edit or a removal inside it, but not records removed from its end in both copies (index and
 * journal): the chain that is left is whole. A head noted outside the system — published in the
 * transparency report, printed by {@code audit verify} — is an anchor: a later verify given it
 * ({@code --anchor NODE:SEQ:HASH}) fails unless the chain still holds that seq with that hash.
 */
public record ChainHead(String nodeId, long seq, String hash, String at) {
    /** Nodes reported at most (one chain per search node ever run). */
    static final int MAX_NODES = 1000;

    /** {@code NODE:SEQ:HASH}, as {@code audit verify --anchor} takes it. */
    public String anchor() {
        return nodeId + ":" + seq + ":" + hash;
    }

    public ObjectNode toJson() {
        ObjectNode o = CanonicalJson.MAPPER.createObjectNode();
        o.put("node_id", nodeId);
        o.put("seq", seq);
        o.put("hash", hash);
        if (at != null) o.put("at", at);
        o.put("anchor", anchor());
        return o;
    }

    /** The search for every node's head in the audit index: one top record by seq per node. */
    public static ObjectNode searchBody() {
        ObjectNode body = CanonicalJson.MAPPER.createObjectNode();
        body.put("size", 0);
        ObjectNode nodes = body.putObject("aggs").putObject("nodes");
        nodes.putObject("terms").put("field", AuditDocument.NODE_ID).put("size", MAX_NODES).putObject("order").put("_key", "asc");
        ObjectNode top = nodes.putObject("aggs").putObject("head").putObject("top_hits");
        top.put("size", 1);
        top.putArray("sort").addObject().put(AuditDocument.SEQ, "desc");
        top.putArray("_source").add(AuditDocument.NODE_ID).add(AuditDocument.SEQ).add(AuditDocument.HASH).add(AuditDocument.AT);
        return body;
    }

    /** The heads in a response to {@link #searchBody}, by node id. */
    public static List<ChainHead> fromResponse(JsonNode response) {
        List<ChainHead> heads = new ArrayList<>();
        for (JsonNode bucket : response.path("aggregations").path("nodes").path("buckets")) {
            for (JsonNode hit : bucket.path("head").path("hits").path("hits")) heads.add(of(hit.path("_source")));
        }
        return heads;
    }

    static ChainHead of(JsonNode doc) {
        return new ChainHead(doc.path(AuditDocument.NODE_ID).asText(), doc.path(AuditDocument.SEQ).asLong(),
                doc.path(AuditDocument.HASH).asText(), doc.hasNonNull(AuditDocument.AT) ? doc.path(AuditDocument.AT).asText() : null);
    }

    /**
     * A head noted earlier, to check a chain against: {@code NODE:SEQ:HASH} (the node id may itself
     * hold ':'; the last two fields are the seq and the hash).
     */
    public record Anchor(String nodeId, long seq, String hash) {
        public static Anchor parse(String text) {
            int h = text.lastIndexOf(':');
            int s = h < 0 ? -1 : text.lastIndexOf(':', h - 1);
            if (s <= 0) throw new IllegalArgumentException("anchor must be NODE:SEQ:HASH (as printed under \"anchor\"), not " + text);
            long seq;
            try {
                seq = Long.parseLong(text.substring(s + 1, h));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("anchor " + text + ": the seq must be a number, not " + text.substring(s + 1, h));
            }
            String hash = text.substring(h + 1).toLowerCase(java.util.Locale.ROOT);
            if (seq < 1 || !hash.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("anchor " + text + ": needs a seq from 1 and a 64-digit hex hash");
            }
            return new Anchor(text.substring(0, s), seq, hash);
        }

        @Override
        public String toString() {
            return nodeId + ":" + seq + ":" + hash;
        }
    }

    /**
     * An anchor checked against the chain: {@code held} when the chain holds its seq with its hash;
     * otherwise {@code problem} says what the chain holds instead.
     */
    public record AnchorCheck(Anchor anchor, boolean held, String problem) {
        public ObjectNode toJson() {
            ObjectNode o = CanonicalJson.MAPPER.createObjectNode();
            o.put("anchor", anchor.toString());
            o.put("held", held);
            if (problem != null) o.put("problem", problem);
            return o;
        }
    }
}
