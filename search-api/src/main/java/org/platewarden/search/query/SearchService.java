package org.platewarden.search.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.elasticsearch.client.RestClient;
import org.platewarden.core.config.AgencyScope;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.plate.CandidateQuery;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.core.plate.PlateMatcher;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.search.access.AccessDecision;
import org.platewarden.search.access.PerUserRateLimiter;
import org.platewarden.search.access.Refusal;
import org.platewarden.search.access.SearchAccessPolicy;
import org.platewarden.indexer.EsRest;
import org.platewarden.indexer.days.DayRegistry;
import org.platewarden.search.audit.AuditEntry;
import org.platewarden.search.audit.ClientAddress;
import org.platewarden.search.audit.AuditLog;
import org.platewarden.search.audit.AuditRecord;
import org.platewarden.search.audit.AuditUnavailableException;
import org.platewarden.search.audit.Corrections;
import org.platewarden.search.audit.RecordBudget;
import org.platewarden.search.audit.RefusedRecordBudget;
import org.platewarden.search.auth.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/search}. Checks, in order, each failure ending the request: role and purpose and
 * case number and agency scope ({@link SearchAccessPolicy}) -> the body and the dragnet guards
 * ({@link SearchRequestParser}) -> the per-user rate limit -> a slot among the searches this node runs
 * at once ({@link SearchSlots}: {@code search.max_concurrent_searches}; a search that finds them all
 * taken waits in a short queue, {@code search.max_queued_searches} long, at most
 * {@code max_queue_wait_ms}; without a slot it is answered 503 with {@code Retry-After: 1}, outcome
 * {@code rate_limited}, and its rate-limit grant is given back); then finds the matches in the daily
 * indices of the window and in the caller's agency's holds, ranks them and gets the page's documents
 * (see {@link #execute}). All of that within the search's deadline ({@link SearchDeadline},
 * {@code search.max_search_ms}, counted from its arrival): each Elasticsearch request waits at most
 * what is left of it, and a search that reaches it is answered 503, outcome {@code failed}.
 *
 * <p>Every request, whatever its fate, is written to the {@link AuditLog} exactly once, and the
 * outcome is returned only after that write succeeded; if it fails the answer is 503 with no hits
 * (fail closed). The one exception is a refusal (invalid, refused, rate-limited) past its caller's
 * budget for such records ({@link RefusedRecordBudget}, when one is given): it is counted into the
 * caller's {@code refused_summary} record of the window instead, and answered the same, its
 * {@code audit_id} naming that summary record, with {@code "audit":"counted"} (the record is written
 * when the window closes). An allowed search always has its record.
 * The audit id is allocated here, before Elasticsearch is asked, and sent along as
 * {@code X-Opaque-Id}, so Elasticsearch's tasks API and slow log name the audit record (a search
 * refused as too broad after its scan and counted instead names an id no record has: its answer
 * names the summary's).
 *
 * <p>Once the page is ranked, its read ids are known, so the record is written while the page's
 * documents are fetched ({@link #answered}): the answer waits for both. The record therefore lists
 * the reads the page was built from; in the rare case that the fetch then fails, or finds a read
 * gone (its day deleted by retention, its hold released, in the milliseconds between), a second
 * record, {@value #CORRECTION}, names the search's audit id and lists what was in fact returned
 * before the answer leaves. The trail can only ever have claimed more than was shown, never less.
 * So does a search answered 503 because its record could not be made durable in both copies when
 * the record reached one of them all the same ({@link #auditFailed}).
 *
 * <p>Must be called on a Vert.x context (the search API's event loop); nothing here blocks it.
 */
public final class SearchService {
    public static final String ACTION = "search";
    public static final String ALLOWED = "allowed";
    /**
     * The answer (503, {@code Retry-After: 1}) and audit reason of a search refused because the node
     * was running {@code search.max_concurrent_searches} searches and none ended within the wait; its
     * outcome is {@code rate_limited} ({@link Refusal#busy}).
     */
    public static final String BUSY = "too many searches are running; retry shortly";
    /**
     * The action of the record that corrects a search's record when its page could not be fully
     * fetched, or when the search was answered 503 after its record reached the trail ({@link Corrections}).
     */
    public static final String CORRECTION = Corrections.SEARCH;
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
    private final RankedReadPage ranked;
    private final HitFetcher fetcher;
    private final LiveHolds liveHolds;
    private final SearchSlots slots;
    private final MissingDaysCheck missingDays;
    private final SearchMetrics metrics;
    /** {@code search.max_search_ms}: how long one search may take before its audit record's write */
    private final int maxSearchMillis;
    /** null: every refusal has its own record */
    private final RefusedRecordBudget refusedRecords;

    /**
     * @param refusedRecords the budget for the records of refused searches: the instance the API
     *                       server ({@code SearchApiVerticle}) writes the summaries of, so that its
     *                       refusals and this service's share each caller's budget
     */
    public SearchService(Vertx vertx, PlatewardenConfig config, ElasticsearchConnection es, AuditLog auditLog,
                         MeterRegistry registry, RefusedRecordBudget refusedRecords) {
        this(vertx, config, es, auditLog, registry, refusedRecords, new AgencyScope(config));
    }

    /** @param scope whose reads each agency sees: the node's, which a configuration reload changes */
    public SearchService(Vertx vertx, PlatewardenConfig config, ElasticsearchConnection es, AuditLog auditLog,
                         MeterRegistry registry, RefusedRecordBudget refusedRecords, AgencyScope scope) {
        this(vertx, config, es.rest(), auditLog, Clock.systemUTC(), OcrFolding.defaults(), SearchLimits.of(config.search()), registry, refusedRecords, scope);
    }

    public SearchService(Vertx vertx, PlatewardenConfig config, RestClient rest, AuditLog auditLog, Clock clock,
                         OcrFolding folding, SearchLimits limits) {
        this(vertx, config, rest, auditLog, clock, folding, limits, null);
    }

    /** @param registry where the search timings go ({@link SearchMetrics}); null keeps them private */
    public SearchService(Vertx vertx, PlatewardenConfig config, RestClient rest, AuditLog auditLog, Clock clock,
                         OcrFolding folding, SearchLimits limits, MeterRegistry registry) {
        this(vertx, config, rest, auditLog, clock, folding, limits, registry, null);
    }

    /** @param refusedRecords the budget for the records of refused searches (null: none, each has its own record) */
    public SearchService(Vertx vertx, PlatewardenConfig config, RestClient rest, AuditLog auditLog, Clock clock,
                         OcrFolding folding, SearchLimits limits, MeterRegistry registry, RefusedRecordBudget refusedRecords) {
        this(vertx, config, rest, auditLog, clock, folding, limits, registry, refusedRecords, new AgencyScope(config));
    }

    private SearchService(Vertx vertx, PlatewardenConfig config, RestClient rest, AuditLog auditLog, Clock clock,
                          OcrFolding folding, SearchLimits limits, MeterRegistry registry, RefusedRecordBudget refusedRecords, AgencyScope scope) {
        this.refusedRecords = refusedRecords;
        this.metrics = new SearchMetrics(registry);
        this.vertx = vertx;
        this.config = config;
        this.auditLog = auditLog;
        this.clock = clock;
        this.folding = folding;
        this.policy = new SearchAccessPolicy(config.search(), scope);
        this.parser = new SearchRequestParser(config.search(), folding, clock, Duration.ofSeconds(config.gateway().futureSkewSeconds()));
        this.rateLimiter = new PerUserRateLimiter(config.search().rateLimitPerMinute());
        ElasticsearchCalls calls = new ElasticsearchCalls(rest, limits.esTimeoutMillis());
        this.scanner = new CandidateScanner(calls, limits.scanPageSize(), limits.maxCandidates());
        this.ranked = new RankedReadPage(calls, limits.scanPageSize());
        this.fetcher = new HitFetcher(calls);
        this.missingDays = new MissingDaysCheck(vertx, new DayRegistry(new EsRest(rest, Duration.ofMillis(limits.esTimeoutMillis())),
                config.indexPrefix()), config.retentionDays());
        this.liveHolds = new LiveHolds(calls, config.holdsMetaIndex());
        this.slots = new SearchSlots(limits.maxInFlight(), limits.maxQueued(), limits.maxWaitMillis());
        this.maxSearchMillis = limits.maxSearchMillis();
        metrics.slots(slots::running, slots::queued);
    }

    /**
     * @param principal     the authenticated caller
     * @param body          the request body as received (null when it was not a JSON object)
     * @param client        the caller's address (and the trusted proxy it came through), for the audit record
     * @return never a failed future: every failure is an outcome with its status
     */
    public Future<SearchOutcome> search(Principal principal, JsonObject body, ClientAddress client) {
        long started = System.nanoTime();
        // from its arrival: the wait for a slot counts, so the whole search is bounded
        SearchDeadline deadline = SearchDeadline.startingNow(maxSearchMillis);
        String auditId = UUID.randomUUID().toString();
        Context context = vertx.getOrCreateContext();
        Future<Result> result;
        // the parsed request, once the body was valid: its window and limit go into the record whatever the outcome
        SearchRequest[] parsed = new SearchRequest[1];
        try {
            result = evaluate(context, principal, body, auditId, parsed, deadline);
        } catch (RuntimeException e) {
            result = Future.failedFuture(e);
        }
        return result
                .recover(e -> Future.succeededFuture(Result.refused(refusalFor(e, auditId))))
                .compose(r -> answered(context, principal, body, client, auditId, r, parsed[0], deadline)
                        .andThen(ar -> {
                            if (r.refusal() == null) slots.release();
                        }))
                .andThen(ar -> metrics.request(ar.succeeded() ? ar.result().status() : 500, started));
    }

    private Future<Result> evaluate(Context context, Principal principal, JsonObject body, String auditId,
                                    SearchRequest[] parsed, SearchDeadline deadline) {
        AccessDecision access = policy.decide(principal, value(body, "purpose"), value(body, "case_number"));
        if (!access.allowed()) return Future.succeededFuture(Result.refused(access.refusal()));
        SearchRequest request;
        try {
            request = parser.parse(body);
        } catch (InvalidSearchRequestException e) {
            return Future.succeededFuture(Result.refused(Refusal.invalid(e.getMessage())));
        }
        parsed[0] = request;
        PerUserRateLimiter.Grant grant = rateLimiter.acquire(principal.agency() + "/" + principal.user());
        if (!grant.granted()) {
            int wait = grant.waitSeconds();
            return Future.succeededFuture(Result.refused(Refusal.rateLimited("more than "
                    + config.search().rateLimitPerMinute() + " searches per minute; retry in " + wait + " s", wait)));
        }
        // the rate limit first, so one caller's burst past it never takes the queue's places from others;
        // a search that then finds no slot did not run, so its grant is given back: a 503 costs no search
        return slots.acquire(context).transform(slot -> {
            if (slot.failed()) {
                rateLimiter.refund(grant);
                metrics.busy();
                LOG.debug("search {} refused: {}", auditId, slot.cause().getMessage());
                return Future.succeededFuture(Result.refused(Refusal.busy(BUSY)));
            }
            Future<Result> run;
            try {
                run = execute(context, principal, request, access.visibleAgencies(), (String) value(body, "case_number"), auditId,
                        deadline);
            } catch (RuntimeException e) {
                run = Future.failedFuture(e);
            }
            // a planned page keeps its slot until its documents are fetched (see search)
            return run.onFailure(e -> slots.release());
        });
    }

    /**
     * Finds the matches in the daily indices of the window and in the caller's agency's holds
     * (scanned read by read alongside; holds are few; a held copy counts only while its hold's
     * definition is in force: {@link LiveHolds}), then the page's documents. A plate without
     * wildcards or edits takes one ranked query ({@link #exactPlate}); any other pattern scans its
     * candidates and verifies them in Java ({@link #scannedPattern}).
     */
    private Future<Result> execute(Context context, Principal principal, SearchRequest request, Set<String> visible,
                                   String caseNumber, String auditId, SearchDeadline deadline) {
        PlateMatcher matcher = new PlateMatcher(request.plate(), folding);
        Instant now = clock.instant();
        List<String> days = ReadQueryBuilder.readIndices(config.indexPrefix(), request.from(), request.to(),
                config.retentionDays(), now);
        ObjectNode readsQuery = ReadQueryBuilder.readsQuery(request, visible);
        // alongside the search, joined at its end: a day of the window whose index was deleted by mistake
        Future<MissingDaysCheck.Verdict> missing = missingDays.among(context, days, config.indexPrefix(), now);
        long started = System.nanoTime();
        // a held copy is shown only while its hold's definition is in force (LiveHolds): checked before
        // the ranking, so a copy hidden by it is neither counted nor leaves a hole on a page
        Future<CandidateScanner.Result> holds = scanner.scan(context, List.of(config.holdsIndex()),
                ReadQueryBuilder.holdsQuery(request, principal.agency(), visible, now, caseNumber, config.retentionDays()), matcher, true, auditId,
                deadline)
                .compose(scanned -> liveHolds.keepLive(context, scanned, principal.agency(), caseNumber, now, config.retentionDays(),
                        auditId, deadline));
        Future<Result> found = request.candidates().strategy() == CandidateQuery.Strategy.EXACT_TERM
                ? exactPlate(context, request, visible, days, readsQuery, matcher, holds, started, auditId, deadline)
                : scannedPattern(context, request, days, readsQuery, matcher, holds, started, auditId, deadline);
        return Future.all(found, missing).map(done -> found.result().withDays(missing.result()));
    }

    /**
     * Every candidate of an exact plan is a match — the plate itself and, with OCR equivalence,
     * every plate that folds to it — and the tier is known from which of the two it is, so one
     * query over the daily indices returns the page already ranked, with its documents, and counts
     * the matches ({@link RankedReadPage}): one round trip instead of a scan and a fetch.
     */
    private Future<Result> exactPlate(Context context, SearchRequest request, Set<String> visible, List<String> days,
                                      ObjectNode readsQuery, PlateMatcher matcher,
                                      Future<CandidateScanner.Result> holds, long started, String auditId,
                                      SearchDeadline deadline) {
        String plate = request.plate().pattern();
        List<ObjectNode> tiers = ReadQueryBuilder.exactPlanTiers(plate, request.plate().ocr() ? folding.fold(plate) : null);
        Future<RankedReadPage.Result> daily = ranked.page(context, days, request, visible, tiers, matcher::matchOrNull,
                request.limit() + 1, scanner.maxCandidates() + 1, auditId, deadline);
        return Future.all(daily, holds)
                .compose(done -> bounded(SearchMetrics.PAGE, daily.result().total() + holds.result().candidates(),
                        days, started, auditId))
                .compose(ok -> heldOnly(context, days, readsQuery, holds.result().matches(), auditId, deadline))
                .compose(heldOnly -> {
                    RankedMatches.Page page = RankedMatches.rank(daily.result().hits(), holds.result().matches(),
                            request.after(), request.limit());
                    // the daily part of the ranking was cut at limit + 1, so the page's own count is not the total
                    long total = daily.result().total() + heldOnly;
                    return Future.succeededFuture(Result.planned(request, total, page, daily.result().sources()));
                });
    }

    /**
     * Wildcards or edits: every candidate read is scanned (plate doc value and sort keys only),
     * verified and ranked in Java, and only the page's documents are fetched.
     */
    private Future<Result> scannedPattern(Context context, SearchRequest request, List<String> days,
                                          ObjectNode readsQuery, PlateMatcher matcher,
                                          Future<CandidateScanner.Result> holds, long started, String auditId,
                                          SearchDeadline deadline) {
        Future<CandidateScanner.Result> reads = scanner.scan(context, days, readsQuery, matcher, false, auditId, deadline);
        return Future.all(reads, holds)
                .compose(done -> bounded(SearchMetrics.SCAN, reads.result().candidates() + holds.result().candidates(),
                        days, started, auditId))
                .compose(ok -> {
                    RankedMatches.Page page = RankedMatches.rank(reads.result().matches(), holds.result().matches(),
                            request.after(), request.limit());
                    return Future.succeededFuture(Result.planned(request, page.total(), page, Map.of()));
                });
    }

    private Future<List<JsonObject>> fetch(Context context, Result planned, String auditId, SearchDeadline deadline) {
        long fetchStarted = System.nanoTime();
        return fetcher.fetch(context, planned.page(), planned.known(), auditId, deadline)
                .andThen(ar -> metrics.phase(SearchMetrics.FETCH, fetchStarted));
    }

    /** Records the step and how broad the search was; past the candidate bound it is refused, not cut. */
    private Future<Void> bounded(String phase, long candidates, List<String> days, long started,
                                 String auditId) {
        metrics.phase(phase, started);
        metrics.candidates(candidates);
        if (LOG.isDebugEnabled()) {
            // the audit id, not the plate: the audit record holds the query, and a log is kept beyond the audit's control
            LOG.debug("search {}: {} over {} day(s): {} candidates in {} ms", auditId, phase, days.size(),
                    candidates, (System.nanoTime() - started) / 1_000_000);
        }
        return candidates > scanner.maxCandidates()
                ? Future.failedFuture(new TooBroadException(candidates, scanner.maxCandidates()))
                : Future.succeededFuture();
    }

    /**
     * How many held matches are not also daily matches (a read still in its daily index and held
     * is one hit, marked held), so the total counts each read once. Holds are few; this asks
     * Elasticsearch only when the search found any.
     */
    private Future<Long> heldOnly(Context context, List<String> days, ObjectNode readsQuery, List<Candidate> held,
                                  String auditId, SearchDeadline deadline) {
        if (held.isEmpty()) return Future.succeededFuture(0L);
        if (days.isEmpty()) return Future.succeededFuture((long) held.size());
        List<String> ids = held.stream().map(Candidate::readId).distinct().toList();
        return scanner.idsAmong(context, days, readsQuery, ids, auditId, deadline)
                .map(inDaily -> ids.stream().filter(id -> !inDaily.contains(id)).count());
    }

    /**
     * Writes the request's audit record and, for a ranked page, fetches the page's documents at the
     * same time; answers only once the record is durable (fail closed otherwise) and the fetch is
     * done. A fetch that failed or came back short is corrected in the trail first ({@link #corrected}).
     * The fetch is bounded by the search's deadline, the record's write by its own bound only: a
     * journal write under way is never abandoned.
     */
    private Future<SearchOutcome> answered(Context context, Principal principal, JsonObject body, ClientAddress client,
                                           String auditId, Result result, SearchRequest request, SearchDeadline deadline) {
        Refusal refusal = result.refusal();
        AuditEntry entry = entry(ACTION, principal, body, client,
                refusal == null ? ALLOWED : refusal.outcome(), refusal == null ? null : refusal.reason(),
                refusal == null ? 200 : refusal.status(), result.total(), result.readIds(), auditId, queryTree(body))
                .withWindow(request == null ? null : new AuditEntry.Window(request.from(), request.to(), request.limit(),
                        result.days().missingNames()));
        // a refusal past its caller's budget: counted into the caller's summary, answered the same
        RecordBudget.Decision decision = refusal == null || refusedRecords == null
                ? RecordBudget.Decision.OWN_RECORD : refusedRecords.admit(entry);
        if (!decision.ownRecord()) return Future.succeededFuture(counted(refusal, decision.countedAs()));
        Future<AuditRecord> written = record(entry);
        if (refusal != null) {
            return written.map(record -> refused(refusal, record.auditId())).otherwise(e -> {
                // the refusal is answered 503 without its record: counted into its caller's summary instead
                // (unless the record is in the trail after all: then it is not missing from it)
                if (refusedRecords != null && AuditUnavailableException.leftNoRecord(e)) {
                    refusedRecords.countUnrecorded(entry);
                }
                return auditFailed(auditId, e);
            });
        }
        Future<List<JsonObject>> fetched = fetch(context, result, auditId, deadline);
        return Future.join(written, fetched).transform(done -> {
            if (written.failed()) return auditFailed(entry, auditId, written.cause());
            if (fetched.failed()) {
                Refusal failure = refusalFor(fetched.cause(), auditId);
                return corrected(principal, body, client, auditId, result, failure, List.of(),
                        refused(failure, auditId));
            }
            List<JsonObject> hits = fetched.result();
            SearchOutcome served = served(result, hits, auditId);
            return hits.size() == result.page().size() ? Future.succeededFuture(served)
                    : corrected(principal, body, client, auditId, result, null, hits, served);
        });
    }

    /**
     * The search's record lists the page it planned; this second record says what was in fact
     * returned — {@code failure}'s status and no reads, or the reads still there — and names the
     * search's audit id. The answer waits for it; if it cannot be written the answer still goes:
     * everything in it is already covered by the search's own, durable record, so the trail
     * over-states what was shown but never omits any of it (logged at ERROR).
     */
    private Future<SearchOutcome> corrected(Principal principal, JsonObject body, ClientAddress client, String auditId,
                                            Result planned, Refusal failure, List<JsonObject> returned,
                                            SearchOutcome answer) {
        List<String> returnedIds = returned.stream().map(h -> h.getString("read_id")).toList();
        String reason = failure != null
                ? "the page of search " + auditId + " could not be fetched (" + failure.reason() + "); no reads were returned"
                : (planned.page().size() - returned.size()) + " of the " + planned.page().size()
                        + " reads recorded for search " + auditId
                        + " were gone (day past retention or hold released) before they were fetched; "
                        + "read_ids lists the reads returned";
        LOG.warn("search {}: {}", auditId, reason);
        return record(entry(CORRECTION, principal, body, client, failure == null ? ALLOWED : failure.outcome(),
                reason, answer.status(), planned.total(), returnedIds, null, Corrections.query(auditId)))
                .map(record -> answer)
                .otherwise(e -> {
                    LOG.error("search {}: the correction record could not be written ({}); the search's record lists {} "
                            + "reads, {} were returned", auditId, e.getMessage(), planned.page().size(), returned.size(), e);
                    return answer;
                });
    }

    /**
     * The search's record could not be made durable, so the search is answered 503 with no reads
     * (fail closed). But its write may have failed after the record's seq was spent — journaled and
     * not indexed, or indexed and not journaled — and then the record is in the trail (the log re-sends
     * it to the copy that lacks it), saying "allowed" with the page's reads. So a {@value #CORRECTION}
     * record, outcome failed, status 503, no reads, follows it before the 503 leaves, written as a
     * record the trail owes ({@link AuditLog#recordOwed}): if the trail cannot take it now, the log
     * keeps it and writes it ahead of the next records. Every other audited route does the same with a
     * {@value Corrections#REQUEST} ({@link Corrections}).
     */
    private Future<SearchOutcome> auditFailed(AuditEntry entry, String auditId, Throwable e) {
        SearchOutcome answer = auditFailed(auditId, e);
        AuditEntry correction = Corrections.ofUnwritten(entry, e, CORRECTION, "search",
                "the search was answered " + answer.status() + " and no reads were returned");
        if (correction == null) return Future.succeededFuture(answer);
        LOG.warn("search {}: {}", auditId, correction.reason());
        return Corrections.owe(auditLog, correction, "search " + auditId).map(v -> answer);
    }

    private Future<AuditRecord> record(AuditEntry entry) {
        try {
            return auditLog.record(entry);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private AuditEntry entry(String action, Principal principal, JsonObject body, ClientAddress client,
                                    String outcome, String reason, int status, int total, List<String> readIds,
                                    String auditId, JsonNode query) {
        return new AuditEntry(action,
                principal == null ? null : principal.user(),
                principal == null ? null : principal.agency(),
                principal == null ? Set.of() : principal.roles(),
                SearchAccessPolicy.recordedPurpose(config.search(), text(value(body, "purpose"))),
                text(value(body, "case_number")),
                query,
                null,
                outcome,
                reason,
                status,
                total,
                readIds,
                auditId).withAuthMethod(principal == null ? null : principal.authMethod()).from(client);
    }

    private static SearchOutcome auditFailed(String auditId, Throwable e) {
        LOG.error("audit write failed for search {}; refusing the request (fail closed)", auditId, e);
        return new SearchOutcome(503, null, new JsonObject()
                .put("error", "the audit trail could not be written, so the search is refused; retry later")
                .putNull("audit_id"), 0);
    }

    private static SearchOutcome refused(Refusal refusal, String auditId) {
        return new SearchOutcome(refusal.status(), auditId,
                new JsonObject().put("error", refusal.reason()).put("audit_id", auditId), refusal.retryAfterSeconds());
    }

    /**
     * A refusal with no record of its own: the answer it would have had, its audit id the summary
     * record's that counts it ({@code summaryId}), with {@code "audit":"counted"}: that record is
     * written when the window closes.
     */
    private static SearchOutcome counted(Refusal refusal, String summaryId) {
        return new SearchOutcome(refusal.status(), summaryId,
                new JsonObject().put("error", refusal.reason()).put("audit_id", summaryId).put("audit", "counted"), refusal.retryAfterSeconds());
    }

    private static SearchOutcome served(Result result, List<JsonObject> hits, String auditId) {
        SearchRequest request = result.request();
        // the window and page size in fact used, defaults included: "total": 0 says where nothing was found
        JsonObject body = new JsonObject()
                .put("audit_id", auditId)
                .put("window", new JsonObject().put("from", request.from().toString()).put("to", request.to().toString()))
                .put("limit", request.limit())
                .put("total", result.total())
                .put("hits", new JsonArray(List.copyOf(hits)))
                .put("next", result.next() == null ? null : result.next().encode(request.queryKey()));
        MissingDaysCheck.Verdict days = result.days();
        if (!days.missing().isEmpty()) {
            body.put("missing_days", new JsonArray(days.missingNames()))
                    .put("warning", "the answer is incomplete: the reads of " + String.join(", ", days.missingNames())
                            + " (UTC) were indexed but their daily index is gone, deleted other than by retention;"
                            + " a plate not found on those days may have been read then. Held copies of those days are still searched");
        } else if (!days.checked()) {
            body.put("warning", "whether a day of the window lost its reads could not be checked; the answer may be incomplete");
        }
        return new SearchOutcome(200, auditId, body, 0);
    }

    private static Refusal refusalFor(Throwable e, String auditId) {
        if (e instanceof TooBroadException) return Refusal.invalid(e.getMessage());
        if (e instanceof SearchDeadline.Passed passed) {
            LOG.warn("search {} failed: {}", auditId, passed.getMessage());
            return Refusal.failed(503, passed.getMessage() + "; retry later");
        }
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

    /**
     * What a request came to before it is audited: a refusal, or a ranked page — its reads in rank
     * order, the documents already in hand ({@link HitFetcher#key}), the total and the next token, and
     * the request it answers.
     */
    private record Result(Refusal refusal, SearchRequest request, int total, List<Candidate> page,
                          Map<String, JsonObject> known, PageToken next, MissingDaysCheck.Verdict days) {
        static Result refused(Refusal refusal) {
            return new Result(refusal, null, 0, List.of(), Map.of(), null, MissingDaysCheck.Verdict.NONE_MISSING);
        }

        static Result planned(SearchRequest request, long total, RankedMatches.Page page, Map<String, JsonObject> known) {
            return new Result(null, request, Math.toIntExact(total), page.hits(), known, page.next(), MissingDaysCheck.Verdict.NONE_MISSING);
        }

        /** The same result, with what it learnt about its window's days ({@link MissingDaysCheck}). */
        Result withDays(MissingDaysCheck.Verdict verdict) {
            return new Result(refusal, request, total, page, known, next, verdict);
        }

        List<String> readIds() {
            return page.stream().map(Candidate::readId).toList();
        }
    }
}
