package org.platewarden.indexer.holds;

import static org.platewarden.indexer.holds.EsRequestParts.encode;
import static org.platewarden.indexer.holds.EsRequestParts.wrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.platewarden.indexer.EsRest;

/**
 * The hold definitions ({@code <prefix>-holds-meta}, one document per hold) read by id with the
 * versions a change is conditioned on, and changed only if nobody changed them since: how a
 * release, an extension and a release's claim on one node learn of another node's change.
 * Separate because all three go through it, and the conditional update is what keeps them from
 * overwriting each other.
 */
final class HoldDefinitions {
    private final EsRest es;
    private final HoldIndices indices;

    HoldDefinitions(EsRest es, HoldIndices indices) {
        this.es = es;
        this.indices = indices;
    }

    /** A hold's definition with the versions an update is conditioned on, and its release's claim (null: none). */
    record Stored(Hold hold, long seqNo, long primaryTerm, ReleaseClaimed claim) {
    }

    /** A claim on a hold's automatic release as stored on its definition ({@code hold.release_claim}). */
    record ReleaseClaimed(String nodeId, String token, Instant at) {
        static ReleaseClaimed of(JsonNode claim) {
            if (!claim.isObject()) return null;
            return new ReleaseClaimed(claim.path("node_id").asText(), claim.path("token").asText(),
                    HoldDocuments.instant(claim, "claimed_at"));
        }
    }

    /**
     * The agency's hold {@code holdId}, released or not; {@link HoldNotFoundException} for an unknown
     * hold or another agency's.
     */
    Stored own(String holdId, String agency) {
        if (holdId == null || holdId.isBlank()) throw new HoldNotFoundException(String.valueOf(holdId), agency);
        JsonNode doc = es.call("GET", "/" + indices.meta() + "/_doc/" + encode(holdId), null);
        if (!doc.path("found").asBoolean(false)) throw new HoldNotFoundException(holdId, agency);
        Hold hold = HoldDocuments.fromObject(doc.path("_source").path("hold"));
        if (!hold.agency().equals(agency)) throw new HoldNotFoundException(holdId, agency);
        return new Stored(hold, doc.path("_seq_no").asLong(), doc.path("_primary_term").asLong(),
                ReleaseClaimed.of(doc.path("_source").path("hold").path("release_claim")));
    }

    /**
     * Sets {@code fields} on the hold's definition unless someone changed it since {@code stored}
     * was read (optimistic concurrency on its seq_no); false if someone did.
     */
    boolean update(Stored stored, ObjectNode fields) {
        return update(stored, fields, true);
    }

    /**
     * {@link #update(Stored, ObjectNode)}; {@code visible}: wait until listings show the
     * change (a release, an extension); a release's claim need not be, as claims are read by id.
     */
    boolean update(Stored stored, ObjectNode fields, boolean visible) {
        String path = "/" + indices.meta() + "/_update/" + encode(stored.hold().id()) + "?" + (visible ? "refresh=wait_for&" : "")
                + "if_seq_no=" + stored.seqNo() + "&if_primary_term=" + stored.primaryTerm();
        try {
            es.call("POST", path, wrap("doc", wrap("hold", fields)));
            return true;
        } catch (EsRest.EsCallException e) {
            if (e.status() != 409) throw e;
            return false;
        }
    }
}
