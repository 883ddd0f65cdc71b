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
import org.platewarden.core.read.CaptureTime;
import org.platewarden.core.read.ReadFields;

/**
 * The Elasticsearch side of a search: which indices to ask, the filter that selects candidate
 * reads, and an exact plate's ranked page query. Every filter clause is a term, terms, range or geo
 * filter in filter context (no scoring, cached per segment); the plate part comes from
 * {@link org.platewarden.core.plate.CandidateQuery} and never uses a wildcard, regexp, prefix or
 * fuzzy query. The only scores are the ranked page's constant tier scores.
 */
final class ReadQueryBuilder {
    static final String HOLD_ID = "hold.hold_id";
    static final String HOLD_AGENCY = "hold.agency";
    static final String HOLD_RELEASED_AT = "hold.released_at";
    static final String HOLD_UNTIL = "hold.until";
    static final String HOLD_CASE_NUMBER = "hold.case_number";
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
        readsFilters(request, visibleAgencies, root.putObject("bool").putArray("filter"), true);
        return root;
    }

    private static void readsFilters(SearchRequest request, Set<String> visibleAgencies, ArrayNode filters,
                                     boolean withPlatePlan) {
        ArrayNode agencies = filters.addObject().putObject("terms").putArray(ReadFields.AGENCY);
        new TreeSet<>(visibleAgencies).forEach(agencies::add);
        common(request, filters, withPlatePlan);
    }

    /**
     * The ranked page query of an exact plan: the matching reads in rank order, one page, with the
     * fields a hit shows. Each tier is one constant-score clause ({@link #exactPlanTiers}) under a
     * {@code dis_max}, whose boost orders the tiers (exact/wildcard 4, ocr 3, 1 edit 2, 2 edits 1), so
     * sorting by {@code _score} desc, then capture time desc, then read id asc is
     * {@link org.platewarden.core.plate.PlateMatchRanking} — and {@code search_after} on the same
     * three keys continues a {@link PageToken}.
     *
     * @param tiers          the tier clauses; at least one
     * @param trackTotalUpTo count the page query's hits up to this (0 = do not count)
     */
    static ObjectNode rankedPageBody(SearchRequest request, Set<String> visibleAgencies, List<ObjectNode> tiers,
                                     PageToken after, int size, int trackTotalUpTo) {
        ObjectNode body = JSON.objectNode();
        body.put("size", size);
        if (trackTotalUpTo > 0) body.put("track_total_hits", trackTotalUpTo);
        else body.put("track_total_hits", false);
        body.put("timeout", "30s");
        body.putObject("_source").putArray("includes").addAll(HitFetcher.SOURCE_FIELD_LIST.stream()
                .map(JSON::textNode).toList());
        body.putArray("docvalue_fields").add(ReadFields.PLATE_NORM);
        ArrayNode sort = body.putArray("sort");
        sort.addObject().putObject("_score").put("order", "desc");
        sort.addObject().putObject(ReadFields.CAPTURED_AT).put("order", "desc");
        sort.addObject().putObject(ReadFields.READ_ID).put("order", "asc");
        ObjectNode bool = body.putObject("query").putObject("bool");
        readsFilters(request, visibleAgencies, bool.putArray("filter"), false);
        bool.putArray("must").addObject().putObject("dis_max").putArray("queries").addAll(tiers);
        if (after != null) body.putArray("search_after").add(tierBoost(after.tier())).add(after.capturedAtMs()).add(after.readId());
        return body;
    }

    /**
     * Tier clauses for a plate without wildcards or edits, where every candidate is a match: the
     * plate itself (tier 0) and, with OCR equivalence, every plate that folds to the same string
     * (tier 1; {@code dis_max} keeps the exact plate at tier 0).
     */
    static List<ObjectNode> exactPlanTiers(String plate, String foldedOrNull) {
        List<ObjectNode> clauses = new ArrayList<>();
        clauses.add(tierClause(term(ReadFields.PLATE_NORM, plate), 0));
        if (foldedOrNull != null) clauses.add(tierClause(term(ReadFields.PLATE_OCR, foldedOrNull), 1));
        return clauses;
    }

    private static ObjectNode tierClause(ObjectNode filter, int tier) {
        ObjectNode clause = JSON.objectNode();
        ObjectNode constant = clause.putObject("constant_score");
        constant.set("filter", filter);
        constant.put("boost", tierBoost(tier));
        return clause;
    }

    private static ObjectNode term(String field, String value) {
        ObjectNode term = JSON.objectNode();
        term.putObject("term").putObject(field).put("value", value);
        return term;
    }

    /** The constant score of a tier in {@link #rankedPageBody}: 4 for tier 0 down to 1 for tier 3. */
    static int tierBoost(int tier) {
        return 4 - tier;
    }

    /** The tier a ranked-page hit's {@code _score} stands for. */
    static int tierOfScore(double score) {
        int tier = 4 - (int) Math.round(score);
        if (tier < 0 || tier > 3) throw new IllegalStateException("unexpected rank score " + score);
        return tier;
    }

    /** Which of the given reads (by id) are in the daily indices and pass the reads query. */
    static ObjectNode readsAmongBody(ObjectNode readsQuery, List<String> readIds) {
        ObjectNode body = JSON.objectNode();
        body.put("size", readIds.size());
        body.put("track_total_hits", false);
        body.put("_source", false);
        body.put("timeout", "30s");
        ArrayNode filters = body.putObject("query").putObject("bool").putArray("filter");
        filters.add(readsQuery);
        ArrayNode ids = filters.addObject().putObject("ids").putArray("values");
        readIds.forEach(ids::add);
        return body;
    }

    /**
     * Candidate filter over the holds index: copies held by the caller's agency, not released, and
     * whose hold has not run past its {@code until} — a hold keeps reads beyond retention only while
     * it lasts, and that holds at query time, whether or not anyone has released it yet. Of those,
     * only reads of the agencies the caller may see now: a hold keeps a copy of another agency's
     * read while that agency shares with the caller's, and when it stops sharing the copy is kept
     * (it is evidence) but no longer shown, as in the daily indices. A copy whose day is past retention
     * is kept for its hold's case alone: it is returned only to a search stating that case number (a
     * legal hold preserves evidence for one investigation; it does not extend retention for others).
     * These filters are on the copy's own fields, a first cut: the hold's definition decides
     * ({@link LiveHolds}). The copies never carry {@code released_at} (a release marks the definition);
     * its clause stays for copies written so by hand.
     */
    static ObjectNode holdsQuery(SearchRequest request, String agency, Set<String> visibleAgencies, Instant now,
                                 String caseNumber, int retentionDays) {
        ObjectNode root = JSON.objectNode();
        ObjectNode bool = root.putObject("bool");
        ArrayNode filters = bool.putArray("filter");
        filters.addObject().putObject("term").putObject(HOLD_AGENCY).put("value", agency);
        ArrayNode agencies = filters.addObject().putObject("terms").putArray(ReadFields.AGENCY);
        new TreeSet<>(visibleAgencies).forEach(agencies::add);
        filters.addObject().putObject("range").putObject(HOLD_UNTIL).put("gt", now.toString());
        ObjectNode caseOrRetained = filters.addObject().putObject("bool");
        caseOrRetained.put("minimum_should_match", 1);
        ArrayNode either = caseOrRetained.putArray("should");
        either.addObject().putObject("term").putObject(HOLD_CASE_NUMBER).put("value", caseNumber == null ? "" : caseNumber);
        either.addObject().putObject("range").putObject(ReadFields.CAPTURED_AT)
                .put("gte", oldestRetained(now, retentionDays).toString());
        common(request, filters, true);
        bool.putArray("must_not").addObject().putObject("exists").put("field", HOLD_RELEASED_AT);
        return root;
    }

    /** The start of the oldest UTC day still inside retention: a held copy captured before it is its hold's case's alone. */
    static Instant oldestRetained(Instant now, int retentionDays) {
        return DailyIndex.day(now).minusDays(retentionDays - 1L).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
    }

    private static void common(SearchRequest request, ArrayNode filters, boolean withPlatePlan) {
        if (withPlatePlan) filters.add(request.candidates().toElasticsearchQuery());
        // captured_at is indexed (and stored) to the millisecond: the window's bounds are the first and last
        // millisecond inside it, so no hit lies outside the window as sent (CaptureTime)
        ObjectNode range = filters.addObject().putObject("range").putObject(ReadFields.CAPTURED_AT);
        range.put("gte", CaptureTime.windowStart(request.from()).toString());
        range.put("lte", CaptureTime.windowEnd(request.to()).toString());
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
     * @param held whether the scan is of held copies: each hit then carries its {@code _id} and its
     *             hold's id ({@value #HOLD_ID}). A daily read's {@code _id} is its read id, already in
     *             the sort values, so read scans pass false: loading {@code _id} means decompressing a
     *             stored-field block per hit, which was most of the fetch phase (~20 ms for 360 hits
     *             in a 6.5 M-read index).
     */
    static ObjectNode scanPage(ObjectNode query, int size, int trackTotalUpTo, Long afterMs, String afterReadId,
                               boolean held) {
        ObjectNode body = JSON.objectNode();
        body.put("size", size);
        if (trackTotalUpTo > 0) body.put("track_total_hits", trackTotalUpTo);
        else body.put("track_total_hits", false);
        if (held) body.put("_source", false);
        else body.put("stored_fields", "_none_");
        ArrayNode docValues = body.putArray("docvalue_fields").add(ReadFields.PLATE_NORM);
        if (held) docValues.add(HOLD_ID);
        ArrayNode sort = body.putArray("sort");
        sort.addObject().putObject(ReadFields.CAPTURED_AT).put("order", "desc");
        sort.addObject().putObject(ReadFields.READ_ID).put("order", "asc");
        body.put("timeout", "30s");
        body.set("query", query);
        if (afterMs != null) body.putArray("search_after").add(afterMs).add(afterReadId);
        return body;
    }
}
