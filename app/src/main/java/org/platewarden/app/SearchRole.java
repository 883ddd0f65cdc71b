package org.platewarden.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import org.platewarden.core.tls.LiveTls;
import java.util.concurrent.TimeUnit;
import org.platewarden.core.config.AgencyScope;
import org.platewarden.core.config.LiveCredentials;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.indexer.compaction.DailyIndexCompactor;
import org.platewarden.indexer.holds.HoldService;
import org.platewarden.indexer.days.ReadDaysMissingGauge;
import org.platewarden.indexer.ops.IndexViews;
import org.platewarden.indexer.retention.RetentionSweeper;
import org.platewarden.search.api.SearchApiVerticle;
import org.platewarden.search.api.SearchResponse;
import org.platewarden.search.audit.AnonymousBudget;
import org.platewarden.search.audit.ChainedAuditLog;
import org.platewarden.search.audit.RefusedRecordBudget;
import org.platewarden.search.query.SearchService;
import org.platewarden.templates.InstallReport;

/**
 * The search role: one audit chain shared by the search service and the API server (so every
 * outcome lands in the same chain), plus the holds and ops backends from the indexer module, and
 * the release of holds whose until date passed ({@link HoldExpiry}, audited in the same chain).
 */
final class SearchRole implements AutoCloseable {
    private final SearchApiVerticle verticle;
    private final ChainedAuditLog auditLog;
    private final RetentionSweeper sweeper;
    private final DailyIndexCompactor compactor;
    private final HoldExpiry holdExpiry;
    private NodeIdLease lease;

    private SearchRole(SearchApiVerticle verticle, ChainedAuditLog auditLog, RetentionSweeper sweeper,
                       DailyIndexCompactor compactor, HoldExpiry holdExpiry) {
        this.verticle = verticle;
        this.auditLog = auditLog;
        this.sweeper = sweeper;
        this.compactor = compactor;
        this.holdExpiry = holdExpiry;
    }

    /**
     * @param credentials the agencies, tokens and JWT keys in force on the node (a reload replaces them)
     * @param tls         the certificates the node's TLS listeners serve (a reload renews them)
     * @param reloader    the node's reload, for {@code POST /v1/ops/config/reload}
     */
    static SearchRole deploy(Vertx vertx, PlatewardenConfig config, ElasticsearchConnection es, InstallReport templates,
                             PrometheusMeterRegistry registry, LiveCredentials credentials, LiveTls tls, ConfigReloader reloader) throws Exception {
        // before the trail opens: its recovery would take a live namesake's chain into this node's journal
        NodeIdLease lease = NodeIdLease.acquire(es.rest(), config);
        ChainedAuditLog auditLog;
        try {
            AuditNodesCheck.require(es.rest(), config, Clock.systemUTC());
            auditLog = ChainedAuditLog.open(vertx, config, es.rest(), registry)
                    .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            lease.close();
            throw e;
        }
        try {
            SearchRole role = deploy(vertx, config, es, templates, registry, auditLog, credentials, tls, reloader);
            role.lease = lease;
            return role;
        } catch (Exception e) {
            // the node may run on without this role (its gateway): the journal and its lock are let go, and the lease
            auditLog.close();
            lease.close();
            throw e;
        }
    }

    private static SearchRole deploy(Vertx vertx, PlatewardenConfig config, ElasticsearchConnection es, InstallReport templates,
                                     PrometheusMeterRegistry registry, ChainedAuditLog auditLog, LiveCredentials credentials,
                                     LiveTls tls, ConfigReloader reloader) throws Exception {
        // one budget for authenticated callers' refused requests: the search service asks it for the
        // searches it refuses, the API server for every other refusal, and writes its summaries
        RefusedRecordBudget refusedRecords = RefusedRecordBudget.of(config.search().refusedRecordsPerMinutePerUser());
        AgencyScope scope = new AgencyScope(credentials);
        SearchService service = new SearchService(vertx, config, es, auditLog, registry, refusedRecords, scope);
        Context context = vertx.getOrCreateContext();
        // the holds and ops views answer on 8081: each of their Elasticsearch calls is bounded as a search's
        // request is, so a hung cluster fails them closed (503) within it; ops runs keep their own, longer timeouts
        Duration requestTimeout = Duration.ofMillis(config.search().esRequestTimeoutMs());
        HoldService holds = new HoldService(es.rest(), config.indexPrefix(), scope, config.retentionDays(), config.holdMaxDays(),
                Clock.systemUTC(), requestTimeout);
        RetentionSweeper sweeper = new RetentionSweeper(es.rest(), config.indexPrefix(), config.retentionDays(),
                templates.retention(), Clock.systemUTC(), ReadDaysMissingGauge.on(registry));
        // on demand only (POST /v1/ops/compaction/run); the indexer role runs the schedule
        DailyIndexCompactor compactor = new DailyIndexCompactor(es.rest(), config.indexPrefix(), config.retentionDays(),
                config.indexer().compaction(), Clock.systemUTC(), registry);
        IndexViews views = new IndexViews(es.rest(), config.indexPrefix(), config.retentionDays(), templates.retention(), requestTimeout)
                .countingMissingDays(ReadDaysMissingGauge.on(registry));
        HoldExpiry holdExpiry = new HoldExpiry(vertx, holds, auditLog, config.nodeId());
        SearchApiVerticle verticle = new SearchApiVerticle(config, es, auditLog,
                (p, body, addr) -> service.search(p, body, addr)
                        .map(o -> new SearchResponse(o.status(), o.body(), o.retryAfterSeconds())),
                new IndexerHoldsApi(holds, context, agency -> credentials.current().oversees(agency)),
                new IndexerOpsApi(views, sweeper, compactor, context, holdExpiry::runOnce, reloader::prepare), registry,
                AnonymousBudget.of(config.search().anonymousRecordsPerMinutePerAddress(), config.search().anonymousRecordsPerMinute()),
                refusedRecords).withCredentials(credentials).withTls(tls);
        SearchRole role = new SearchRole(verticle, auditLog, sweeper, compactor, holdExpiry);
        try {
            vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the workers go too (the journal with them, by the caller): the node may try again
            role.closeWorkers();
            throw e;
        }
        holdExpiry.start(Duration.ofSeconds(config.indexer().sweeperIntervalSeconds()));
        return role;
    }

    int port() {
        return verticle.actualPort();
    }

    /** The role's audit trail: a reload by signal is recorded in it. */
    ChainedAuditLog auditLog() {
        return auditLog;
    }

    @Override
    public void close() {
        closeWorkers();
        auditLog.close();
        // last: the chain is closed, another node may take this node id from now on
        if (lease != null) lease.close();
    }

    /** All but the audit trail: the hold releases' timer, the sweeper's and compactor's workers. */
    private void closeWorkers() {
        holdExpiry.close();
        sweeper.close();
        compactor.close();
    }
}
