package org.platewarden.indexer.holds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.platewarden.indexer.EsRest;

/**
 * What can be asked about holds without changing them: one hold ({@link #find}), the holds of an
 * agency or of all ({@link #list}), and the reads a hold keeps ({@link #heldReads}). Separate from
 * the changes so that a reader of a listing's order or cap finds it on its own.
 */
final class HoldQueries {
    private final EsRest es;
    private final HoldIndices indices;
    private final HoldDefinitions definitions;
    private final HeldCopies copies;
    /** How many holds a list answers: {@link HoldService#MAX_LISTED}, smaller only in tests of the order at the cap. */
    private int maxListed = HoldService.MAX_LISTED;

    HoldQueries(EsRest es, HoldIndices indices, HoldDefinitions definitions, HeldCopies copies) {
        this.es = es;
        this.indices = indices;
        this.definitions = definitions;
        this.copies = copies;
    }

    /** The agency's hold, released or not; {@link HoldNotFoundException} for an unknown hold or another agency's. */
    Hold find(String holdId, String agency) {
        return definitions.own(holdId, agency).hold();
    }

    /** The reads the agency's hold {@code holdId} keeps now: their number and at most {@code max} read ids. */
    HoldService.HeldReads heldReads(String holdId, String agency, int max) {
        definitions.own(holdId, agency);
        return copies.held(holdId, max);
    }

    /** The reads a hold already found keeps now. */
    HoldService.HeldReads heldReads(Hold hold, int max) {
        return copies.held(hold.id(), max);
    }

    /** {@code agency}'s holds (null: every agency's), in force first, newest first, then released ones by their release. */
    List<Hold> list(String agency) {
        ObjectNode search = EsRest.MAPPER.createObjectNode();
        search.put("size", maxListed);
        if (agency == null) search.putObject("query").putObject("match_all");
        else search.putObject("query").putObject("term").put("hold.agency", agency);
        // holds in force first (no released_at), newest first, then released ones by their release: the
        // list is capped, and sorted by creation alone an old hold still in force (a long investigation,
        // extended) fell off it behind newer holds long released
        ArrayNode sort = search.putArray("sort");
        sort.addObject().putObject("hold.released_at").put("order", "desc").put("missing", "_first");
        sort.addObject().put("hold.created_at", "desc");
        JsonNode hits = es.call("POST", "/" + indices.meta() + "/_search" + HoldIndices.LENIENT, search)
                .path("hits").path("hits");
        List<Hold> holds = new ArrayList<>();
        for (JsonNode hit : hits) holds.add(HoldDocuments.fromObject(hit.path("_source").path("hold")));
        return holds;
    }

    /** For tests: lists answer at most {@code max} holds, to see which ones a full list keeps. */
    void maxListedForTests(int max) {
        this.maxListed = max;
    }
}
