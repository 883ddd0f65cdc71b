package org.platewarden.search.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.elasticsearch.client.Request;
import org.platewarden.core.plate.PlateMatch;
import org.platewarden.core.read.ReadFields;

/**
 * The daily-index side of an exact-plate search: one page of the matching reads, already in rank
 * order, with the fields a hit shows and the match count (see {@link ReadQueryBuilder#rankedPageBody}),
 * in one round trip — no candidate scan, and no fetch of documents afterwards.
 */
final class RankedReadPage {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FILTER_PATH = "timed_out," + ShardChecks.FILTER_PATH + ",hits.total,"
            + "hits.hits._index,hits.hits._id,hits.hits._source,hits.hits.fields,hits.hits.sort";

    /**
     * @param hits    in rank order, at most the requested size
     * @param sources each hit's document, by {@link HitFetcher#key}
     * @param total   the page query's hit count (exact up to the tracked bound), or -1 if not counted
     */
    record Result(List<Candidate> hits, Map<String, JsonObject> sources, long total) {
    }

    private final ElasticsearchCalls es;
    private final int chunkSize;

    /** @param chunkSize hits per Elasticsearch round trip (at most {@code index.max_result_window}) */
    RankedReadPage(ElasticsearchCalls es, int chunkSize) {
        this.es = es;
        this.chunkSize = chunkSize;
    }

    /**
     * @param tiers          the tier clauses ({@link ReadQueryBuilder#exactPlanTiers}); empty = nothing matches
     * @param matches        how a hit's plate_norm matched (null = not a match, which fails the search:
     *                       the tier clauses select only matches)
     * @param size           hits wanted; taken in round trips of at most the chunk size
     * @param trackTotalUpTo count the hits up to this (0 = do not count)
     */
    Future<Result> page(Context context, List<String> indices, SearchRequest request, Set<String> visibleAgencies,
                        List<ObjectNode> tiers, Function<String, PlateMatch> matches, int size, int trackTotalUpTo,
                        String opaqueId, SearchDeadline deadline) {
        if (indices.isEmpty() || tiers.isEmpty()) return Future.succeededFuture(new Result(List.of(), Map.of(), 0));
        Result collected = new Result(new ArrayList<>(), new HashMap<>(), -1);
        return chunk(context, indices, request, visibleAgencies, tiers, matches, request.after(), size, trackTotalUpTo,
                opaqueId, deadline, collected);
    }

    private Future<Result> chunk(Context context, List<String> indices, SearchRequest request, Set<String> visibleAgencies,
                                 List<ObjectNode> tiers, Function<String, PlateMatch> matches, PageToken after,
                                 int remaining, int trackTotalUpTo, String opaqueId, SearchDeadline deadline, Result collected) {
        int size = Math.min(remaining, chunkSize);
        Request search = ElasticsearchCalls.search(indices, FILTER_PATH, opaqueId);
        search.setJsonEntity(ReadQueryBuilder.rankedPageBody(request, visibleAgencies, tiers, after, size, trackTotalUpTo)
                .toString());
        return es.perform(context, search, in -> parse(JSON.readTree(in), matches, trackTotalUpTo > 0), deadline)
                .compose(got -> {
                    collected.hits().addAll(got.hits());
                    collected.sources().putAll(got.sources());
                    long total = trackTotalUpTo > 0 ? got.total() : collected.total();
                    Result sofar = new Result(collected.hits(), collected.sources(), total);
                    if (got.hits().size() < size || remaining == size) return Future.succeededFuture(sofar);
                    Candidate last = got.hits().get(got.hits().size() - 1);
                    PageToken next = new PageToken(last.match().tier(), last.capturedAtMs(), last.readId());
                    return chunk(context, indices, request, visibleAgencies, tiers, matches, next, remaining - size, 0,
                            opaqueId, deadline, sofar);
                });
    }

    static Result parse(JsonNode response, Function<String, PlateMatch> matches, boolean counted) {
        ShardChecks.requireComplete(response);
        List<Candidate> hits = new ArrayList<>();
        Map<String, JsonObject> sources = new HashMap<>();
        for (JsonNode hit : response.path("hits").path("hits")) {
            String index = hit.path("_index").asText(null);
            String id = hit.path("_id").asText(null);
            JsonNode sort = hit.path("sort");
            String plate = hit.path("fields").path(ReadFields.PLATE_NORM).path(0).asText(null);
            PlateMatch match = plate == null ? null : matches.apply(plate);
            if (index == null || id == null || sort.size() < 3 || match == null) {
                throw new SearchBackendException(500, "ranked page hit without index, id, sort values or a verified plate", null);
            }
            // the score only orders the tiers; the match itself (kind, edits) is the verified one
            if (ReadQueryBuilder.tierOfScore(sort.get(0).asDouble()) != match.tier()) {
                throw new SearchBackendException(500, "ranked page hit " + id + " scored outside its tier", null);
            }
            hits.add(new Candidate(sort.get(2).asText(), sort.get(1).asLong(), index, id, match, null));
            sources.put(HitFetcher.key(index, id), new JsonObject(hit.path("_source").toString()));
        }
        long total = counted ? response.path("hits").path("total").path("value").asLong(0) : -1;
        return new Result(hits, sources, total);
    }
}
