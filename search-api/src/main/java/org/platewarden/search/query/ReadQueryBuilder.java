package org.platewarden.search.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.read.ReadFields;

/**
 * The Elasticsearch side of a search: which indices to ask, and the filter that selects candidate
 * reads. Every clause is a term, terms, range or geo filter in filter context (no scoring, cached
 * per segment); the plate part comes from {@link org.platewarden.core.plate.CandidateQuery} and
 * never uses a wildcard, regexp, prefix or fuzzy query.
 */
final class ReadQueryBuilder {
    static final String HOLD_AGENCY = "hold.agency";
    static final String HOLD_RELEASED_AT = "hold.released_at";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ReadQueryBuilder() {
    }

    /**
     * The daily read indices of the UTC days in [from, to] that are still inside the retention
     * period (an expired day is not searched even if its index has not been deleted yet: the
     * retention promise holds at query time, not only when the sweeper runs), and not after
     * tomorrow (nothing is captured in the future; this also bounds the list).
     */
    static List<String> readIndices(String prefix, Instant from, Instant to, int retentionDays, Instant now) {
        LocalDate today = DailyIndex.day(now);
        LocalDate first = DailyIndex.day(from);
        LocalDate oldest = today.minusDays(retentionDays - 1L);
        if (first.isBefore(oldest)) first = oldest;
        LocalDate last = DailyIndex.day(to);
        if (last.isAfter(today.plusDays(1))) last = today.plusDays(1);
        List<String> out = new ArrayList<>();
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) out.add(DailyIndex.name(prefix, d));
        return out;
    }

    /** Candidate filter over the daily indices: the reads of the visible agencies. */
    static ObjectNode readsQuery(SearchRequest request, Set<String> visibleAgencies) {
        ObjectNode root = JSON.objectNode();
        ArrayNode filters = root.putObject("bool").putArray("filter");
        ArrayNode agencies = filters.addObject().putObject("terms").putArray(ReadFields.AGENCY);
        new TreeSet<>(visibleAgencies).forEach(agencies::add);
        common(request, filters);
        return root;
    }

    /** Candidate filter over the holds index: copies held by the caller's agency and not released. */
    static ObjectNode holdsQuery(SearchRequest request, String agency) {
        ObjectNode root = JSON.objectNode();
        ObjectNode bool = root.putObject("bool");
        ArrayNode filters = bool.putArray("filter");
        filters.addObject().putObject("term").putObject(HOLD_AGENCY).put("value", agency);
        common(request, filters);
        bool.putArray("must_not").addObject().putObject("exists").put("field", HOLD_RELEASED_AT);
        return root;
    }

    private static void common(SearchRequest request, ArrayNode filters) {
        filters.add(request.candidates().toElasticsearchQuery());
        ObjectNode range = filters.addObject().putObject("range").putObject(ReadFields.CAPTURED_AT);
        range.put("gte", request.from().toString());
        range.put("lte", request.to().toString());
        if (!request.cameraIds().isEmpty()) {
            ArrayNode cams = filters.addObject().putObject("terms").putArray(ReadFields.CAMERA_ID);
            request.cameraIds().forEach(cams::add);
        }
        if (request.region() != null) {
            filters.addObject().putObject("term").putObject(ReadFields.REGION).put("value", request.region());
        }
        for (Map.Entry<String, String> e : request.vehicle().entrySet()) {
            filters.addObject().putObject("term").putObject(ReadFields.VEHICLE + "." + e.getKey()).put("value", e.getValue());
        }
        GeoBox box = request.geoBox();
        if (box != null) {
            ObjectNode geo = filters.addObject().putObject("geo_bounding_box").putObject(ReadFields.LOCATION);
            geo.putObject("top_left").put("lat", box.topLat()).put("lon", box.leftLon());
            geo.putObject("bottom_right").put("lat", box.bottomLat()).put("lon", box.rightLon());
        }
    }

    /**
     * One page of a candidate scan: no _source (the plate_norm doc value and the sort values are all
     * the verification needs), newest first with the read id as tie-breaker so that
     * {@code search_after} pages are stable.
     *
     * @param withDocIds whether each hit must carry its {@code _id}. A daily read's {@code _id} is its
     *                   read id, already in the sort values, so read scans pass false: loading
     *                   {@code _id} means decompressing a stored-field block per hit, which was
     *                   most of the fetch phase (~20 ms for 360 hits in a 6.5 M-read index).
     */
    static ObjectNode scanPage(ObjectNode query, int size, int trackTotalUpTo, Long afterMs, String afterReadId,
                               boolean withDocIds) {
        ObjectNode body = JSON.objectNode();
        body.put("size", size);
        if (trackTotalUpTo > 0) body.put("track_total_hits", trackTotalUpTo);
        else body.put("track_total_hits", false);
        if (withDocIds) body.put("_source", false);
        else body.put("stored_fields", "_none_");
        body.putArray("docvalue_fields").add(ReadFields.PLATE_NORM);
        ArrayNode sort = body.putArray("sort");
        sort.addObject().putObject(ReadFields.CAPTURED_AT).put("order", "desc");
        sort.addObject().putObject(ReadFields.READ_ID).put("order", "asc");
        body.put("timeout", "30s");
        body.set("query", query);
        if (afterMs != null) body.putArray("search_after").add(afterMs).add(afterReadId);
        return body;
    }
}
