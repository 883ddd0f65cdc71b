package org.platewarden.search.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.elasticsearch.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a hold's definition ({@code <prefix>-holds-meta}), not its copies, the authority on whether a
 * held copy is shown. A copy can outlive or precede its hold: a creation writes the copies first and
 * the definition last, so a creation that failed part-way (Elasticsearch down or timing out, the node
 * stopped), or a copy bulk Elasticsearch carried out after the creation's clean-up, leaves copies with
 * no hold; a release marks the definition released and deletes the copies after, so an interrupted one
 * leaves copies of a released hold (the copies never carry {@code released_at}). The release pass
 * deletes both kinds later (orphans an hour after they were made); until then they must not be shown
 * as held evidence.
 *
 * <p>So after the holds scan, when (and only when) it matched copies, one {@code _mget} reads the
 * definitions of their distinct holds — real-time, so a definition just written or released counts at
 * once — and a copy is kept only if its hold's definition exists, is the caller's agency's, is not
 * released and has not reached its {@code until}; a copy past retention also only when the definition's
 * case number is the search's (the copy's own fields, filtered in the scan query, are a first cut). The
 * request runs under the search's deadline and per-request timeout; if it fails, or a definition
 * cannot be read, the search fails closed (503): no copy is shown unverified. A search that matched no
 * held copy (most searches) sends nothing more.
 *
 * <p>Nothing is cached: a cached "in force" would go on showing the copies of a hold released since
 * (the copies outlive the release when their deletion fails), and one request per search that matched
 * held copies — holds are few — costs less than a cache that could be wrong. The check sits before the
 * ranking, so a hidden copy is never ranked: it is not in {@code total}, leaves no hole on a page and
 * moves no page boundary, exactly as a copy the scan query filters out.
 */
final class LiveHolds {
    private static final Logger LOG = LoggerFactory.getLogger(LiveHolds.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOURCE = String.join(",", ReadQueryBuilder.HOLD_AGENCY, ReadQueryBuilder.HOLD_UNTIL,
            ReadQueryBuilder.HOLD_RELEASED_AT, ReadQueryBuilder.HOLD_CASE_NUMBER);
    /** The error of an {@code _mget} doc when the index does not exist: no hold was ever defined, so none is. */
    private static final String NO_INDEX = "index_not_found_exception";
    /** The error of an {@code _mget} doc whose shard is not available (yet). */
    private static final String SHARD_STARTING = "no_shard_available_action_exception";

    /** What the check needs of a hold's definition; {@code until} null when missing or unreadable (never in force). */
    record Definition(String agency, Instant until, boolean released, String caseNumber) {
    }

    private final ElasticsearchCalls es;
    private final String metaIndex;

    LiveHolds(ElasticsearchCalls es, String metaIndex) {
        this.es = es;
        this.metaIndex = metaIndex;
    }

    /**
     * {@code scanned} with only the held matches whose hold is in force for this search (its candidate
     * count unchanged: that bounds how broad the search was); {@code scanned} itself, without a request,
     * when it matched nothing.
     *
     * @param agency     the caller's agency
     * @param caseNumber the search's case number
     * @param now        the search's time, as its scan query used it
     * @param retentionDays the retention period: a copy captured before its oldest day is its hold's case's alone
     */
    Future<CandidateScanner.Result> keepLive(Context context, CandidateScanner.Result scanned, String agency, String caseNumber,
                                             Instant now, int retentionDays, String opaqueId, SearchDeadline deadline) {
        if (scanned.matches().isEmpty()) return Future.succeededFuture(scanned);
        List<String> holdIds = scanned.matches().stream().map(Candidate::holdId).distinct().toList();
        Request request = new Request("POST", "/" + metaIndex + "/_mget");
        request.addParameter("_source_includes", SOURCE);
        request.addParameter("filter_path", "docs._id,docs.found,docs._source,docs.error.type");
        ObjectNode body = JSON.createObjectNode();
        ArrayNode ids = body.putArray("ids");
        holdIds.forEach(ids::add);
        request.setJsonEntity(body.toString());
        ElasticsearchCalls.tag(request, opaqueId);
        long oldestRetainedMs = ReadQueryBuilder.oldestRetained(now, retentionDays).toEpochMilli();
        return es.perform(context, request, in -> definitions(JSON.readTree(in)), deadline).map(definitions -> {
            List<Candidate> shown = scanned.matches().stream()
                    .filter(c -> inForce(definitions.get(c.holdId()), c, agency, caseNumber, now, oldestRetainedMs))
                    .toList();
            if (shown.size() < scanned.matches().size() && LOG.isDebugEnabled()) {
                LOG.debug("search {}: {} of {} held matches not shown: their hold has no definition, or it is released, ended"
                        + " or not for this search (holds {}, definitions found {})", opaqueId, scanned.matches().size() - shown.size(),
                        scanned.matches().size(), holdIds, definitions.keySet());
            }
            return new CandidateScanner.Result(scanned.candidates(), shown);
        });
    }

    /** Whether the copy {@code copy} is shown: its hold's {@code definition} (null: none) is in force for this search. */
    static boolean inForce(Definition definition, Candidate copy, String agency, String caseNumber, Instant now,
                           long oldestRetainedMs) {
        if (definition == null || definition.released() || definition.until() == null || !definition.until().isAfter(now)) {
            return false;
        }
        if (!Objects.equals(agency, definition.agency())) return false;
        return copy.capturedAtMs() >= oldestRetainedMs || Objects.equals(caseNumber, definition.caseNumber());
    }

    /**
     * The definitions found, by hold id. A missing definitions index is no definition; any other
     * error on a doc (a shard not available) fails the search, as a failed shard of a search does.
     */
    static Map<String, Definition> definitions(JsonNode response) {
        Map<String, Definition> found = new HashMap<>();
        for (JsonNode doc : response.path("docs")) {
            String error = doc.path("error").path("type").asText(null);
            if (error != null) {
                if (error.equals(NO_INDEX)) continue;
                // a definitions index created a moment ago (the first hold) may have its shard still starting: retried shortly
                throw new SearchBackendException(503, "the definitions of the held reads' holds could not be read: " + error, null,
                        error.equals(SHARD_STARTING));
            }
            if (!doc.path("found").asBoolean(false)) continue;
            JsonNode hold = doc.path("_source").path("hold");
            found.put(doc.path("_id").asText(), new Definition(text(hold, "agency"), instant(hold, "until"),
                    hold.hasNonNull("released_at"), text(hold, "case_number")));
        }
        return found;
    }

    private static String text(JsonNode hold, String field) {
        return hold.hasNonNull(field) ? hold.get(field).asText() : null;
    }

    private static Instant instant(JsonNode hold, String field) {
        String value = text(hold, field);
        if (value == null) return null;
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
