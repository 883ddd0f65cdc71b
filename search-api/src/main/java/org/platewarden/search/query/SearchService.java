package org.platewarden.search.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.elasticsearch.client.RestClient;
import org.platewarden.core.config.AgencyScope;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.core.plate.PlateMatcher;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.search.access.AccessDecision;
import org.platewarden.search.access.PerUserRateLimiter;
import org.platewarden.search.access.Refusal;
import org.platewarden.search.access.SearchAccessPolicy;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.audit.AuditLog;
import org.platewarden.search.audit.AuditRecord;
import org.platewarden.search.auth.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/search}. Checks, in order, each failure ending the request: role and purpose and
 * case number and agency scope ({@link SearchAccessPolicy}) -> the body and the dragnet guards
 * ({@link SearchRequestParser}) -> the per-user rate limit -> this node's in-flight bound; then scans
 * the candidate reads of the daily indices in the window and of the caller's agency's holds,
 * verifies and ranks them in Java, and fetches the page's documents.
 *
 * <p>Every request, whatever its fate, is written to the {@link AuditLog} exactly once, and the
 * outcome is returned only after that write succeeded; if it fails the answer is 503 with no hits
 * (fail closed). The audit id is allocated here, before Elasticsearch is asked, and sent along as
 * {@code X-Opaque-Id}, so Elasticsearch's tasks API and slow log name the audit record.
 *
 * <p>Must be called on a Vert.x context (the search API's event loop); nothing here blocks it.
 */
public final class SearchService {
    public static final String ACTION = "search";
    public static final String ALLOWED = "allowed";
    private static final Logger LOG = LoggerFactory.getLogger(SearchService.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Vertx vertx;
    private final PlatewardenConfig config;
    private final AuditLog auditLog;
    private final Clock clock;
    private final OcrFolding folding;
    private final SearchAccessPolicy policy;
    private final SearchRequestParser parser;
    private final PerUserRateLimiter rateLimiter;
    private final CandidateScanner scanner;
    private final HitFetcher fetcher;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();

    public SearchService(Vertx vertx, PlatewardenConfig config, ElasticsearchConnection es, AuditLog auditLog) {
        this(vertx, config, es.rest(), auditLog, Clock.systemUTC(), OcrFolding.defaults(), SearchLimits.defaults());
    }

    public SearchService(Vertx vertx, PlatewardenConfig config, RestClient rest, AuditLog auditLog, Clock clock,
                         OcrFolding folding, SearchLimits limits) {
        this.vertx = vertx;
        this.config = config;
        this.auditLog = auditLog;
        this.clock = clock;
        this.folding = folding;
        this.policy = new SearchAccessPolicy(config.search(), new AgencyScope(config));
        this.parser = new SearchRequestParser(config.search(), folding, clock);
        this.rateLimiter = new PerUserRateLimiter(config.search().rateLimitPerMinute());
        this.scanner = new CandidateScanner(rest, limits.scanPageSize(), limits.maxCandidates());
        this.fetcher = new HitFetcher(rest);
        this.maxInFlight = limits.maxInFlight();
    }

    /**
     * @param principal     the authenticated caller
     * @param body          the request body as received (null when it was not a JSON object)
     * @param clientAddress the caller's address, for the audit record
     * @return never a failed future: every failure is an outcome with its status
     */
    public Future<SearchOutcome> search(Principal principal, JsonObject body, String clientAddress) {
        String auditId = UUID.randomUUID().toString();
        Future<Result> result;
        try {
            result = evaluate(vertx.getOrCreateContext(), principal, body, auditId);
        } catch (RuntimeException e) {
            result = Future.failedFuture(e);
        }
        return result
                .recover(e -> Future.succeededFuture(Result.refused(refusalFor(e, auditId))))
                .compose(r -> audited(principal, body, clientAddress, auditId, r));
    }

    private Future<Result> evaluate(Context context, Principal principal, JsonObject body, String auditId) {
        AccessDecision access = policy.decide(principal, value(body, "purpose"), value(body, "case_number"));
        if (!access.allowed()) return Future.succeededFuture(Result.refused(access.refusal()));
        SearchRequest request;
        try {
            request = parser.parse(body);
        } catch (InvalidSearchRequestException e) {
            return Future.succeededFuture(Result.refused(Refusal.invalid(e.getMessage())));
        }
        int wait = rateLimiter.tryAcquire(principal.agency() + "/" + principal.user());
        if (wait > 0) {
            return Future.succeededFuture(Result.refused(Refusal.rateLimited("more than "
                    + config.search().rateLimitPerMinute() + " searches per minute; retry in " + wait + " s", wait)));
        }
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            return Future.succeededFuture(Result.refused(Refusal.failed(503, "too many searches are running; retry shortly")));
        }
        Future<Result> run;
        try {
            run = execute(context, principal, request, access.visibleAgencies(), auditId);
        } catch (RuntimeException e) {
            run = Future.failedFuture(e);
        }
        return run.andThen(ar -> inFlight.decrementAndGet());
    }

    private Future<Result> execute(Context context, Principal principal, SearchRequest request, Set<String> visible,
                                   String auditId) {
        Instant now = clock.instant();
        PlateMatcher matcher = new PlateMatcher(request.plate(), folding);
        List<String> days = ReadQueryBuilder.readIndices(config.indexPrefix(), request.from(), request.to(),
                config.retentionDays(), now);
        Future<CandidateScanner.Result> reads = scanner.scan(context, days,
                ReadQueryBuilder.readsQuery(request, visible), matcher, false, auditId);
        Future<CandidateScanner.Result> holds = scanner.scan(context, List.of(config.holdsIndex()),
                ReadQueryBuilder.holdsQuery(request, principal.agency()), matcher, true, auditId);
        return Future.all(reads, holds).compose(done -> {
            long candidates = reads.result().candidates() + holds.result().candidates();
            if (candidates > scanner.maxCandidates()) {
                return Future.failedFuture(new TooBroadException(candidates, scanner.maxCandidates()));
            }
            RankedMatches.Page page = RankedMatches.rank(reads.result().matches(), holds.result().matches(),
                    request.after(), request.limit());
            return fetcher.fetch(context, page.hits(), auditId)
                    .map(hits -> Result.served(page.total(), hits, page.next()));
        });
    }

    private Future<SearchOutcome> audited(Principal principal, JsonObject body, String clientAddress, String auditId,
                                          Result result) {
        Refusal refusal = result.refusal();
        AuditEntry entry = new AuditEntry(ACTION,
                principal == null ? null : principal.user(),
                principal == null ? null : principal.agency(),
                principal == null ? Set.of() : principal.roles(),
                text(value(body, "purpose")),
                text(value(body, "case_number")),
                queryTree(body),
                clientAddress,
                refusal == null ? ALLOWED : refusal.outcome(),
                refusal == null ? null : refusal.reason(),
                refusal == null ? 200 : refusal.status(),
                result.total(),
                result.readIds(),
                auditId);
        Future<AuditRecord> written;
        try {
            written = auditLog.record(entry);
        } catch (RuntimeException e) {
            written = Future.failedFuture(e);
        }
        return written
                .map(record -> outcome(result, record.auditId()))
                .otherwise(e -> {
                    LOG.error("audit write failed for search {}; refusing the request (fail closed)", auditId, e);
                    return new SearchOutcome(503, null, new JsonObject()
                            .put("error", "the audit trail could not be written, so the search is refused; retry later")
                            .putNull("audit_id"), 0);
                });
    }

    private static SearchOutcome outcome(Result result, String auditId) {
        Refusal refusal = result.refusal();
        if (refusal != null) {
            return new SearchOutcome(refusal.status(), auditId,
                    new JsonObject().put("error", refusal.reason()).put("audit_id", auditId), refusal.retryAfterSeconds());
        }
        JsonObject body = new JsonObject()
                .put("audit_id", auditId)
                .put("total", result.total())
                .put("hits", new JsonArray(List.copyOf(result.hits())))
                .put("next", result.next() == null ? null : result.next().encode());
        return new SearchOutcome(200, auditId, body, 0);
    }

    private static Refusal refusalFor(Throwable e, String auditId) {
        if (e instanceof TooBroadException) return Refusal.invalid(e.getMessage());
        if (e instanceof SearchBackendException b) {
            LOG.warn("search {} failed: {}", auditId, b.getMessage(), b.getCause());
            return Refusal.failed(b.status(), b.status() == 503
                    ? "the search backend is unavailable; retry later" : "the search failed");
        }
        LOG.error("search {} failed", auditId, e);
        return Refusal.failed(500, "the search failed");
    }

    private static Object value(JsonObject body, String field) {
        return body == null ? null : body.getValue(field);
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private static JsonNode queryTree(JsonObject body) {
        if (body == null) return NullNode.getInstance();
        try {
            return MAPPER.readTree(body.encode());
        } catch (Exception e) {
            return TextNode.valueOf(body.encode());
        }
    }

    /** What a request came to before it is audited. */
    private record Result(Refusal refusal, int total, List<JsonObject> hits, PageToken next) {
        static Result refused(Refusal refusal) {
            return new Result(refusal, 0, List.of(), null);
        }

        static Result served(int total, List<JsonObject> hits, PageToken next) {
            return new Result(null, total, hits, next);
        }

        List<String> readIds() {
            return hits.stream().map(h -> h.getString("read_id")).toList();
        }
    }
}
