package org.platewarden.indexer.holds;

import static org.platewarden.indexer.holds.EsRequestParts.encode;
import static org.platewarden.indexer.holds.EsRequestParts.wrap;
import static org.platewarden.indexer.holds.EsRequestParts.writeLine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.platewarden.core.read.ReadFields;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.indexer.EsRest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The creation of a hold: checks the request and its matches again ({@link HoldMatching}), copies
 * the matching reads into {@code <prefix>-holds}, then writes the definition last. A creation that
 * fails deletes its copies — unless the definition's write went unanswered: then it reads the
 * definition back, and, found missing, marks the creation failed in its place
 * ({@link HoldService#CREATION_FAILED_USER}) so that the write cannot land later; it keeps the copies
 * when it cannot tell ({@link HoldMayExistException}). Separate because that failure handling is the
 * one part of holds where evidence could be lost or kept without a record.
 */
final class HoldCreation {
    /** HoldService's logger: the holds' log lines keep the one name they had before HoldService was split. */
    private static final Logger LOG = LoggerFactory.getLogger(HoldService.class);

    private final EsRest es;
    private final HoldIndices indices;
    private final HoldMatching matching;
    private final HeldCopies copies;
    private final Clock clock;

    HoldCreation(EsRest es, HoldIndices indices, HoldMatching matching, HeldCopies copies, Clock clock) {
        this.es = es;
        this.indices = indices;
        this.matching = matching;
        this.copies = copies;
        this.clock = clock;
    }

    HoldService.Created create(String holdId, String agency, String user, HoldRequest req, int maxReadIds) {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        HoldMatching.Matches m = matching.matches(agency, user, req, now);
        String plate = m.plate();
        List<String> readIds = m.readIds();
        ObjectNode query = m.query();
        String reads = indices.reads();
        String lenient = HoldIndices.LENIENT;
        Hold hold = new Hold(holdId, req.caseNumber(), req.reason(), agency, user, now, req.until(), 0, null, null,
                plate, readIds.isEmpty() ? null : readIds, req.from(), req.to());
        long copied = 0;
        List<String> keptIds = new ArrayList<>();
        boolean definitionSent = false;
        try {
            copied = copyReads(hold, "/" + reads + "/_search" + lenient, query, keptIds, maxReadIds);
            es.call("POST", "/" + indices.holds() + "/_refresh", null);
            hold = HoldDocuments.withCount(hold, copied);
            definitionSent = true;
            es.call("PUT", "/" + indices.meta() + "/_create/" + encode(holdId) + "?refresh=wait_for", wrap("hold", HoldDocuments.holdObject(hold)));
        } catch (RuntimeException e) {
            if (definitionSent && ElasticsearchConnection.unreachable(e) && !ElasticsearchConnection.notSent(e)) {
                // the definition's write may have been carried out unanswered: the copies are the hold's
                // evidence if it was, so they go only once the definition is known to be missing
                Boolean stored = definitionStored(holdId, e);
                if (Boolean.TRUE.equals(stored)) {
                    LOG.warn("hold {} for case {}: its definition's write was not answered ({}), but the definition is stored: the hold"
                            + " is created, {} reads copied", holdId, req.caseNumber(), e.getMessage(), copied);
                    return new HoldService.Created(hold, new HoldService.HeldReads(copied, List.copyOf(keptIds)));
                }
                if (stored == null) {
                    LOG.error("hold {} for case {}: its definition's write was not answered and could not be read back; the hold may"
                            + " exist, so its {} copies are kept: {}", holdId, req.caseNumber(), copied, e.getMessage());
                    throw new HoldMayExistException(holdId, copied, e, HoldMayExistException.NOT_READ_BACK);
                }
                // not stored yet, but the unanswered write may still be carried out: its place is taken first
                Boolean marked = markCreationFailed(hold, e);
                if (Boolean.FALSE.equals(marked)) {
                    LOG.warn("hold {} for case {}: its definition's write was not answered, and was stored after it was read back: the"
                            + " hold is created, {} reads copied", holdId, req.caseNumber(), copied);
                    return new HoldService.Created(hold, new HoldService.HeldReads(copied, List.copyOf(keptIds)));
                }
                if (marked == null) {
                    LOG.error("hold {} for case {}: its definition's write was not answered and its creation could not be marked failed;"
                            + " the hold may exist, so its {} copies are kept: {}", holdId, req.caseNumber(), copied, e.getMessage());
                    throw new HoldMayExistException(holdId, copied, e, HoldMayExistException.NOT_MARKED_FAILED);
                }
            }
            LOG.error("hold {} for case {} failed, removing partial copies: {}", holdId, req.caseNumber(), e.getMessage());
            try {
                copies.delete(holdId);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        LOG.info("hold {} created by {} ({}) for case {}: {} reads copied", holdId, user, agency, req.caseNumber(), copied);
        return new HoldService.Created(hold, new HoldService.HeldReads(copied, List.copyOf(keptIds)));
    }

    /**
     * After a definition's write went unanswered and its read-back found nothing, writes in its place
     * (create-only, as the definition's own write) a definition of the hold released at once by
     * {@link HoldService#CREATION_FAILED_USER} with no reads. A definition is created once per id, so the
     * unanswered write, if Elasticsearch still carries it out, is refused: without this it would
     * leave a hold listed as active whose copies the failed creation deleted. {@code GET /v1/holds}
     * lists the failed creation as released (searches show none of its copies; the release pass
     * deletes any written late). True when marked; false when the definition was stored meanwhile
     * (the hold is created); null when it cannot be told (the failure added to {@code writeFailure}).
     */
    private Boolean markCreationFailed(Hold hold, RuntimeException writeFailure) {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Hold failed = new Hold(hold.id(), hold.caseNumber(), hold.reason(), hold.agency(), hold.createdBy(), hold.createdAt(),
                hold.until(), 0, now, HoldService.CREATION_FAILED_USER, hold.platePattern(), hold.readIds(), hold.from(), hold.to());
        try {
            es.call("PUT", "/" + indices.meta() + "/_create/" + encode(hold.id()) + "?refresh=wait_for", wrap("hold", HoldDocuments.holdObject(failed)));
            LOG.warn("hold {} for case {}: its creation failed; it is listed as released by {} so that its definition's unanswered"
                    + " write cannot make it later", hold.id(), hold.caseNumber(), HoldService.CREATION_FAILED_USER);
            return true;
        } catch (EsRest.EsCallException conflict) {
            if (conflict.status() == 409) return false;
            writeFailure.addSuppressed(conflict);
            return null;
        } catch (RuntimeException unknown) {
            writeFailure.addSuppressed(unknown);
            return null;
        }
    }

    /**
     * Whether hold {@code holdId}'s definition is stored, read back (bounded as every call) after its
     * write failed unanswered ({@code writeFailure}); null when the read-back failed too (added to
     * {@code writeFailure} as suppressed): nobody can tell.
     */
    private Boolean definitionStored(String holdId, RuntimeException writeFailure) {
        try {
            JsonNode doc = es.call("GET", "/" + indices.meta() + "/_doc/" + encode(holdId), null);
            return doc.path("found").asBoolean(false) && holdId.equals(doc.path("_source").path("hold").path("hold_id").asText());
        } catch (RuntimeException readBack) {
            writeFailure.addSuppressed(readBack);
            return null;
        }
    }

    /**
     * Pages through the matches (search_after on read_id, unique per read) and bulk-copies each page;
     * adds the read ids of the first {@code maxIds} copies (by read id, the order of the pages) to {@code ids}.
     */
    private long copyReads(Hold hold, String searchPath, ObjectNode query, List<String> ids, int maxIds) {
        ObjectNode holdObject = HoldDocuments.copyHoldObject(hold);
        long copied = 0;
        JsonNode after = null;
        while (true) {
            ObjectNode search = EsRest.MAPPER.createObjectNode();
            search.put("size", HoldService.PAGE);
            search.set("query", query);
            search.putArray("sort").addObject().put(ReadFields.READ_ID, "asc");
            if (after != null) search.set("search_after", after);
            JsonNode hits = es.callAllShards("POST", searchPath, search).path("hits").path("hits");
            if (hits.isEmpty()) return copied;
            ByteArrayOutputStream bulk = new ByteArrayOutputStream();
            for (JsonNode hit : hits) {
                ObjectNode doc = ((ObjectNode) hit.path("_source")).deepCopy();
                if (ids.size() < maxIds) ids.add(doc.path(ReadFields.READ_ID).asText());
                doc.set("hold", holdObject);
                ObjectNode action = EsRest.MAPPER.createObjectNode();
                action.putObject("create").put("_index", indices.holds()).put("_id", hold.id() + ":" + doc.path(ReadFields.READ_ID).asText());
                writeLine(bulk, action);
                writeLine(bulk, doc);
            }
            JsonNode result = es.call("POST", "/_bulk", bulk.toByteArray());
            if (result.path("errors").asBoolean(false)) {
                for (JsonNode item : result.path("items")) {
                    JsonNode op = item.path("create");
                    int status = op.path("status").asInt();
                    if (status >= 300 && status != 409) {
                        throw new IllegalStateException("copying read " + op.path("_id").asText() + " into " + indices.holds() + " failed: "
                                + op.path("error").path("type").asText() + " " + op.path("error").path("reason").asText());
                    }
                }
            }
            copied += hits.size();
            after = hits.get(hits.size() - 1).path("sort");
            if (hits.size() < HoldService.PAGE) return copied;
        }
    }
}
