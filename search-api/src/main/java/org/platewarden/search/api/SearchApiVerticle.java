package org.platewarden.search.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import org.platewarden.core.tls.LiveTls;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.platewarden.core.config.LiveCredentials;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.net.Answers;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.search.audit.AnonymousBudget;
import org.platewarden.search.audit.AuditJournal;
import org.platewarden.search.audit.AuditVocabulary;
import org.platewarden.search.audit.AuditLog;
import org.platewarden.search.audit.AuditVerifier;
import org.platewarden.search.audit.BudgetTallies;
import org.platewarden.search.audit.CanonicalJson;
import org.platewarden.search.audit.EsRest;
import org.platewarden.search.audit.RecordedIds;
import org.platewarden.search.audit.RefusedRecordBudget;
import org.platewarden.search.audit.TallyFile;
import org.platewarden.search.audit.VerifyResult;
import org.platewarden.search.auth.Authenticator;
import org.platewarden.search.auth.ForbiddenException;
import org.platewarden.search.auth.Principal;
import org.platewarden.search.reports.AuditCsv;
import org.platewarden.search.reports.AuditPage;
import org.platewarden.search.reports.AuditQuery;
import org.platewarden.search.reports.AuditReports;
import org.platewarden.search.reports.TransparencyReport;
import org.platewarden.templates.TemplateInstaller;
import org.platewarden.templates.TemplateResources;

/**
 * The search API server (port {@code search.port}, 8081): search, audit reports and verify, holds,
 * transparency, ops, health and metrics. Every authenticated route is audited — including requests
 * refused before they reach a handler (401, 403, 400, 413): the record is written before the
 * response, and if it cannot be written the response is 503 (fail closed). Reads (audit reports,
 * hold list, index views) are recorded after the data is fetched and before it is sent; changes
 * (hold create/release, retention and compaction runs, configuration reloads) are recorded before they are made, once
 * everything that can refuse them without making them has been asked, and a second record naming
 * the first is written if they then fail. A request answered 503 because its record could not be
 * written to both copies of the trail, though it reached one, is followed by a {@code request_correction}
 * naming it ({@link RequestAudit}). Searches are audited by the search
 * service itself once handed over. A request without an authenticated caller past the anonymous
 * budget is answered the same but counted instead of recorded ({@link AnonymousSummaries}): each
 * window's counts are written as one record per client address when it closes, and at {@link #stop},
 * with the audit id the answers named.
 * So is an authenticated caller's refused request past its per-user budget ({@link RefusedSummaries};
 * the search service asks the same budget for the searches it refuses): one record per caller. The
 * counts not yet written are saved to the node's tally file at each tick they changed and at stop
 * ({@link TallySaver}), and taken back at start before the server listens ({@link TallyRestore}), so a
 * crash loses at most the last tick's.
 */
public final class SearchApiVerticle extends VerticleBase {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SearchApiVerticle.class);
    private static final String ROUTE = "pw.route";
    /** where a route's options go, named when it refuses a query string ({@link NoQueryString}) */
    private static final String IN_BODY = "its fields go in the JSON body";
    private static final String NO_OPTIONS = "it takes no options";
    private static final String NO_DRY_RUN = "it takes no options at all (there is no dry run: it changes the cluster)";

    private final PlatewardenConfig config;
    private final ElasticsearchConnection es;
    private final AuditLog auditLog;
    private final SearchHandler search;
    private final HoldsApi holds;
    private final OpsApi ops;
    private final PrometheusMeterRegistry metrics;
    private final AnonymousBudget anonymousBudget;
    private final RefusedRecordBudget refusedBudget;
    private AnonymousSummaries anonymousSummaries;
    private RefusedSummaries refusedSummaries;
    private long summaryTimer;
    /** the tally file's saves and its reading at start: one at a time, off the event loop */
    private WorkerExecutor tallyWorker;
    private TallySaver tallySaver;
    /** set by {@link #dropAtStop}: the stop is a crash's */
    private boolean dropAtStop;
    /** How often the windows of the record budgets are checked for their close (their summaries are written then). */
    static final long SUMMARY_TICK_MILLIS = 1_000;
    private BlockingPool pool;
    private EsRest esRest;
    /**
     * the audit reports', verify's and transparency report's: each request bounded by
     * {@code search.es_request_timeout_ms}, as a search's, so a hung cluster fails them closed (503)
     * instead of after the connection's minute (the holds and ops backends bound theirs alike)
     */
    private EsRest viewRest;
    /** the readiness probe's: its requests bounded by {@link #READY_TIMEOUT_MILLIS} */
    private EsRest readyRest;
    private RequestAudit audit;
    private FailureHandler failures;
    private long warningFlusher;
    private static final long WARNING_FLUSH_MILLIS = 10_000;
    private AuditReports reports;
    private AuditVerifier verifier;
    private TemplateInstaller installer;
    private TransparencyReport transparency;
    private volatile String retentionMechanism = "unknown";
    private HttpServer server;
    /** the agencies, tokens and JWT keys in force ({@link #withCredentials}); the config's unless given */
    private LiveCredentials credentials;

    /**
     * The record budgets are the config's, on the system clock; the search handler's refusals share
     * the refused-request budget only if its service was given the same instance (see the constructor
     * that takes one).
     *
     * @param auditLog this node's audit trail (a started {@code ChainedAuditLog}; the same one the search service uses)
     * @param search   the search service ({@code POST /v1/search})
     * @param holds    the holds endpoints' backend
     * @param ops      the ops endpoints' backend
     * @param metrics  the process's registry, scraped at {@code GET /metrics}
     */
    public SearchApiVerticle(PlatewardenConfig config, ElasticsearchConnection es, AuditLog auditLog, SearchHandler search,
                             HoldsApi holds, OpsApi ops, PrometheusMeterRegistry metrics) {
        this(config, es, auditLog, search, holds, ops, metrics, AnonymousBudget.of(config.search().anonymousRecordsPerMinutePerAddress(),
                config.search().anonymousRecordsPerMinute()));
    }

    /**
     * @param anonymousBudget the budget for individual records of requests without an authenticated
     *                        caller (tests give one on their own clock and window)
     */
    public SearchApiVerticle(PlatewardenConfig config, ElasticsearchConnection es, AuditLog auditLog, SearchHandler search,
                             HoldsApi holds, OpsApi ops, PrometheusMeterRegistry metrics, AnonymousBudget anonymousBudget) {
        this(config, es, auditLog, search, holds, ops, metrics, anonymousBudget,
                RefusedRecordBudget.of(config.search().refusedRecordsPerMinutePerUser()));
    }

    /**
     * @param refusedBudget the budget for individual records of authenticated callers' refused
     *                      requests: the instance the search service behind {@code search} was given,
     *                      so that the searches it refuses share each caller's budget and this server
     *                      writes their summaries (without it, the service records each of its refusals)
     */
    public SearchApiVerticle(PlatewardenConfig config, ElasticsearchConnection es, AuditLog auditLog, SearchHandler search,
                             HoldsApi holds, OpsApi ops, PrometheusMeterRegistry metrics, AnonymousBudget anonymousBudget,
                             RefusedRecordBudget refusedBudget) {
        this.anonymousBudget = anonymousBudget;
        this.refusedBudget = refusedBudget;
        this.config = config;
        this.es = es;
        this.auditLog = auditLog;
        this.search = search;
        this.holds = holds;
        this.ops = ops;
        this.metrics = metrics;
    }

    private LiveTls tls = LiveTls.NONE;

    /**
     * The credentials in force on the node, replaced by a configuration reload; without this call the
     * config's, never reloaded. Before the verticle is deployed.
     */
    public SearchApiVerticle withCredentials(LiveCredentials live) {
        this.credentials = live;
        return this;
    }

    /** The node's TLS certificates, which a reload renews (without this call: the configured files, read once). Before deployment. */
    public SearchApiVerticle withTls(LiveTls tls) {
        this.tls = tls;
        return this;
    }

    /** The port actually bound (useful with {@code search.port = 0}). */
    public int actualPort() {
        return server.actualPort();
    }

    @Override
    public Future<?> start() {
        pool = new BlockingPool(vertx, "search-api-blocking", 2, 16);
        esRest = new EsRest(vertx, es.rest());
        readyRest = esRest.withTimeout(READY_TIMEOUT_MILLIS);
        viewRest = esRest.withTimeout(config.search().esRequestTimeoutMs());
        anonymousSummaries = new AnonymousSummaries(anonymousBudget, auditLog, metrics);
        refusedSummaries = new RefusedSummaries(refusedBudget, auditLog, metrics);
        if (credentials == null) credentials = LiveCredentials.of(config);
        audit = new RequestAudit(auditLog, new Authenticator(vertx, credentials), anonymousSummaries, refusedSummaries,
                new ForwardedFor(config.search().trustedProxyRanges()));
        reports = new AuditReports(viewRest, config.auditIndex(), config.expectedAuditNodes(), pool);
        verifier = new AuditVerifier(es.rest(), config.auditIndex(), AuditJournal.pathFor(config.dataPath(), config.nodeId()), config.nodeId(), 1000,
                config.expectedAuditNodes()).withRequestTimeout(config.search().esRequestTimeoutMs());
        installer = new TemplateInstaller(es.rest(), new TemplateResources(config.indexPrefix(), config.retentionDays()));
        transparency = new TransparencyReport(viewRest, config, credentials, auditLog, metrics, () -> retentionMechanism, Duration.ofSeconds(30), Clock.systemUTC());
        Router router = routes();
        return pool.submit(() -> installer.ilmAvailable() ? "ilm" : "sweeper")
                .onSuccess(m -> retentionMechanism = m)
                .otherwiseEmpty()
                .compose(v -> restoreTallies())
                .compose(v -> listen(vertx, config, tls, metrics, router))
                .onSuccess(s -> server = s)
                .onFailure(e -> {
                    // a failed start is not stopped: nothing may write summaries or save tallies after it,
                    // and its workers go (the node may try the start again, with workers of its own)
                    if (summaryTimer != 0) vertx.cancelTimer(summaryTimer);
                    closeWorkers();
                });
    }

    /**
     * Before the server listens: the counts the tally file kept across a crash go back to the budgets
     * (the audit log was started by the caller, its recovery done: the check of which were written
     * already sees every record), then the tick that writes summaries and saves the tallies starts.
     */
    private Future<Void> restoreTallies() {
        java.nio.file.Path file = TallyFile.pathFor(config.dataPath(), config.nodeId());
        List<BudgetTallies<?>> budgets = List.of(anonymousBudget.tallies(), refusedBudget.tallies());
        tallyWorker = vertx.createSharedWorkerExecutor("platewarden-audit-tallies-" + config.nodeId(), 1);
        return new TallyRestore(budgets, file, tallyWorker, new RecordedIds(esRest, config.auditIndex())).restore().map(fileBehind -> {
            tallySaver = new TallySaver(budgets, file, config.nodeId(), tallyWorker, metrics, fileBehind);
            // a closed window's summaries are written within a tick of its end; what is left unwritten is saved
            summaryTimer = vertx.setPeriodic(SUMMARY_TICK_MILLIS, id -> {
                anonymousSummaries.flush(false);
                refusedSummaries.flush(false);
                tallySaver.saveIfChanged();
            });
            return null;
        });
    }

    /**
     * Tests of crash recovery: the next {@link #stop} drops everything as a kill would — the server
     * closes at once, no summary is written and no tally saved — but for waiting for a save under way,
     * so that the test knows the file it then looks at is whole and final.
     */
    void dropAtStop() {
        dropAtStop = true;
    }

    /**
     * HTTPS when the search config names a certificate and key; an idle timeout, and (an
     * {@link org.platewarden.core.net.HttpConnectionGuard}) a header deadline and a per-address cap,
     * so connections that never finish a request cannot exhaust the process's open files. A request
     * Vert.x cannot decode (a request line or headers over their limits: 414, 431) is answered before
     * any route, unaudited like a 404: in the error shape, not with Vert.x's empty body. The
     * {@link SearchApiStandIn} listens the same way, so the two can share the port.
     */
    static Future<HttpServer> listen(Vertx vertx, PlatewardenConfig config, LiveTls tls, PrometheusMeterRegistry metrics, Router router) {
        io.vertx.core.http.HttpServerOptions options = org.platewarden.core.net.HttpConnectionGuard.options(
                new io.vertx.core.http.HttpServerOptions(), config.search().httpIdleTimeoutSeconds());
        if (config.search().tls()) {
            // the node's live pair, which a reload renews; both servers on the port must serve the same
            options.setSsl(true).setKeyCertOptions(tls.keyCertOptions(LiveTls.SEARCH, config.search().tlsCertPath(), config.search().tlsKeyPath()));
        }
        org.platewarden.core.net.HttpConnectionGuard guard = new org.platewarden.core.net.HttpConnectionGuard(vertx, "search",
                config.search().maxConnectionsPerAddress(), config.search().httpHeaderTimeoutSeconds(), metrics);
        return guard.install(vertx.createHttpServer(options), router, org.platewarden.core.net.InvalidRequests.json(
                        options, "application/json; charset=utf-8", (status, code, message) -> new JsonObject().put("error", message).put("status", status)))
                .listen(config.search().port(), config.search().host());
    }

    /**
     * Stops taking requests, then writes the summaries of the anonymous budget's current window (and
     * any not yet written) — before the audit log closes, which its owner does after undeploying this.
     */
    @Override
    public Future<?> stop() {
        if (warningFlusher != 0) vertx.cancelTimer(warningFlusher);
        if (summaryTimer != 0) vertx.cancelTimer(summaryTimer);
        if (dropAtStop) {
            Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
            return closed.transform(ar -> tallySaver == null ? Future.succeededFuture() : tallySaver.underWay()).andThen(ar -> closeWorkers());
        }
        if (failures != null) failures.flushWarnings(true);
        // a search or hold change under way is answered (its audit record is written already, or
        // is being written) rather than cut off; new connections are refused at once. Then the
        // windows of requests counted over the record budgets are written as summaries.
        Future<Void> closed = server == null ? Future.succeededFuture() : server.shutdown(Duration.ofSeconds(config.shutdownGraceSeconds()));
        // then what could not be written is saved, to be written at the next start (a start whose
        // restore failed has no saver, and leaves the file it could not restore as it is)
        return closed
                .transform(ar -> Future.join(anonymousSummaries.flushAtShutdown(), refusedSummaries.flushAtShutdown()))
                .transform(ar -> tallySaver == null ? Future.succeededFuture() : tallySaver.saveAtShutdown())
                .andThen(ar -> closeWorkers());
    }

    private void closeWorkers() {
        pool.close();
        if (tallyWorker != null) tallyWorker.close();
    }

    private Router routes() {
        Router router = Router.router(vertx);
        router.route().handler(this::countRequests);
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.search().httpBodyLimitBytes());
        Set<String> searchers = Set.of("investigator", "supervisor");

        // where each route's options go, for the 400 that refuses a query string (NoQueryString);
        // null: GET /v1/audit, whose handler reads its query parameters and refuses the ones it does not know
        protect(router, HttpMethod.POST, "/v1/search", "search", body, searchers, IN_BODY, this::search);
        protect(router, HttpMethod.GET, "/v1/audit", "audit_read", null, Set.of("auditor"), null, this::auditReport);
        protect(router, HttpMethod.GET, "/v1/audit/verify", "audit_verify", null, Set.of("auditor"), NO_OPTIONS, this::auditVerify);
        HoldRoutes holdRoutes = new HoldRoutes(holds, audit, config.search());
        protect(router, HttpMethod.POST, "/v1/holds", "hold_create", body, Set.of("supervisor"), IN_BODY, holdRoutes::create);
        // an auditor checks that retention is honoured, and holds are its one exception: every agency's, read-only
        protect(router, HttpMethod.GET, "/v1/holds", "hold_list", null, Set.of("supervisor", "auditor"), NO_OPTIONS, holdRoutes::list);
        // the path parameter's name is the field every record of a hold carries (query.hold_id),
        // also the records of requests refused before the handler (RequestAudit.requestDescription)
        protect(router, HttpMethod.DELETE, "/v1/holds/:hold_id", "hold_release", body, Set.of("supervisor"),
                "its one option, a reason, goes in the JSON body (there is no dry run: a release deletes the held copies)",
                holdRoutes::findHold, holdRoutes::release);
        protect(router, HttpMethod.POST, "/v1/holds/:hold_id/extend", "hold_extend", body, Set.of("supervisor"), IN_BODY,
                holdRoutes::findHold, holdRoutes::extend);
        protect(router, HttpMethod.GET, "/v1/ops/indices", "ops_indices", null, Set.of("ops"), NO_OPTIONS, this::opsIndices);
        protect(router, HttpMethod.POST, "/v1/ops/retention/run", "retention_run", body, Set.of("ops"), NO_DRY_RUN, this::retentionRun);
        protect(router, HttpMethod.POST, "/v1/ops/compaction/run", "compaction_run", body, Set.of("ops"), NO_DRY_RUN, this::compactionRun);
        protect(router, HttpMethod.POST, "/v1/ops/config/reload", ConfigReloadRoute.ACTION, body, Set.of("ops"), ConfigReloadRoute.OPTIONS,
                new ConfigReloadRoute(ops, audit)::reload);
        // the public routes take HEAD as well as GET (RFC 9110 9.1; load balancers probe with HEAD):
        // the same status and headers, no body. They change nothing and answer everyone alike, so a
        // query string (a probe's or a browser's cache-buster) is ignored there. The audited GETs
        // take no HEAD (405, Allow: GET): a HEAD would cost a record of a read whose data is never sent.
        publicGet(router, "/v1/transparency").handler(this::transparency);
        publicGet(router, "/health/live").handler(ctx -> Responses.json(ctx, 200, new JsonObject().put("status", "up")));
        publicGet(router, "/health/ready").handler(this::ready);
        publicGet(router, "/metrics").handler(ctx -> Responses.text(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));

        failures = new FailureHandler(audit, config.search().httpBodyLimitBytes());
        router.route().failureHandler(failures);
        // the last interval of a flood's left-out warnings is logged even if no warning follows it
        warningFlusher = vertx.setPeriodic(WARNING_FLUSH_MILLIS, id -> failures.flushWarnings(false));
        router.errorHandler(404, ctx -> Responses.error(ctx, 404, "no such resource", null, null));
        // the router's 400 before any route, for a path it cannot decode: JSON like every error (it was a text "Bad Request")
        router.errorHandler(400, ctx -> Responses.error(ctx, 400, "the request's path cannot be decoded (a % must be followed by two hex digits)",
                null, null));
        // Vert.x sets Allow only on the 405 it writes itself; a 405 must name the methods the path takes
        org.platewarden.core.net.AllowedMethods allowed = new org.platewarden.core.net.AllowedMethods();
        for (io.vertx.ext.web.Route route : router.getRoutes()) {
            if (route.getPath() != null && route.methods() != null) allowed.add(route.getPath(), route.methods().stream().map(HttpMethod::name).toList());
        }
        router.errorHandler(405, ctx -> {
            String allow = allowed.allowFor(ctx.normalizedPath());
            if (allow != null) ctx.response().putHeader(io.vertx.core.http.HttpHeaders.ALLOW, allow);
            Responses.error(ctx, 405, "method not allowed" + (allow == null ? "" : "; allowed: " + allow), null, null);
        });
        return router;
    }

    /**
     * An authenticated, audited route. The tag (action, metrics label) sits on its own route in
     * front, so that a request the body handler refuses (413) is still known and audited.
     */
    private void protect(Router router, HttpMethod method, String path, String action, BodyHandler body, Set<String> roles,
                         String options, io.vertx.core.Handler<RoutingContext> handler) {
        protect(router, method, path, action, body, roles, options, null, handler);
    }

    /**
     * @param options   where the route's options go ({@link NoQueryString}: a query string is refused);
     *                  null when its handler reads the query parameters and refuses those it does not know
     * @param afterRole run once the caller's role is checked and before its body is: what every record of the request should carry
     */
    private void protect(Router router, HttpMethod method, String path, String action, BodyHandler body, Set<String> roles,
                         String options, io.vertx.core.Handler<RoutingContext> afterRole, io.vertx.core.Handler<RoutingContext> handler) {
        // an action auditors cannot filter on (GET /v1/audit refuses values outside the vocabulary)
        // would hide its records from them: fail at start-up, and so in every test
        if (action != null && !AuditVocabulary.ACTIONS.contains(action)) {
            throw new IllegalStateException("audit action '" + action + "' is not in AuditVocabulary.ACTIONS");
        }
        String name = method.name() + " " + path.replaceAll(":(\\w+)", "{$1}");
        router.route(method, path).handler(tag(action, name));
        Route route = router.route(method, path);
        if (body != null) route.handler(body);
        route.handler(requireRole(roles));
        if (afterRole != null) route.handler(afterRole);
        // before anything is done, as a 400 for the body is: a 401 or 403 comes first, and a release's
        // or extension's hold is looked up (its case number goes on the record) but not touched
        if (options != null) route.handler(new NoQueryString(name, options));
        // after authentication, as an unparseable body is refused: a 401 or 403 comes first
        if (body != null) route.handler(SearchApiVerticle::refuseNonStrictJson);
        route.handler(handler);
    }

    /** A body whose keys repeat, or that is not strict JSON, is a 400 on every route that takes one (see {@link StrictJsonBody}). */
    private static void refuseNonStrictJson(RoutingContext ctx) {
        StrictJsonBody.Refusal refusal = StrictJsonBody.refusal(ctx.body().buffer());
        if (refusal == null) {
            ctx.next();
            return;
        }
        if (refusal.unparseable()) ctx.put(RequestAudit.UNPARSEABLE, true);
        ctx.fail(new IllegalArgumentException(refusal.message()));
    }

    /** A public, unaudited route that answers GET and HEAD alike (Vert.x sends a HEAD's answer without its body). */
    private Route publicGet(Router router, String path) {
        return router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(tag(null, "GET " + path));
    }

    private io.vertx.core.Handler<RoutingContext> tag(String action, String route) {
        return ctx -> {
            ctx.put(ROUTE, route);
            if (action != null) ctx.put(RequestAudit.ACTION, action);
            ctx.next();
        };
    }

    private io.vertx.core.Handler<RoutingContext> requireRole(Set<String> roles) {
        return ctx -> Answers.proceed(ctx, audit.authenticator().authenticate(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
                .map(p -> {
                    ctx.put(RequestAudit.PRINCIPAL, p);
                    if (roles.stream().noneMatch(p::hasRole)) {
                        throw new ForbiddenException("this needs one of the roles " + String.join(", ", roles.stream().sorted().toList()));
                    }
                    return p;
                }));
    }

    private void countRequests(RoutingContext ctx) {
        ctx.addEndHandler(ar -> metrics.counter("platewarden_search_api_requests",
                "route", ctx.get(ROUTE) == null ? "unmatched" : ctx.<String>get(ROUTE),
                "status", Integer.toString(ctx.response().getStatusCode())).increment());
        ctx.next();
    }

    // --- search

    private void search(RoutingContext ctx) {
        JsonObject body = jsonObjectBody(ctx);
        Principal principal = ctx.get(RequestAudit.PRINCIPAL);
        ctx.put(RequestAudit.AUDITED, true); // from here on the search service audits every outcome
        // a throw while the answer is written is a 500, and the search's record is corrected (FailureHandler)
        Answers.answer(ctx, search.search(principal, body, audit.client(ctx)), SearchApiVerticle::answerSearch);
    }

    private static void answerSearch(RoutingContext ctx, SearchResponse r) {
        if (r.status() == 429 || r.status() == 503) {
            long retry = r.retryAfterSeconds() > 0 ? r.retryAfterSeconds()
                    : r.body() == null ? 0 : r.body().getLong("retry_after_seconds", 0L);
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retry > 0 ? retry : r.status() == 429 ? 60 : 1));
        }
        Responses.json(ctx, r.status(), r.body() == null ? new JsonObject() : r.body());
    }

    // --- audit

    /** Whether the caller's agency oversees the whole system ({@code agencies[].oversight}): its auditors read every agency's records and holds. */
    private boolean oversees(Principal principal) {
        return principal != null && credentials.current().oversees(principal.agency());
    }

    private void auditReport(RoutingContext ctx) {
        ctx.put(RequestAudit.QUERY_IS_FILTER, true);
        AuditQuery asked = AuditQuery.fromParams(ctx.queryParams(), config.search(), credentials.current().agencies().stream().map(a -> a.id()).toList());
        Principal auditor = ctx.get(RequestAudit.PRINCIPAL);
        AuditQuery query;
        try {
            query = oversees(auditor) ? asked : asked.scopedTo(auditor.agency());
        } catch (SecurityException e) {
            ctx.put(RequestAudit.QUERY, asked.describe());
            throw new ForbiddenException(e.getMessage());
        }
        ctx.put(RequestAudit.QUERY, query.describe());
        // a failure while the page is written is a 500 with its error_id, and the record is corrected (Answers, FailureHandler)
        Answers.answer(ctx, reports.page(query)
                .compose(page -> audit.recordAllowed(ctx, 200, query.describe(), page.records().size()).map(page)),
                (c, page) -> answerPage(c, query, page));
    }

    /** The page as CSV or JSON. */
    private static void answerPage(RoutingContext ctx, AuditQuery query, AuditPage page) {
        if (query.format().equals("csv")) {
            if (page.next() != null) ctx.response().putHeader("X-Next-Cursor", page.next());
            ctx.response().putHeader("X-Audit-Integrity", page.integrityHeader());
            Responses.auditHeader(ctx, ctx.get(RequestAudit.ANSWER_AUDIT_ID));
            ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/csv; charset=utf-8")
                    .putHeader("Content-Disposition", "attachment; filename=\"audit.csv\"")
                    .end(AuditCsv.render(page.records()));
        } else {
            Responses.json(ctx, 200, page.toJson());
        }
    }

    /**
     * The verify under way, if any: concurrent requests share it rather than each reading the whole
     * trail at once (18 at once ran the REST client out of memory and wedged the node), and it takes
     * one thread of the blocking pool, not all of them. Touched on this verticle's event loop only.
     */
    private Future<VerifyResult> verifyUnderWay;

    private Future<VerifyResult> sharedVerify() {
        if (verifyUnderWay == null) {
            Future<VerifyResult> started = pool.submit(verifier::verify);
            verifyUnderWay = started;
            started.onComplete(ar -> verifyUnderWay = null);
        }
        return verifyUnderWay;
    }

    /**
     * Verify's answer for this caller: the whole of it for an auditor of the oversight agency, who
     * reads every agency's records; for any other auditor, the problems of its own agency's records
     * only, the rest as a count ({@link VerifyResult#scopedTo}), as the audit report scopes records.
     */
    private VerifyResult forCaller(RoutingContext ctx, VerifyResult result) {
        Principal auditor = ctx.get(RequestAudit.PRINCIPAL);
        return oversees(auditor) ? result : result.scopedTo(auditor == null ? null : auditor.agency());
    }

    private void auditVerify(RoutingContext ctx) {
        // the record's reason says what the answer says, no more: it is the caller's agency's to read
        Answers.answer(ctx, sharedVerify().map(result -> forCaller(ctx, result))
                .compose(result -> audit.recordAllowed(ctx, 200, CanonicalJson.MAPPER.createObjectNode(), (int) result.records(), summary(result)).map(result)),
                (c, result) -> {
                    // the v1 contract's body, {"ok":true,"records":n} or the first broken record: the
                    // verify's own record is named in X-Audit-Id, the chain heads are in /v1/transparency
                    // (audit_heads) and the CLI's verify
                    ObjectNode body = result.toJson();
                    body.remove("heads");
                    Responses.auditHeader(c, c.get(RequestAudit.ANSWER_AUDIT_ID));
                    c.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8").end(body.toString());
                });
    }

    private static String summary(VerifyResult result) {
        // a node the index holds no record of is in the answer, ok or not: in its record too
        String silent = result.nodesWithoutRecords().isEmpty() ? "" : "; no record in the index of node(s) " + String.join(", ", result.nodesWithoutRecords());
        if (result.ok()) return "chain intact" + silent;
        VerifyResult.Broken b = result.firstBroken();
        int others = Math.max(0, result.problemsOfOtherAgencies());
        if (b == null) return "chain broken: " + others + " problem(s) of other agencies' records" + silent;
        int more = result.problems().size() - 1;
        return "chain broken at node " + b.nodeId() + " seq " + b.seq() + ": " + b.problem() + " (" + b.copy() + ")"
                + (more > 0 ? "; " + more + " more problem(s)" : "") + (others > 0 ? "; " + others + " of other agencies' records" : "") + silent;
    }

    // --- ops

    private void opsIndices(RoutingContext ctx) {
        Answers.answer(ctx, ops.indices().compose(list -> audit.recordAllowed(ctx, 200, null, list.size()).map(list)),
                (c, list) -> Responses.json(c, 200, new JsonObject().put("indices", list)));
    }

    private void retentionRun(RoutingContext ctx) {
        takesNoOptions(ctx);
        Answers.answer(ctx, audit.recordIntent(ctx, 200, null).compose(v -> ops.runRetention()), Responses::json200);
    }

    private void compactionRun(RoutingContext ctx) {
        takesNoOptions(ctx);
        Answers.answer(ctx, audit.recordIntent(ctx, 200, null).compose(v -> ops.runCompaction()), Responses::json200);
    }

    /**
     * An ops run has no options: a body that asks for one ({@code {"dry_run":true}}) is refused
     * (400, audited as invalid) instead of ignored, or an operator expecting a dry run would delete.
     */
    private static void takesNoOptions(RoutingContext ctx) {
        Buffer body = ctx.body() == null ? null : ctx.body().buffer();
        if (body == null || body.toString().isBlank()) return;
        JsonObject options = jsonObjectBody(ctx);
        if (!options.isEmpty()) {
            throw new IllegalArgumentException(ctx.request().path() + " takes no options (there is no dry run: it changes the cluster); got "
                    + String.join(", ", new java.util.TreeSet<>(options.fieldNames())));
        }
    }

    // --- public

    private void transparency(RoutingContext ctx) {
        // Elasticsearch down or failing: a 503 to retry, as for a search, not an "internal error" (FailureHandler)
        Answers.answer(ctx, transparency.current(), Responses::json200);
    }

    private static List<String> templateNames(JsonNode answer) {
        List<String> names = new java.util.ArrayList<>();
        answer.path("index_templates").forEach(t -> names.add(t.path("name").asText()));
        return names;
    }

    /**
     * Ready: Elasticsearch answers, the templates are installed, and the audit trail takes records
     * (nothing in {@link AuditLog#writeProblem}: its journal's writes are not failing or hanging, its
     * index's not failing, no record it owes is waiting) — without all three every audited request fails. Not ready says why
     * ({@code reason}). The two Elasticsearch requests run at once, each waiting at most
     * {@value #READY_TIMEOUT_MILLIS} ms, so a cluster that stopped answering makes the probe answer
     * 503 within that instead of after the connection's minute; the audit trail's state is read,
     * nothing is written. Asked without the blocking pool, so a pool busy with verifies or reports
     * does not make the node look broken to a load balancer.
     */
    private void ready(RoutingContext ctx) {
        String prefix = config.indexPrefix();
        List<String> templates = List.of(prefix + "-reads", prefix + "-audit", prefix + "-holds");
        Future<JsonNode> health = readyRest.call("GET", "/_cluster/health", null);
        Future<JsonNode> installed = readyRest.call("GET", "/_index_template/" + prefix + "-*", null);
        // both answered or failed (join waits for both); each one's failure is a reason below
        Answers.answer(ctx, Future.join(health, installed).otherwiseEmpty(), (c, done) -> {
            List<String> reasons = new java.util.ArrayList<>(3);
            boolean esUp = health.succeeded();
            if (!esUp) reasons.add(notAnswering(health.cause(), "GET /_cluster/health"));
            boolean templatesOk = esUp && installed.succeeded() && templateNames(installed.result()).containsAll(templates);
            if (esUp && !templatesOk) {
                reasons.add(installed.failed() ? notAnswering(installed.cause(), "GET /_index_template")
                        : "the index templates " + String.join(", ", templates) + " are not all installed");
            }
            String auditProblem = auditLog.writeProblem();
            if (auditProblem != null) reasons.add(auditProblem);
            boolean ok = reasons.isEmpty();
            JsonObject body = new JsonObject().put("status", ok ? "ready" : "not_ready")
                    .put("elasticsearch", esUp).put("templates_installed", templatesOk).put("audit_trail", auditProblem == null);
            if (!ok) body.put("reason", String.join("; ", reasons));
            Responses.json(c, ok ? 200 : 503, body);
        });
    }

    /** How long each of the readiness probe's Elasticsearch requests waits for a connection and an answer. */
    static final int READY_TIMEOUT_MILLIS = 2_000;

    private static String notAnswering(Throwable failure, String request) {
        if (failure instanceof EsRest.EsTimeoutException) {
            return "Elasticsearch not answering within " + READY_TIMEOUT_MILLIS + " ms (" + request + ")";
        }
        if (failure instanceof EsRest.EsException e) return "Elasticsearch answered " + e.status() + " to " + request;
        return "Elasticsearch not reachable (" + request + ": " + failure + ")";
    }

    /**
     * The request body as a JSON object, or an IllegalArgumentException (400, audited as invalid).
     * Its route has refused a body that repeats a key or is not strict JSON already ({@link StrictJsonBody}).
     */
    static JsonObject jsonObjectBody(RoutingContext ctx) {
        Buffer buffer = ctx.body().buffer();
        if (buffer == null || buffer.length() == 0) throw new IllegalArgumentException("request body must be a JSON object");
        Object value;
        try {
            value = Json.decodeValue(buffer);
        } catch (DecodeException e) {
            ctx.put(RequestAudit.UNPARSEABLE, true);
            throw new IllegalArgumentException(StrictJsonBody.NOT_JSON);
        }
        if (value instanceof JsonObject o) return o;
        if (value instanceof java.util.Map<?, ?> m) return new JsonObject(new java.util.LinkedHashMap<>(castMap(m)));
        throw new IllegalArgumentException("request body must be a JSON object");
    }

    @SuppressWarnings("unchecked")
    private static java.util.Map<String, Object> castMap(java.util.Map<?, ?> m) {
        return (java.util.Map<String, Object>) m;
    }

    static ObjectNode toJackson(JsonObject json) {
        JsonNode node = CanonicalJson.parse(json.encode());
        return (ObjectNode) node;
    }
}
