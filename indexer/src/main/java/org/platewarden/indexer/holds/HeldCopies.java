package org.platewarden.indexer.holds;

import static org.platewarden.indexer.holds.EsRequestParts.wrap;
import static org.platewarden.indexer.holds.EsRequestParts.writeLine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.platewarden.core.read.ReadFields;
import org.platewarden.indexer.EsRest;

/**
 * A hold's copies in {@code <prefix>-holds} once they are made: how many there are and which
 * ({@link #held}), their {@code until} set ({@link #setUntil}), and their deletion ({@link #delete}).
 * Separate because a creation's clean-up, a release, an extension and the leftover pass all walk
 * the same copies the same way, page by page.
 * Callers that change copies take the hold's {@link HoldChangeLocks change lock} where the change
 * must not interleave with another; this class takes none.
 */
final class HeldCopies {
    private final EsRest es;
    private final HoldIndices indices;

    HeldCopies(EsRest es, HoldIndices indices) {
        this.es = es;
        this.indices = indices;
    }

    /** How many copies hold {@code holdId} has, and the read ids of at most {@code max} of them (by read id). */
    HoldService.HeldReads held(String holdId, int max) {
        String holdsIndex = indices.holds();
        String lenient = HoldIndices.LENIENT;
        es.call("POST", "/" + holdsIndex + "/_refresh" + lenient, null);
        ObjectNode term = EsRest.MAPPER.createObjectNode();
        term.putObject("term").put("hold.hold_id", holdId);
        long count = es.call("POST", "/" + holdsIndex + "/_count" + lenient, wrap("query", term)).path("count").asLong(0);
        List<String> ids = new ArrayList<>();
        JsonNode after = null;
        while (ids.size() < max) {
            ObjectNode search = EsRest.MAPPER.createObjectNode();
            search.put("size", Math.min(HoldService.PAGE, max - ids.size()));
            search.put("_source", false);
            search.set("query", term);
            search.putArray("sort").addObject().put(ReadFields.READ_ID, "asc");
            if (after != null) search.set("search_after", after);
            JsonNode hits = es.call("POST", "/" + holdsIndex + "/_search" + lenient, search).path("hits").path("hits");
            for (JsonNode hit : hits) ids.add(hit.path("sort").path(0).asText());
            if (hits.size() < search.path("size").asInt()) break;
            after = hits.get(hits.size() - 1).path("sort");
        }
        return new HoldService.HeldReads(count, List.copyOf(ids));
    }

    void delete(String holdId) {
        forEachCopy(holdId, "deleting", (bulk, id) -> {
            ObjectNode action = EsRest.MAPPER.createObjectNode();
            action.putObject("delete").put("_index", indices.holds()).put("_id", id);
            writeLine(bulk, action);
        });
    }

    void setUntil(String holdId, Instant until) {
        ObjectNode doc = EsRest.MAPPER.createObjectNode();
        doc.putObject("doc").putObject("hold").put("until", until.toString());
        forEachCopy(holdId, "extending", (bulk, id) -> {
            ObjectNode action = EsRest.MAPPER.createObjectNode();
            // a copy another node updates at the same time: apply ours after it, not fail
            action.putObject("update").put("_index", indices.holds()).put("_id", id).put("retry_on_conflict", 3);
            writeLine(bulk, action);
            writeLine(bulk, doc);
        });
    }

    /**
     * Sends one bulk per page of the hold's copies, each copy's lines written by {@code lines}, then
     * refreshes the holds index. A copy gone meanwhile (404) is fine; any other failed item fails the
     * whole call, naming the copy.
     */
    private void forEachCopy(String holdId, String doing, java.util.function.BiConsumer<ByteArrayOutputStream, String> lines) {
        JsonNode after = null;
        while (true) {
            ObjectNode search = EsRest.MAPPER.createObjectNode();
            search.put("size", HoldService.PAGE);
            search.put("_source", false);
            search.putObject("query").putObject("term").put("hold.hold_id", holdId);
            search.putArray("sort").addObject().put(ReadFields.READ_ID, "asc");
            if (after != null) search.set("search_after", after);
            JsonNode hits = es.call("POST", "/" + indices.holds() + "/_search" + HoldIndices.LENIENT, search)
                    .path("hits").path("hits");
            if (hits.isEmpty()) break;
            ByteArrayOutputStream bulk = new ByteArrayOutputStream();
            for (JsonNode hit : hits) lines.accept(bulk, hit.path("_id").asText());
            JsonNode result = es.call("POST", "/_bulk", bulk.toByteArray());
            if (result.path("errors").asBoolean(false)) {
                for (JsonNode item : result.path("items")) {
                    JsonNode op = item.elements().next();
                    int status = op.path("status").asInt();
                    if (status >= 300 && status != 404) {
                        throw new IllegalStateException(doing + " held copy " + op.path("_id").asText() + " failed: "
                                + op.path("error").path("reason").asText());
                    }
                }
            }
            after = hits.get(hits.size() - 1).path("sort");
            if (hits.size() < HoldService.PAGE) break;
        }
        es.call("POST", "/" + indices.holds() + "/_refresh" + HoldIndices.LENIENT, null);
    }
}
