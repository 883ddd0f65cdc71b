package org.platewarden.search.query;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.elasticsearch.client.Request;
import org.platewarden.core.plate.PlateMatch;
import org.platewarden.core.plate.PlateMatcher;
import org.platewarden.core.read.ReadFields;

/**
 * Scans every candidate read of a query, page by page ({@code search_after}), and keeps only those
 * the {@link PlateMatcher} accepts: the daily indices for patterns with wildcards or edits, and the
 * holds index for every search (an exact plate's daily reads come from {@link RankedReadPage}).
 * Each page carries just the plate_norm doc value and the sort values (capture time, read id) —
 * plus, for held copies, {@code _id} (a copy's id is not the read id) and the {@code hold.hold_id}
 * doc value (whose definition {@link LiveHolds} checks) — parsed as a stream: memory grows
 * with the matches, not with the candidates. The scan is bounded: if the first page reports more
 * than {@code maxCandidates} candidates, it fails with {@link TooBroadException} before reading
 * further. {@link #idsAmong} tells which held reads are also daily matches.
 */
final class CandidateScanner {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper TREE = new ObjectMapper();
    private static final String FILTER_PATH =
            "timed_out," + ShardChecks.FILTER_PATH + ",hits.total,hits.hits._index,hits.hits._id,"
                    + "hits.hits.fields,hits.hits.sort";

    /** The matches of one scan and how many candidates Elasticsearch returned for it. */
    record Result(long candidates, List<Candidate> matches) {
    }

    private final ElasticsearchCalls es;
    private final int pageSize;
    private final int maxCandidates;

    CandidateScanner(ElasticsearchCalls es, int pageSize, int maxCandidates) {
        this.es = es;
        this.pageSize = pageSize;
        this.maxCandidates = maxCandidates;
    }

    int maxCandidates() {
        return maxCandidates;
    }

    Future<Result> scan(Context context, List<String> indices, ObjectNode query, PlateMatcher matcher, boolean held,
                        String opaqueId, SearchDeadline deadline) {
        if (indices.isEmpty()) return Future.succeededFuture(new Result(0, List.of()));
        List<Candidate> matches = new ArrayList<>();
        return page(context, indices, query, matcher, held, opaqueId, deadline, null, null, true, matches, 0)
                .map(scanned -> new Result(scanned, matches));
    }

    /** Which of {@code readIds} are daily reads that pass {@code readsQuery} in {@code indices}. */
    Future<Set<String>> idsAmong(Context context, List<String> indices, ObjectNode readsQuery, List<String> readIds,
                                 String opaqueId, SearchDeadline deadline) {
        Request request = ElasticsearchCalls.search(indices, "timed_out," + ShardChecks.FILTER_PATH + ",hits.hits._id", opaqueId);
        request.setJsonEntity(ReadQueryBuilder.readsAmongBody(readsQuery, readIds).toString());
        return es.perform(context, request, in -> {
            JsonNode response = TREE.readTree(in);
            ShardChecks.requireComplete(response);
            Set<String> found = new HashSet<>();
            for (JsonNode hit : response.path("hits").path("hits")) found.add(hit.path("_id").asText());
            return found;
        }, deadline);
    }

    private Future<Long> page(Context context, List<String> indices, ObjectNode query, PlateMatcher matcher, boolean held,
                              String opaqueId, SearchDeadline deadline, Long afterMs, String afterReadId, boolean first,
                              List<Candidate> matches, long scanned) {
        Request request = ElasticsearchCalls.search(indices, FILTER_PATH, opaqueId);
        ObjectNode body = ReadQueryBuilder.scanPage(query, pageSize, first ? maxCandidates + 1 : 0, afterMs, afterReadId,
                held);
        request.setJsonEntity(body.toString());
        return es.perform(context, request, in -> parsePage(in, matcher, held, matches), deadline)
                .compose(page -> {
                    if (first && page.total > maxCandidates) {
                        return Future.failedFuture(new TooBroadException(page.total, maxCandidates));
                    }
                    long total = scanned + page.hits;
                    if (page.hits < pageSize) return Future.succeededFuture(total);
                    return page(context, indices, query, matcher, held, opaqueId, deadline, page.lastMs, page.lastReadId, false,
                            matches, total);
                });
    }

    /** What one page told us; the matches themselves went straight into the shared list. */
    private static final class Page {
        long total = -1;
        int hits;
        Long lastMs;
        String lastReadId;
    }

    /**
     * Streams {@code {"timed_out":..,"_shards":{"failed":..},"hits":{"total":{"value":..},"hits":[..]}}}.
     * Called on the HTTP client's thread; appends to {@code matches}, which only this scan touches
     * and whose pages run one after the other.
     */
    static Page parsePage(InputStream in, PlateMatcher matcher, boolean held, List<Candidate> matches) throws IOException {
        Page page = new Page();
        try (JsonParser p = JSON.createParser(in)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "timed_out" -> {
                        if (value == JsonToken.VALUE_TRUE) throw new SearchBackendException(503, "Elasticsearch timed out", null);
                    }
                    case "_shards" -> shards(p);
                    case "hits" -> hits(p, page, matcher, held, matches);
                    default -> p.skipChildren();
                }
            }
        }
        return page;
    }

    private static void shards(JsonParser p) throws IOException {
        int failed = 0;
        int total = 0;
        JsonNode failures = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "failed" -> failed = p.getIntValue();
                case "total" -> total = p.getIntValue();
                case "failures" -> failures = TREE.readTree(p);
                default -> p.skipChildren();
            }
        }
        // a search that silently missed a shard would return an incomplete result as if complete
        if (failed > 0) throw ShardChecks.incomplete(failed, total, failures == null ? TREE.missingNode() : failures);
    }

    private static void hits(JsonParser p, Page page, PlateMatcher matcher, boolean held, List<Candidate> matches)
            throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("total") && value == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    p.nextToken();
                    if (f.equals("value")) page.total = p.getLongValue();
                    else p.skipChildren();
                }
            } else if (name.equals("hits") && value == JsonToken.START_ARRAY) {
                while (p.nextToken() == JsonToken.START_OBJECT) hit(p, page, matcher, held, matches);
            } else {
                p.skipChildren();
            }
        }
    }

    private static void hit(JsonParser p, Page page, PlateMatcher matcher, boolean held, List<Candidate> matches)
            throws IOException {
        String index = null, id = null, norm = null, readId = null, holdId = null;
        long ms = Long.MIN_VALUE;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "_index" -> index = p.getText();
                case "_id" -> id = p.getText();
                case "fields" -> {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        boolean wanted = field.equals(ReadFields.PLATE_NORM) || (held && field.equals(ReadQueryBuilder.HOLD_ID));
                        if (p.nextToken() == JsonToken.START_ARRAY && wanted) {
                            while (p.nextToken() != JsonToken.END_ARRAY) {
                                if (field.equals(ReadFields.PLATE_NORM)) {
                                    if (norm == null) norm = p.getText();
                                } else if (holdId == null) {
                                    holdId = p.getText();
                                }
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                }
                case "sort" -> {
                    expect(value, JsonToken.START_ARRAY);
                    p.nextToken();
                    ms = p.getLongValue();
                    p.nextToken();
                    readId = p.getText();
                    while (p.nextToken() != JsonToken.END_ARRAY) p.skipChildren();
                }
                default -> p.skipChildren();
            }
        }
        // read scans skip stored fields (no _id): a daily read's document id is its read id
        if (id == null && !held) id = readId;
        if (readId == null || ms == Long.MIN_VALUE || index == null || id == null) {
            throw new IOException("search hit without _index, _id or sort values");
        }
        page.hits++;
        page.lastMs = ms;
        page.lastReadId = readId;
        PlateMatch match = matcher.matchOrNull(norm);
        // a copy names its hold in hold.hold_id; one that does not has no definition to be checked
        // against (LiveHolds), so, as a copy whose hold has no definition, it is never shown
        if (match != null && (!held || holdId != null)) matches.add(new Candidate(readId, ms, index, id, match, held ? holdId : null));
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) throw new IOException("expected " + expected + " but got " + actual);
    }
}
