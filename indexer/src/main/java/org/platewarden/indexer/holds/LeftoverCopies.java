package org.platewarden.indexer.holds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.platewarden.indexer.EsRest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Held copies that no hold in force keeps: those of released holds whose release was interrupted
 * between marking the definition and deleting the copies, and orphans whose hold has no definition
 * {@link HoldService#ORPHAN_GRACE} after they were made (a creation that failed part-way). Nothing
 * else comes back to them, so the release pass deletes them here ({@link #delete}). Separate because
 * it is the one place that finds copies by what is missing rather than by their hold.
 */
final class LeftoverCopies {
    /** HoldService's logger: the holds' log lines keep the one name they had before HoldService was split. */
    private static final Logger LOG = LoggerFactory.getLogger(HoldService.class);

    private final EsRest es;
    private final HoldIndices indices;
    private final HeldCopies copies;
    private final HoldChangeLocks locks;
    private final Clock clock;

    LeftoverCopies(EsRest es, HoldIndices indices, HeldCopies copies, HoldChangeLocks locks, Clock clock) {
        this.es = es;
        this.indices = indices;
        this.copies = copies;
        this.locks = locks;
        this.clock = clock;
    }

    /** Deletes the leftover copies of at most {@link HoldService#MAX_LISTED} holds; answers those holds' ids. */
    List<String> delete() {
        ObjectNode withCopies = EsRest.MAPPER.createObjectNode();
        withCopies.put("size", 0);
        ObjectNode byHold = withCopies.putObject("aggs").putObject("holds");
        byHold.putObject("terms").put("field", "hold.hold_id").put("size", HoldService.MAX_LISTED);
        byHold.putObject("aggs").putObject("created").putObject("max").put("field", "hold.created_at");
        JsonNode buckets = es.call("POST", "/" + indices.holds() + "/_search" + HoldIndices.LENIENT, withCopies)
                .path("aggregations").path("holds").path("buckets");
        if (buckets.isEmpty()) return List.of();
        ObjectNode definitions = EsRest.MAPPER.createObjectNode();
        definitions.put("size", HoldService.MAX_LISTED);
        definitions.putArray("_source").add("hold.released_at");
        ArrayNode ids = definitions.putObject("query").putObject("ids").putArray("values");
        for (JsonNode bucket : buckets) ids.add(bucket.path("key").asText());
        Map<String, Boolean> released = new HashMap<>();
        for (JsonNode hit : es.call("POST", "/" + indices.meta() + "/_search" + HoldIndices.LENIENT, definitions)
                .path("hits").path("hits")) {
            released.put(hit.path("_id").asText(), hit.path("_source").path("hold").has("released_at"));
        }
        Instant orphanedBefore = clock.instant().minus(HoldService.ORPHAN_GRACE);
        List<String> cleaned = new ArrayList<>();
        for (JsonNode bucket : buckets) {
            String holdId = bucket.path("key").asText();
            Boolean isReleased = released.get(holdId);
            boolean orphaned = isReleased == null && bucket.path("created").path("value").isNumber()
                    && Instant.ofEpochMilli(bucket.path("created").path("value").asLong()).isBefore(orphanedBefore);
            if (!Boolean.TRUE.equals(isReleased) && !orphaned) continue;
            synchronized (locks.of(holdId)) {
                copies.delete(holdId);
            }
            if (orphaned) {
                LOG.warn("held copies of hold {} had no hold definition {} after their creation (a creation that failed part-way); "
                        + "they are deleted now", holdId, HoldService.ORPHAN_GRACE);
            } else {
                LOG.info("hold {} was released but still had held copies (its release was interrupted after the hold was marked "
                        + "released); they are deleted now", holdId);
            }
            cleaned.add(holdId);
        }
        return cleaned;
    }
}
