package org.platewarden.indexer.holds;

import static org.platewarden.indexer.holds.EsRequestParts.wrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.platewarden.core.config.AgencyScope;
import org.platewarden.core.read.ReadFields;
import org.platewarden.indexer.EsRest;

/**
 * Which reads a hold request would copy, and the refusals only Elasticsearch can tell: more than
 * {@link HoldService#MAX_READS_PER_HOLD} matching reads, or read ids that match no read the agency
 * may see. Separate because it changes nothing: the HTTP layer asks it before it records a creation
 * ({@link HoldService#checkMatches}), and the creation asks it again before it copies (the reads may
 * have changed).
 */
final class HoldMatching {
    private final EsRest es;
    private final HoldIndices indices;
    private final AgencyScope scope;
    private final HoldRules rules;
    private final int retentionDays;

    HoldMatching(EsRest es, HoldIndices indices, AgencyScope scope, HoldRules rules, int retentionDays) {
        this.es = es;
        this.indices = indices;
        this.scope = scope;
        this.rules = rules;
        this.retentionDays = retentionDays;
    }

    /** The query of the reads a hold would copy, once it is known to pass every check. */
    record Matches(String plate, List<String> readIds, ObjectNode query) {
    }

    Matches matches(String agency, String user, HoldRequest req, Instant now) {
        Set<String> visible = scope.visibleAgencies(agency);
        String plate = rules.validate(agency, user, req, visible, now);
        List<String> readIds = req.readIds() == null ? List.of() : List.copyOf(new LinkedHashSet<>(req.readIds()));
        ObjectNode query = matchQuery(visible, plate, readIds, req, oldestLiveDay(now));
        String reads = indices.reads();
        String lenient = HoldIndices.LENIENT;
        es.call("POST", "/" + reads + "/_refresh" + lenient, null);
        // over every daily index: a count or search some of whose shards failed would hold part of the
        // matches as if they were all, and the rest would be deleted with their days (EsRest#callAllShards)
        long matching = es.callAllShards("POST", "/" + reads + "/_count" + lenient, wrap("query", query)).path("count").asLong(0);
        if (matching > HoldService.MAX_READS_PER_HOLD) {
            throw new IllegalArgumentException("hold would copy " + matching + " reads (more than " + HoldService.MAX_READS_PER_HOLD
                    + "); narrow the plate or the time window");
        }
        if (!readIds.isEmpty() && matching < readIds.size()) refuseMissing(readIds, reads + "/_search" + lenient, query);
        return new Matches(plate, readIds, query);
    }

    /**
     * The start of the oldest UTC day whose index is not yet expired. The sweeper deletes an expired
     * day's index up to an interval late; a hold created meanwhile must not copy its reads, or the
     * hold would keep reads the retention promise has already ended (searches skip that day too).
     */
    private Instant oldestLiveDay(Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate oldest = today.minusDays(retentionDays - 1L);
        return oldest.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private ObjectNode matchQuery(Set<String> visible, String plate, List<String> readIds, HoldRequest req, Instant oldestLive) {
        ObjectNode bool = EsRest.MAPPER.createObjectNode();
        ArrayNode filter = bool.putArray("filter");
        ArrayNode agencies = EsRest.MAPPER.createArrayNode();
        visible.stream().sorted().forEach(agencies::add);
        filter.addObject().putObject("terms").set(ReadFields.AGENCY, agencies);
        filter.addObject().putObject("range").putObject(ReadFields.CAPTURED_AT).put("gte", oldestLive.toString());
        if (req.from() != null || req.to() != null) {
            ObjectNode range = filter.addObject().putObject("range").putObject(ReadFields.CAPTURED_AT);
            // captured_at is indexed to the millisecond: the first and last millisecond inside the window
            if (req.from() != null) range.put("gte", org.platewarden.core.read.CaptureTime.windowStart(req.from()).toString());
            if (req.to() != null) range.put("lte", org.platewarden.core.read.CaptureTime.windowEnd(req.to()).toString());
        }
        ArrayNode should = bool.putArray("should");
        if (plate != null) should.addObject().putObject("term").put(ReadFields.PLATE_NORM, plate);
        if (!readIds.isEmpty()) {
            ArrayNode ids = EsRest.MAPPER.createArrayNode();
            readIds.forEach(ids::add);
            should.addObject().putObject("terms").set(ReadFields.READ_ID, ids);
        }
        bool.put("minimum_should_match", 1);
        return wrap("bool", bool);
    }

    /**
     * A hold of read ids holds every one of them or none: an id that matches no read the agency may
     * see (mistyped, another agency's, past retention or outside the hold's from/to) is named in the
     * refusal rather than left out silently, where only a short read_count would have shown it.
     */
    private void refuseMissing(List<String> readIds, String searchPath, ObjectNode query) {
        ObjectNode search = EsRest.MAPPER.createObjectNode();
        search.put("size", HoldService.MAX_READ_IDS);
        search.set("query", query);
        search.putArray("_source").add(ReadFields.READ_ID);
        Set<String> found = new java.util.HashSet<>();
        for (JsonNode hit : es.callAllShards("POST", "/" + searchPath, search).path("hits").path("hits")) {
            found.add(hit.path("_source").path(ReadFields.READ_ID).asText());
        }
        List<String> missing = readIds.stream().filter(id -> !found.contains(id)).toList();
        if (missing.isEmpty()) return;
        int shown = Math.min(missing.size(), 20);
        throw new IllegalArgumentException(missing.size() + " of the " + readIds.size() + " read ids match no read your agency may see"
                + " within retention" + " (and the hold's from/to, if given): " + String.join(", ", missing.subList(0, shown))
                + (missing.size() > shown ? ", … " + (missing.size() - shown) + " more" : "") + "; nothing was held");
    }
}
