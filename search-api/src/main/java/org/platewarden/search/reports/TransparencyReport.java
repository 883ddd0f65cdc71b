package org.platewarden.search.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.platewarden.core.config.Agency;
import org.platewarden.core.config.Camera;
import org.platewarden.core.config.Credentials;
import org.platewarden.core.config.LiveCredentials;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.read.ReadFields;
import org.platewarden.search.access.Refusal;
import org.platewarden.search.audit.AnonymousBudget;
import org.platewarden.search.audit.AuditLog;
import org.platewarden.search.audit.AuditDocument;
import org.platewarden.search.audit.CanonicalJson;
import org.platewarden.search.audit.ChainHead;
import org.platewarden.search.audit.EsRest;
import org.platewarden.search.audit.RefusedRecordBudget;
import org.platewarden.search.query.SearchService;

/**
 * The public transparency summary ({@code GET /v1/transparency}): cameras per agency, reads held
 * in the retention window, the retention rule and who enforces it, and searches of the last 30
 * days by purpose and by agency, with the number refused. Searches are requests of authenticated
 * callers: a request without valid credentials (a 401, or a 400 or 413 that named no caller)
 * reaches no data, and anyone could send any number of them, so counted among searches they would
 * let anyone inflate the published figures; they are reported apart, as
 * {@code unauthenticated_requests}, in no other figure. That figure counts such requests to every
 * audited route: the records of the ones within the anonymous budget plus the {@code request_count}
 * of each {@code anonymous_summary} record, which counts a client address's requests past the budget
 * over all routes together. Likewise {@code refused_requests_summarized}: the {@code request_count} of
 * each {@code refused_summary} record, the refusals (any audited route) of authenticated callers past
 * their budget for records of their own, which are in no other figure, and split by each summary's
 * outcome in {@code refused_requests_summarized_by_outcome}. Aggregates only — no user names, case
 * numbers, plates or read ids — and each search node's audit chain head ({@code audit_heads}: node id,
 * last seq, its hash, its time, and where it was read: this node's from its journal, the others'
 * from the index; see {@link PublishedHeads}), so that a reader who keeps the report holds
 * an anchor against records removed from a chain's end. Purposes and agencies are reported only when they are configured
 * values (a free-text purpose someone typed into a refused request is counted as "other", since it
 * could hold anything). A search whose page fetch failed after its record was written counts under
 * the outcome of its {@code search_correction} record (see {@link #outcomes}). Computed at most every
 * {@code cacheFor} so the public endpoint cannot be used to load the cluster.
 */
public final class TransparencyReport {
    public static final Duration SEARCH_WINDOW = Duration.ofDays(30);

    private final EsRest es;
    private final PlatewardenConfig config;
    private final LiveCredentials credentials;
    private final Supplier<String> retentionMechanism;
    private final Duration cacheFor;
    private final Clock clock;
    private final Set<String> knownPurposes;
    private JsonObject cached;
    private Instant cachedAt = Instant.MIN;
    private Future<JsonObject> inFlight;
    private final PublishedHeads heads;

    /**
     * @param credentials the agencies and cameras in force (a reload changes the figures from the next report on)
     * @param ownChain    this node's audit trail: its own head is published from its journal ({@link PublishedHeads})
     * @param registry    where the count of index heads not the journal's goes (null: none)
     */
    public TransparencyReport(EsRest es, PlatewardenConfig config, LiveCredentials credentials, AuditLog ownChain, MeterRegistry registry,
                              Supplier<String> retentionMechanism, Duration cacheFor, Clock clock) {
        this.heads = new PublishedHeads(config.nodeId(), ownChain, registry, clock);
        this.es = es;
        this.config = config;
        this.credentials = credentials;
        this.retentionMechanism = retentionMechanism;
        this.cacheFor = cacheFor;
        this.clock = clock;
        this.knownPurposes = new java.util.HashSet<>(config.search().allowedPurposes());
        this.knownPurposes.addAll(config.search().prohibitedPurposes());
    }

    /** Call from one event loop (the verticle's): the cache is not synchronised. */
    public Future<JsonObject> current() {
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cachedAt.plus(cacheFor))) return Future.succeededFuture(cached);
        if (inFlight != null) return inFlight;
        inFlight = compute(now)
                .onSuccess(report -> {
                    cached = report;
                    cachedAt = now;
                })
                .andThen(ar -> inFlight = null);
        return inFlight;
    }

    Future<JsonObject> compute(Instant now) {
        Instant windowStart = now.minus(Duration.ofDays(config.retentionDays()));
        Instant searchesSince = now.minus(SEARCH_WINDOW);
        String readsCount = "/" + DailyIndex.pattern(config.indexPrefix()) + "/_count?ignore_unavailable=true&allow_no_indices=true";
        Future<JsonNode> reads = es.call("POST", readsCount,
                "{\"query\":{\"range\":{\"" + ReadFields.CAPTURED_AT + "\":{\"gte\":\"" + windowStart + "\"}}}}")
                .compose(count -> whole(count, "POST " + readsCount));
        // refreshed so the figures include every search already answered (at most once per cache period)
        Future<JsonNode> refreshed = es.call("POST", "/" + config.auditIndex() + "/_refresh?ignore_unavailable=true&allow_no_indices=true", null);
        Future<JsonNode> searches = refreshed.compose(v -> es.call("POST", "/" + config.auditIndex() + "/_search?ignore_unavailable=true&allow_no_indices=true",
                        searchesBody(searchesSince).toString()));
        Future<JsonNode> indexHeads = refreshed.compose(v -> es.call("POST", "/" + config.auditIndex() + "/_search?ignore_unavailable=true&allow_no_indices=true",
                ChainHead.searchBody().toString()));
        return Future.all(reads, searches, indexHeads).map(v -> {
            JsonObject report = new JsonObject();
            report.put("generated_at", now.toString());
            report.put("cameras", cameras());
            report.put("reads_in_retention_window", reads.result().path("count").asLong());
            report.put("retention_days", config.retentionDays());
            report.put("retention_mechanism", retentionMechanism.get());
            JsonNode aggs = searches.result().path("aggregations").path("searches");
            JsonObject s = new JsonObject();
            s.put("window_days", SEARCH_WINDOW.toDays());
            s.put("since", searchesSince.toString());
            s.put("total", aggs.path("doc_count").asLong());
            s.put("by_purpose", buckets(aggs.path("by_purpose"), knownPurposes));
            s.put("by_agency", buckets(aggs.path("by_agency"), agencyIds()));
            s.put("by_outcome", outcomes(aggs.path("by_outcome"),
                    searches.result().path("aggregations").path("failed_corrections").path("by_outcome"),
                    aggs.path("busy_as_failed").path("doc_count").asLong()));
            s.put("refused", aggs.path("refused").path("doc_count").asLong());
            JsonNode unauthenticated = searches.result().path("aggregations").path("unauthenticated");
            s.put("unauthenticated_requests", unauthenticated.path("recorded").path("doc_count").asLong()
                    + (long) unauthenticated.path("summarized").path("requests").path("value").asDouble());
            JsonNode refusedSummarized = searches.result().path("aggregations").path("refused_summarized");
            s.put("refused_requests_summarized", (long) refusedSummarized.path("requests").path("value").asDouble());
            s.put("refused_requests_summarized_by_outcome", summarizedByOutcome(refusedSummarized.path("by_outcome")));
            report.put("searches", s);
            // each node's chain head: anyone who keeps a copy of this report holds an anchor that
            // `audit verify --anchor` checks, so records cut from a chain's end are found; this
            // node's from its journal, not the index anyone with write access could add to
            JsonArray published = this.heads.of(ChainHead.fromResponse(indexHeads.result()), config.expectedAuditNodes());
            report.put("audit_heads", published);
            // a node with no head at all: one that has not searched yet, or whose whole chain is gone
            // from the index; named, so that a head that disappears between two kept reports shows
            report.put("audit_nodes_without_records", PublishedHeads.nodesWithout(published, config.expectedAuditNodes()));
            return report;
        });
    }

    private ObjectNode searchesBody(Instant since) {
        ObjectNode body = CanonicalJson.MAPPER.createObjectNode();
        body.put("size", 0);
        ObjectNode query = body.putObject("query").putObject("bool");
        ArrayNode filter = query.putArray("filter");
        filter.addObject().putObject("range").putObject(AuditDocument.AT).put("gte", since.toString());
        // only the chains of this deployment's nodes: a chain someone added to the index is not counted
        ArrayNode nodes = filter.addObject().putObject("terms").putArray(AuditDocument.NODE_ID);
        config.expectedAuditNodes().forEach(nodes::add);
        ObjectNode searchesOrUnauthenticated = CanonicalJson.MAPPER.createObjectNode();
        searchesOrUnauthenticated.putObject("terms").putArray(AuditDocument.ACTION).add(SearchService.ACTION).add(SearchService.CORRECTION)
                .add(RefusedRecordBudget.SUMMARY_ACTION);
        query.putArray("should").add(searchesOrUnauthenticated).add(unauthenticated());
        query.put("minimum_should_match", 1);
        ObjectNode root = body.putObject("aggs");
        ObjectNode searches = root.putObject("searches");
        ObjectNode searchFilter = searches.putObject("filter").putObject("bool");
        searchFilter.putArray("filter").add(searchAction()).add(authenticated());
        ObjectNode unauthenticated = root.putObject("unauthenticated");
        unauthenticated.set("filter", unauthenticated());
        ObjectNode summary = CanonicalJson.MAPPER.createObjectNode();
        summary.putObject("term").put(AuditDocument.ACTION, AnonymousBudget.SUMMARY_ACTION);
        ObjectNode split = unauthenticated.putObject("aggs");
        // each request within the budget has its own record; the rest are counted in summaries
        split.putObject("recorded").putObject("filter").putObject("bool").putArray("must_not").add(summary);
        ObjectNode summarized = split.putObject("summarized");
        summarized.set("filter", summary);
        summarized.putObject("aggs").putObject("requests").putObject("sum").put("field", AuditDocument.REQUEST_COUNT);
        // authenticated callers' refusals past their record budget: counted in refused_summary records
        ObjectNode refusedSummarized = root.putObject("refused_summarized");
        ObjectNode refusedSummary = refusedSummarized.putObject("filter").putObject("bool");
        refusedSummary.putArray("filter").add(authenticated()).addObject().putObject("term").put(AuditDocument.ACTION, RefusedRecordBudget.SUMMARY_ACTION);
        ObjectNode refusedCounts = refusedSummarized.putObject("aggs");
        refusedCounts.putObject("requests").putObject("sum").put("field", AuditDocument.REQUEST_COUNT);
        // by each summary's outcome (that of most of the requests it counts: a minute of a busy node's 503s is rate_limited)
        ObjectNode refusedByOutcome = refusedCounts.putObject("by_outcome");
        refusedByOutcome.putObject("terms").put("field", AuditDocument.OUTCOME).put("size", 50);
        refusedByOutcome.putObject("aggs").putObject("requests").putObject("sum").put("field", AuditDocument.REQUEST_COUNT);
        ObjectNode aggs = searches.putObject("aggs");
        aggs.putObject("by_purpose").putObject("terms").put("field", AuditDocument.PURPOSE).put("size", 200).put("missing", "none");
        aggs.putObject("by_agency").putObject("terms").put("field", AuditDocument.AGENCY).put("size", 200).put("missing", "none");
        aggs.putObject("by_outcome").putObject("terms").put("field", AuditDocument.OUTCOME).put("size", 50);
        aggs.putObject("refused").putObject("filter").putObject("term").put(AuditDocument.OUTCOME, "refused");
        // searches refused because the node was busy, recorded as failed before they were rate_limited
        ArrayNode busyAsFailed = aggs.putObject("busy_as_failed").putObject("filter").putObject("bool").putArray("filter");
        busyAsFailed.addObject().putObject("term").put(AuditDocument.OUTCOME, "failed");
        busyAsFailed.addObject().putObject("term").put(AuditDocument.STATUS, 503);
        busyAsFailed.addObject().putObject("term").put(AuditDocument.REASON, SearchService.BUSY);
        // corrections of searches whose page fetch failed; one that only trimmed read_ids stays "allowed"
        ObjectNode corrections = root.putObject("failed_corrections");
        ObjectNode failed = corrections.putObject("filter").putObject("bool");
        failed.putArray("filter").add(authenticated()).addObject().putObject("term").put(AuditDocument.ACTION, SearchService.CORRECTION);
        failed.putArray("must_not").addObject().putObject("term").put(AuditDocument.OUTCOME, SearchService.ALLOWED);
        corrections.putObject("aggs").putObject("by_outcome").putObject("terms").put("field", AuditDocument.OUTCOME).put("size", 50);
        return body;
    }

    /**
     * The count of every day's index, or a 503 to retry: while a daily index's shard is unavailable
     * (Elasticsearch restarting or recovering its shards, a node gone), Elasticsearch answers the
     * count 200 with the other days' reads only and {@code _shards.failed}, and a published figure
     * must not silently leave a day out.
     */
    private static Future<JsonNode> whole(JsonNode count, String request) {
        int failed = count.path("_shards").path("failed").asInt(0);
        if (failed == 0) return Future.succeededFuture(count);
        return Future.failedFuture(new EsRest.EsException(503, request, failed + " of " + count.path("_shards").path("total").asInt()
                + " shard(s) failed, so the count is incomplete: " + count.path("_shards").path("failures").path(0)));
    }

    private static ObjectNode searchAction() {
        ObjectNode term = CanonicalJson.MAPPER.createObjectNode();
        term.putObject("term").put(AuditDocument.ACTION, SearchService.ACTION);
        return term;
    }

    /**
     * A record of a request that named no authenticated caller ({@link org.platewarden.search.audit.AuditEntry#anonymous()}):
     * no agency, and the user {@code anonymous} or none — not Platewarden's own records
     * ({@code platewarden:recovery}), which have no agency either.
     */
    private static ObjectNode unauthenticated() {
        ObjectNode node = CanonicalJson.MAPPER.createObjectNode();
        ObjectNode bool = node.putObject("bool");
        bool.putArray("must_not").add(authenticated());
        ObjectNode noUser = CanonicalJson.MAPPER.createObjectNode();
        noUser.putObject("bool").putArray("must_not").addObject().putObject("exists").put("field", AuditDocument.USER);
        ObjectNode anonymousUser = CanonicalJson.MAPPER.createObjectNode();
        anonymousUser.putObject("term").put(AuditDocument.USER, org.platewarden.search.audit.AuditEntry.ANONYMOUS);
        bool.putArray("should").add(anonymousUser).add(noUser);
        bool.put("minimum_should_match", 1);
        return node;
    }

    /**
     * A record of an authenticated caller: every authenticated principal belongs to an agency, a
     * record without one is anonymous ({@link org.platewarden.search.audit.AuditEntry#anonymous()}).
     */
    private static ObjectNode authenticated() {
        ObjectNode exists = CanonicalJson.MAPPER.createObjectNode();
        exists.putObject("exists").put("field", AuditDocument.AGENCY);
        return exists;
    }

    /**
     * Searches by outcome. A search's own record says "allowed" when its page was ranked; if the
     * page's fetch then failed, its {@code search_correction} record carries the outcome the caller
     * really got (e.g. "failed", with a 503), so each such search is moved from "allowed" to that
     * outcome — the correction is not counted as a search of its own. The audit index does not make
     * a correction's {@code query.corrects} searchable, and a correction is written within
     * milliseconds of its search, so a correction is matched to its search by the 30-day window of
     * the correction: a search just before the window's start whose correction falls just inside it
     * moves a search of the window instead (never below zero); this edge at the window boundary is
     * accepted for an aggregate.
     *
     * <p>A search refused because the node was running as many searches as it runs at once (503,
     * reason {@link SearchService#BUSY}) is {@code rate_limited}; records written before it was
     * said so say {@code failed}, and are counted as {@code rate_limited} too ({@code busy_as_failed}):
     * no search failed.
     */
    private static JsonObject outcomes(JsonNode byOutcome, JsonNode corrected, long busyAsFailed) {
        Map<String, Long> counts = counts(byOutcome, null);
        move(counts, "failed", Refusal.RATE_LIMITED, busyAsFailed);
        for (Map.Entry<String, Long> c : counts(corrected, null).entrySet()) {
            move(counts, SearchService.ALLOWED, c.getKey(), c.getValue());
        }
        return json(counts);
    }

    /** The requests counted in summary records, by the outcome of the summary that counts them. */
    private static JsonObject summarizedByOutcome(JsonNode agg) {
        Map<String, Long> counts = new TreeMap<>();
        for (JsonNode bucket : agg.path("buckets")) counts.put(bucket.path("key").asText(), (long) bucket.path("requests").path("value").asDouble());
        return json(counts);
    }

    /** Moves up to {@code n} searches from one outcome to another, never below zero. */
    private static void move(Map<String, Long> counts, String from, String to, long n) {
        long moved = Math.min(n, counts.getOrDefault(from, 0L));
        if (moved <= 0) return;
        counts.merge(from, -moved, Long::sum);
        counts.merge(to, moved, Long::sum);
    }

    /** Bucket counts keyed by value; a value outside {@code allowed} (when given) is folded into "other". */
    private static JsonObject buckets(JsonNode agg, Set<String> allowed) {
        return json(counts(agg, allowed));
    }

    private static Map<String, Long> counts(JsonNode agg, Set<String> allowed) {
        Map<String, Long> counts = new TreeMap<>();
        for (JsonNode b : agg.path("buckets")) {
            String key = b.path("key").asText();
            // a blank value (a search stating "purpose":"") gave none
            if (key.isBlank()) key = "none";
            if (allowed != null && !allowed.contains(key) && !key.equals("none")) key = "other";
            counts.merge(key, b.path("doc_count").asLong(), Long::sum);
        }
        // the values past the aggregation's buckets (more than 200 free-text purposes typed into refused
        // searches) are "other" too: dropped, the figures no longer added up to the total
        long beyond = agg.path("sum_other_doc_count").asLong(0);
        if (allowed != null && beyond > 0) counts.merge("other", beyond, Long::sum);
        return counts;
    }

    private static JsonObject json(Map<String, Long> counts) {
        JsonObject out = new JsonObject();
        counts.forEach(out::put);
        return out;
    }

    private JsonObject cameras() {
        Credentials now = credentials.current();
        Map<String, Long> perAgency = new TreeMap<>();
        for (Agency a : now.agencies()) perAgency.put(a.id(), 0L);
        for (Camera c : now.cameras()) perAgency.merge(c.agency(), 1L, Long::sum);
        JsonObject byAgency = new JsonObject();
        perAgency.forEach(byAgency::put);
        return new JsonObject().put("total", now.cameras().size()).put("by_agency", byAgency);
    }

    private Set<String> agencyIds() {
        Set<String> ids = new java.util.HashSet<>();
        credentials.current().agencies().forEach(a -> ids.add(a.id()));
        return ids;
    }
}
