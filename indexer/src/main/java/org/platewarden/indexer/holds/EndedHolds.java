package org.platewarden.indexer.holds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.platewarden.indexer.EsRest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The holds whose {@code until} has passed and nobody released ({@link #ended}), and the claims
 * between search nodes on their automatic release ({@link #claim}, {@code hold.release_claim} on the
 * definition), so that of several nodes one records and makes it. The release itself is
 * {@link HoldRelease#releaseClaimed}. Separate because the claim protocol between nodes is its own
 * concern; named apart from {@code app}'s {@code HoldExpiry}, the hourly pass that uses it.
 */
final class EndedHolds {
    /** HoldService's logger: the holds' log lines keep the one name they had before HoldService was split. */
    private static final Logger LOG = LoggerFactory.getLogger(HoldService.class);

    private final EsRest es;
    private final HoldIndices indices;
    private final HoldDefinitions definitions;
    private final Clock clock;

    EndedHolds(EsRest es, HoldIndices indices, HoldDefinitions definitions, Clock clock) {
        this.es = es;
        this.indices = indices;
        this.definitions = definitions;
        this.clock = clock;
    }

    /** The holds ended and not released, soonest ended first (at most {@link HoldService#MAX_LISTED}). */
    List<Hold> ended() {
        Instant now = clock.instant();
        ObjectNode search = EsRest.MAPPER.createObjectNode();
        search.put("size", HoldService.MAX_LISTED);
        ObjectNode bool = search.putObject("query").putObject("bool");
        bool.putArray("filter").addObject().putObject("range").putObject("hold.until").put("lte", now.toString());
        bool.putArray("must_not").addObject().putObject("exists").put("field", "hold.released_at");
        search.putArray("sort").addObject().put("hold.until", "asc");
        List<Hold> ended = new ArrayList<>();
        JsonNode hits = es.call("POST", "/" + indices.meta() + "/_search" + HoldIndices.LENIENT, search)
                .path("hits").path("hits");
        for (JsonNode hit : hits) ended.add(HoldDocuments.fromObject(hit.path("_source").path("hold")));
        return ended;
    }

    /**
     * Claims the automatic release of {@code ended} for {@code nodeId}; empty when it is not this
     * node's to make (see {@link HoldService#claimRelease}).
     */
    Optional<HoldService.ReleaseClaim> claim(Hold ended, String nodeId) {
        HoldDefinitions.Stored stored = definitions.own(ended.id(), ended.agency());
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Hold hold = stored.hold();
        if (hold.released() || hold.until().isAfter(now)) return Optional.empty();
        HoldDefinitions.ReleaseClaimed held = stored.claim();
        if (held != null && !held.nodeId().equals(nodeId) && held.at() != null
                && held.at().plus(HoldService.RELEASE_CLAIM_TTL).isAfter(now)) {
            return Optional.empty();
        }
        String token = UUID.randomUUID().toString();
        ObjectNode claim = EsRest.MAPPER.createObjectNode();
        claim.putObject("release_claim").put("node_id", nodeId).put("token", token).put("claimed_at", now.toString());
        if (!definitions.update(stored, claim, false)) return Optional.empty(); // another node claimed (or someone released) first
        if (held != null && !held.nodeId().equals(nodeId)) {
            LOG.warn("hold {}: the release claimed by node {} at {} was not made within {}; node {} takes it over",
                    hold.id(), held.nodeId(), held.at(), HoldService.RELEASE_CLAIM_TTL, nodeId);
        }
        return Optional.of(new HoldService.ReleaseClaim(hold, nodeId, token));
    }
}
