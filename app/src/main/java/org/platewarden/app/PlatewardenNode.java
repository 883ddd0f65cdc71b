package org.platewarden.app;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.platewarden.core.log.FatalErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.platewarden.core.tls.CertificateExpiryWatch;
import org.platewarden.core.tls.LiveTls;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.platewarden.core.config.ConfigException;
import org.platewarden.core.config.LiveCredentials;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.io.LockFile;
import org.platewarden.core.io.PrivateDirectory;
import org.platewarden.core.net.FreePort;
import org.platewarden.core.net.PlatewardenVertx;
import org.platewarden.core.retention.LocalFileRetention;
import org.platewarden.core.spool.SegmentedSpool;
import org.platewarden.core.spool.Spool;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.gateway.GatewayListeners;
import org.platewarden.gateway.GatewayVerticle;
import org.platewarden.gateway.metrics.GatewayMetrics;
import org.platewarden.search.api.SearchApiStandIn;
import org.platewarden.templates.InstallReport;
import org.platewarden.templates.TemplateInstaller;
import org.platewarden.templates.TemplateResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Platewarden process: the requested roles on one Vert.x instance sharing one metrics
 * registry, and the Elasticsearch they use (embedded or {@code ES_URL}). The gateway needs no
 * Elasticsearch: {@link #open} opens its ports as soon as the spool is open, and a gateway-only node
 * neither starts nor waits for one (an indexer ships its spool). The roles that need it
 * — the indexer (templates installed, then bulk) and the search API (templates, the audit trail's
 * recovery) — start on a thread of their own once it answers ({@link ElasticsearchWait}), the
 * embedded node having been launched after the gateway; until then port 8081 is held by a
 * {@link SearchApiStandIn} whose {@code /health/ready} says what the node waits for. On a node with
 * the gateway, a start of theirs that fails once Elasticsearch answers is tried again after a
 * back-off, each attempt from a clean slate ({@link RoleStartRetry}, {@link RoleStartScope}), and so
 * is a start of the embedded node that fails before it ever answered.
 * {@link #close()} stops that wait (or the start under way) and undoes the rest in reverse.
 */
public final class PlatewardenNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlatewardenNode.class);
    /** How long a stop waits for a role being deployed (each step is bounded by its own 60 s wait). */
    private static final long STARTER_JOIN_MILLIS = 150_000;

    private final PlatewardenConfig config;
    /** reads the configuration again as the node did at start, for a reload ({@link #reloader()}) */
    private final java.util.function.Supplier<PlatewardenConfig> configSource;
    /** the agencies, cameras, tokens and JWT keys in force: the config's until a reload replaces them */
    private final LiveCredentials credentials;
    private ConfigReloader reloader;
    /** the certificates the node's TLS listeners serve, renewed by a reload; read at {@link #open} */
    private LiveTls tls = LiveTls.NONE;
    private final Set<Role> roles;
    /** null on a gateway-only node, which uses no Elasticsearch */
    private final ElasticsearchProvider elasticsearch;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final CompletableFuture<Void> elasticsearchRoles = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private int embeddedEsPort;
    private ElasticsearchConnection connection;
    private Vertx vertx;
    private Spool spool;
    private DeadLetterStore deadLetters;
    private GatewayVerticle gateway;
    private SearchApiStandIn standIn;
    private String standInId;
    /** the gateway's deployments (one per event loop), to name the role in the stop's log lines */
    private Set<String> gatewayDeployments = Set.of();
    /** the config the search API and its stand-in run with: a configured port 0 made concrete, so that they share it */
    private PlatewardenConfig searchConfig;

    // --- set by the thread that starts the roles needing Elasticsearch ---
    private volatile InstallReport templates;
    private volatile SearchRole search;
    private volatile ElasticsearchWait wait;
    /** what that thread does now, for readiness ({@link #startState}) */
    private volatile String phase = "not started";
    /** when the roles needing Elasticsearch began to wait for it; 0 once they run, and on a gateway-only node */
    private volatile long waitingSinceMillis;
    /** set when their start failed for good: {@link #couldNotStart()} */
    private volatile String couldNotStart;
    /** the indexer's deployment once it runs: a retried start leaves it running and starts only what does not */
    private volatile String indexerDeployment;
    /** the role being started now, for the failure counter */
    private volatile Role starting;
    /** a failed start, retried on a node with the gateway */
    private RoleStartRetry retry;

    private final Object startLock = new Object();
    /** set by {@link #close()} under startLock: the thread starts nothing more */
    private volatile boolean stopping;
    /** guarded by startLock: the thread waits for Elasticsearch, and a stop may interrupt it */
    private boolean interruptible;
    private Thread starter;

    /** A node whose configuration cannot be reloaded (a reload is refused, saying so): tests. */
    public PlatewardenNode(PlatewardenConfig config, Set<Role> roles) {
        this(config, roles, () -> {
            throw new ConfigException(List.of("this node was started without a configuration file to read again"));
        });
    }

    /**
     * @param configSource reads the configuration again as {@code config} was read (the same file,
     *                     flags and overrides): a reload ({@code SIGHUP}, {@code POST /v1/ops/config/reload}) calls it
     */
    public PlatewardenNode(PlatewardenConfig config, Set<Role> roles, java.util.function.Supplier<PlatewardenConfig> configSource) {
        this.config = config;
        this.configSource = configSource;
        this.credentials = LiveCredentials.of(config);
        this.roles = roles;
        this.elasticsearch = needsElasticsearch(roles) ? new ElasticsearchProvider() : null;
        // heap, GC, threads and CPU next to the product metrics, so ops see memory on the same scrape
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        closeables.add(gc);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        Gauge.builder("platewarden.node.elasticsearch.wait", this, PlatewardenNode::waitSeconds).baseUnit("seconds")
                .description("how long the roles that need Elasticsearch (indexer, search API) have waited for it to answer at start-up; 0 once they run")
                .register(registry);
        this.retry = new RoleStartRetry(registry, roles, RoleStartRetry.FIRST_DELAY_MS, RoleStartRetry.MAX_DELAY_MS);
    }

    /** Tests: another back-off between the attempts of a failed start (before {@link #open}). */
    PlatewardenNode roleStartBackoff(long firstMillis, long maxMillis) {
        retry = new RoleStartRetry(registry, roles, firstMillis, maxMillis);
        return this;
    }

    /** Only the indexer and the search API talk to Elasticsearch; the gateway writes the spool, which an indexer ships. */
    private static boolean needsElasticsearch(Set<Role> roles) {
        return roles.contains(Role.INDEXER) || roles.contains(Role.SEARCH);
    }

    /** False on a gateway-only node: it prepares, starts and waits for no Elasticsearch, embedded or not. */
    public boolean usesElasticsearch() {
        return elasticsearch != null;
    }

    /**
     * Starts everything and waits until the roles that need Elasticsearch run (forever, while it
     * does not answer, and while a failed start of theirs is retried on a node with the gateway);
     * {@code envEsUrl} overrides the config's es_url (null: embedded unless configured). A failure
     * that is not retried stops the node and is thrown.
     */
    public PlatewardenNode start(String envEsUrl, int embeddedEsPort) throws Exception {
        open(envEsUrl, embeddedEsPort);
        try {
            elasticsearchRoles.get();
        } catch (ExecutionException e) {
            stop("its start failed: " + describe(e.getCause()));
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        return this;
    }

    /**
     * Opens the spool and the gateway's ports, holds the search port with a stand-in, and starts
     * the roles that need Elasticsearch in the background ({@link #elasticsearchRoles()}). Refuses
     * here what needs no Elasticsearch to refuse: a spool or audit journal another node holds, a
     * port taken, an unusable {@code ES_URL}, the embedded node's port taken or its distribution missing.
     */
    public PlatewardenNode open(String envEsUrl, int embeddedEsPort) throws Exception {
        try {
            Files.createDirectories(config.dataPath());
            // before the embedded Elasticsearch's port is checked or any port bound: a second node on this data dir
            // is told so, not that port 9200 (the first node's Elasticsearch) is in use
            DataDirectoryLocks.requireFree(config, roles);
            if (usesElasticsearch()) {
                connection = new ElasticsearchConnection(elasticsearch.prepare(config, envEsUrl, embeddedEsPort));
                if (elasticsearch.isEmbedded()) {
                    this.embeddedEsPort = embeddedEsPort;
                    FunctionCounter.builder("platewarden.embedded.elasticsearch.restarts", elasticsearch, ElasticsearchProvider::embeddedRestarts)
                            .description("how many times the embedded Elasticsearch was started again after it died (killed, out of memory, a crash)"
                                    + " or failed to start (exited before it answered, could not be launched, hung in its boot)")
                            .register(registry);
                }
            } else if (envEsUrl != null && !envEsUrl.isBlank() || config.esUrl() != null && !config.esUrl().isBlank()) {
                // an Elasticsearch given to a gateway-only node says its reads were meant to reach it: they will not while it runs
                LOG.warn("ES_URL / es_url not used: a gateway-only node uses no Elasticsearch; the reads it takes wait in its spool ({})"
                        + " until a node with the indexer runs on this data directory, which none can while this one runs (the spool has"
                        + " one writer): a gateway whose reads should be searchable as they come runs with the indexer (--roles gateway,indexer)",
                        config.dataPath().resolve("spool").toAbsolutePath().normalize());
            }
            // NIO, with every server connection's reads and unread answers bounded (PlatewardenVertx)
            vertx = PlatewardenVertx.create(new VertxOptions(), registry);
            // the certificates the TLS listeners serve, read and checked once here (a reload renews them)
            tls = LiveTls.load(config, roles.contains(Role.GATEWAY), roles.contains(Role.SEARCH), Instant.now());
            tls.registerGauges(registry);
            closeables.add(new CertificateExpiryWatch(tls, Clock.systemUTC()).start(vertx));
            reloader = new ConfigReloader(vertx, config, credentials, tls, configSource, () -> {
                SearchRole running = search;
                return running == null ? null : running.auditLog();
            });
            // what no context's own handler took (the gateway's loops have theirs): fatal errors end the node (FatalErrors)
            vertx.exceptionHandler(error -> {
                if (!FatalErrors.report(error, "a Vert.x thread (" + Thread.currentThread().getName() + ")")) {
                    LOG.error("unhandled exception on a Vert.x thread", error);
                }
            });
            // filed by the earlier of the write and capture day; no payload of a read already past retention;
            // each camera's letters capped per day (a camera could fill the disk the audit journal needs)
            deadLetters = new DeadLetterStore(config.dataPath().resolve("deadletter"), config.retentionDays(), Clock.systemUTC(),
                    config.deadletter().maxBytesPerCameraPerDay(), registry);
            closeables.add(deadLetters);
            if (roles.contains(Role.GATEWAY) || roles.contains(Role.INDEXER)) {
                spool = SegmentedSpool.open(config.dataPath().resolve("spool"), config.spool(), registry);
                closeables.add(spool);
            }
            // every role keeps dead letters, so every node deletes them past retention; the spool's
            // quarantine with them (after the spool opened: recovery may have just written to it), and
            // the spool retires its newest segment once it holds done reads (a quiet spool kept them for months)
            LocalFileRetention localRetention = new LocalFileRetention(deadLetters.directory(), spool instanceof SegmentedSpool s ? s : null,
                    SegmentedSpool.quarantineDirectory(config.dataPath().resolve("spool")), config.retentionDays(), Clock.systemUTC(), registry);
            closeables.add(localRetention);
            if (roles.contains(Role.GATEWAY)) {
                GatewayListeners listeners = await(GatewayListeners.deploy(vertx, config, credentials, tls, spool, deadLetters, new GatewayMetrics(registry, spool)));
                closeables.add(listeners);
                gateway = listeners.first();
                gatewayDeployments = Set.copyOf(vertx.deploymentIDs()); // the node's first deployments
            }
            if (roles.contains(Role.SEARCH)) {
                // the search API will share the stand-in's port: a configured port 0 is made concrete first
                searchConfig = config.search().port() != 0 ? config : config.with("{\"search\":{\"port\":" + FreePort.pick() + "}}");
                standIn = new SearchApiStandIn(searchConfig, tls, registry, this::startState);
                standInId = await(vertx.deployVerticle(standIn));
            }
            // last: a node refused on the way (another holds this data dir's spool or journal) touches none of its files
            localRetention.start(Duration.ofSeconds(config.indexer().sweeperIntervalSeconds()));
            writeRunFile();
            startElasticsearchRoles();
            return this;
        } catch (Exception e) {
            stop("its start failed: " + describe(e));
            throw e;
        }
    }

    /**
     * Completes once the roles that need Elasticsearch run (on a gateway-only node, which needs
     * none, at once); fails with why they cannot start — on a node without the gateway; with it, a
     * failed start of theirs is retried ({@link RoleStartRetry}) and one of the embedded node's too
     * ({@link org.platewarden.es.ElasticsearchSupervisor}); cancelled by {@link #close()}. Meanwhile
     * the gateway takes reads.
     */
    public CompletableFuture<Void> elasticsearchRoles() {
        return elasticsearchRoles;
    }

    /**
     * For readiness and the banner: what the node waits for, without where Elasticsearch is; after
     * a failed start, that it failed, why, and that it is retried, with what is under way now.
     */
    public String startState() {
        String now = phase;
        ElasticsearchWait w = wait;
        if (waitingSinceMillis != 0 && w != null && w.attempts() > 0 && now.equals(WAITING)) {
            now = "waiting for Elasticsearch since " + Instant.ofEpochMilli(waitingSinceMillis).truncatedTo(ChronoUnit.SECONDS)
                    + " (attempt " + w.attempts() + " failed; the node's log says why); " + onceItAnswers();
        }
        String failed = retry.failure();
        if (failed != null) now = failed + "; " + now;
        String embedded = elasticsearch == null ? null
                : elasticsearch.embeddedStartFailure(cause -> StartupFailure.publicly(cause, config, connection.url()), Instant.now());
        return embedded == null ? now : embedded + "; " + now;
    }

    private static final String WAITING = "waiting for Elasticsearch";

    /** What waits for Elasticsearch here, for messages: "the indexer and search API", "the indexer" or "the search API". */
    public String waitingRoles() {
        boolean indexer = roles.contains(Role.INDEXER);
        boolean searchApi = roles.contains(Role.SEARCH);
        if (indexer && searchApi) return "the indexer and search API";
        return indexer ? "the indexer" : "the search API";
    }

    /** "the indexer and search API start once it answers", "the indexer starts once it answers". */
    public String onceItAnswers() {
        boolean both = roles.contains(Role.INDEXER) && roles.contains(Role.SEARCH);
        return waitingRoles() + (both ? " start" : " starts") + " once it answers";
    }

    /**
     * Once {@link #elasticsearchRoles()} failed, what does not run: "the indexer and search API could
     * not start", or "the search API could not start" (the indexer runs).
     */
    public String couldNotStart() {
        return couldNotStart;
    }

    public boolean runsGateway() {
        return roles.contains(Role.GATEWAY);
    }

    private double waitSeconds() {
        long since = waitingSinceMillis;
        return since == 0 ? 0 : (System.currentTimeMillis() - since) / 1000.0;
    }

    private void startElasticsearchRoles() {
        if (!usesElasticsearch()) {
            // a gateway-only node: nothing of it needs Elasticsearch, so nothing waits for one
            phase = "running";
            elasticsearchRoles.complete(null);
            return;
        }
        waitingSinceMillis = System.currentTimeMillis();
        synchronized (startLock) {
            if (stopping) return;
            starter = new Thread(this::runElasticsearchRoles, "platewarden-elasticsearch-roles");
            starter.setDaemon(true);
            starter.start();
        }
    }

    /**
     * On the starter thread: launches the embedded node (after the gateway opened), then starts the
     * roles that need Elasticsearch ({@link #startMissingRoles}); on a node with the gateway a failed
     * start is tried again after a back-off ({@link RoleStartRetry}), each attempt from a clean slate,
     * until one succeeds. Blocking waits here, the back-off's too, are off every event loop.
     */
    private void runElasticsearchRoles() {
        try {
            if (elasticsearch.isEmbedded()) {
                step("starting the embedded Elasticsearch", false);
                // on a node with the gateway a failed start of it is tried again too; without, it ends the start (exit 1)
                elasticsearch.launchEmbedded(runsGateway());
            }
            while (true) {
                try {
                    startMissingRoles();
                    break;
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    if (!retried(e)) throw e;
                }
            }
            step("running", false);
            retry.succeeded();
            waitingSinceMillis = 0;
            LOG.info("{} run, on Elasticsearch at {}{}", waitingRoles(), connection.url(),
                    retry.attempts() == 0 ? "" : " (after " + retry.attempts() + " failed attempts to start)");
            elasticsearchRoles.complete(null);
        } catch (Throwable e) {
            synchronized (startLock) {
                if (stopping) {
                    elasticsearchRoles.cancel(false);
                    return;
                }
                interruptible = false;
            }
            String notRunning = notRunning();
            if (starting != null) retry.count(starting);
            couldNotStart = notRunning;
            phase = notRunning + "; the node's log says why; restart Platewarden once that is mended";
            elasticsearchRoles.completeExceptionally(e);
        }
    }

    /**
     * One attempt: waits until Elasticsearch answers and takes the templates (again, after a failed
     * attempt: a cheap check that they are still there), then deploys what does not run yet — the
     * indexer, then the search API, which takes the port over from its stand-in. What a failed step
     * started is undone before the failure is thrown ({@link RoleStartScope}); a role that started
     * keeps running (an indexer ships the spool while the search API's start is retried).
     */
    private void startMissingRoles() throws Exception {
        starting = null;
        String meanwhile = onceItAnswers() + (roles.contains(Role.GATEWAY) ? "; the gateway takes reads into the spool meanwhile" : "");
        wait = new ElasticsearchWait(connection.url(), elasticsearch.embeddedLog(), meanwhile, System::currentTimeMillis, () -> stopping);
        step(WAITING, true);
        InstallReport installed = wait.until(() -> {
            // whatever answers on the embedded node's port while its process does not run is not it (the port
            // taken meanwhile: a relaunch is refused on it) and must not get the reads or the audit trail
            elasticsearch.requireEmbeddedRunning();
            connection.requireHealthy();
            return new TemplateInstaller(connection.rest(), new TemplateResources(config.indexPrefix(), config.retentionDays())).install();
        }, elasticsearch::embeddedExit);
        // it answered: should it exit even before its supervisor's next look, that is a death to restart, not a failed start
        elasticsearch.embeddedAnswered();
        templates = installed;
        if (roles.contains(Role.INDEXER) && indexerDeployment == null) {
            starting = Role.INDEXER;
            step("Elasticsearch answers; starting the indexer", false);
            RoleStartScope scope = new RoleStartScope(vertx, registry, List.of("platewarden.indexer", "platewarden_compaction"));
            try {
                indexerDeployment = IndexerRole.deploy(vertx, config, connection, spool, deadLetters, installed, registry);
            } catch (Exception e) {
                scope.undo(null);
                throw e;
            }
        }
        if (roles.contains(Role.SEARCH) && search == null) {
            starting = Role.SEARCH;
            step("Elasticsearch answers; starting the search API (the audit trail's recovery)", false);
            RoleStartScope scope = new RoleStartScope(vertx, registry, List.of("platewarden.search", "platewarden_search", "platewarden_audit"));
            SearchRole role = null;
            try {
                role = SearchRole.deploy(vertx, searchConfig, connection, installed, registry, credentials, tls, reloader);
                // the search API listens on the port already (shared): the stand-in can go
                await(vertx.undeploy(standInId));
            } catch (Exception e) {
                // the search API's server goes before its audit trail closes, as at a stop; the stand-in stays
                scope.undo(role);
                throw e;
            }
            search = role;
        }
    }

    /** What a failure now leaves not running. */
    private String notRunning() {
        return roles.contains(Role.INDEXER) && indexerDeployment == null ? waitingRoles() + " could not start" : "the search API could not start";
    }

    /**
     * After a failed attempt: on a node with the gateway, counts and logs it, says so on 8081's
     * readiness, waits out the back-off (a stop interrupts it) and returns true, to try again. False
     * when the failure ends the start: a node without the gateway has nothing to keep running (it
     * exits; its embedded Elasticsearch, failing to start, is not started again either).
     */
    private boolean retried(Exception failure) throws InterruptedException {
        if (!runsGateway()) return false;
        step(phase, false); // a node that stops meanwhile has nothing to count, log or wait for
        String notRunning = notRunning();
        if (starting != null) retry.count(starting);
        long delay = retry.failed(notRunning, StartupFailure.describePublicly(failure, config, connection.url()), Instant.now());
        // once per attempt, the back-off bounding how often; the stack trace only when asked for
        LOG.error("{} (attempt {}, on Elasticsearch at {}): {}; tried again in {} s; the gateway takes reads into the spool meanwhile",
                notRunning, retry.attempts(), connection.url(), describe(failure), delay / 1000);
        LOG.debug("the failed start", failure);
        step(retry.nextAttempt(), true);
        Thread.sleep(delay);
        return true;
    }

    /** The next step of the start, unless the node is stopping; {@code interruptible}: a stop may interrupt it. */
    private void step(String what, boolean interruptible) throws InterruptedException {
        synchronized (startLock) {
            if (stopping) throw new InterruptedException("the node is stopping");
            this.interruptible = interruptible;
            phase = what;
        }
    }

    /** How a start failure reads, as {@code run} prints it. */
    String describe(Throwable failure) {
        return StartupFailure.describe(failure, config, embeddedEsPort);
    }

    public PlatewardenConfig config() {
        return config;
    }

    /** The credentials in force (the config's, or a reload's). */
    public LiveCredentials credentials() {
        return credentials;
    }

    /** Reloads the credentials from the configuration file (SIGHUP, {@link SighupReload}); null before {@link #open}. */
    ConfigReloader reloader() {
        return reloader;
    }

    /** null on a gateway-only node */
    public String elasticsearchUrl() {
        return elasticsearch == null ? null : elasticsearch.url();
    }

    public boolean embeddedElasticsearch() {
        return elasticsearch != null && elasticsearch.isEmbedded();
    }

    public InstallReport templates() {
        return templates;
    }

    public ElasticsearchConnection connection() {
        return connection;
    }

    public int gatewayHttpPort() {
        return gateway == null ? -1 : gateway.httpPort();
    }

    public int mqttPort() {
        return gateway == null ? -1 : gateway.mqttPort();
    }

    /** -1 when the gateway does not run or has no TLS listener. */
    public int mqttTlsPort() {
        return gateway == null ? -1 : gateway.mqttTlsPort();
    }

    /** The search API's port, held by its stand-in until the search role runs; -1 when the role does not run here. */
    public int searchPort() {
        SearchRole running = search;
        if (running != null) return running.port();
        return standIn == null ? -1 : standIn.actualPort();
    }

    /**
     * {@code <data_dir>/run/node.json}: lets CLI commands find the Elasticsearch a running node uses.
     * Written only by the node that holds {@code run/node.lock} (held until it stops): two nodes on
     * one data dir with disjoint roles and locks (a search node next to a gateway and indexer node,
     * both on {@code ES_URL}) may both run, and the later one must not point the CLI away from the
     * earlier one, nor leave a file naming itself once it stops while the other runs. A crashed
     * node's lock is gone with it, so the next node to start writes the file again. A gateway-only
     * node names no Elasticsearch: it uses none.
     */
    private void writeRunFile() throws IOException {
        Path run = PrivateDirectory.create(config.dataPath().resolve("run"));
        LockFile owner = LockFile.tryAcquire(run.resolve("node.lock"));
        if (owner == null) {
            LOG.warn("{} left as it is: another running node on this data dir (pid {} by that file) holds {}; CLI commands"
                    + " on this data dir reach that node", run.resolve("node.json"), pidIn(run.resolve("node.json")), run.resolve("node.lock"));
            return;
        }
        closeables.add(owner);
        Map<String, Object> info = new LinkedHashMap<>();
        if (elasticsearchUrl() != null) info.put("es_url", elasticsearchUrl());
        info.put("pid", ProcessHandle.current().pid());
        info.put("gateway_http_port", gatewayHttpPort());
        info.put("mqtt_port", mqttPort());
        info.put("search_port", searchPort());
        StringBuilder json = new StringBuilder("{");
        info.forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":")
                .append(v instanceof String s ? "\"" + s + "\"" : v));
        Files.writeString(run.resolve("node.json"), json.append("}\n").toString());
    }

    /** The pid that {@code run/node.json} names, or "unknown". */
    static String pidIn(Path runFile) {
        try {
            return String.valueOf(Json.MAPPER.readTree(runFile.toFile()).path("pid").asLong());
        } catch (IOException | RuntimeException unreadable) {
            return "unknown";
        }
    }

    /**
     * Undeploys every role before Vert.x closes: each stops taking connections and gives requests
     * under way up to {@code shutdown_grace_seconds} to be answered, while the worker pools they
     * need (camera authentication, the search API's blocking pool) are still open. Vert.x's own
     * close would shut those pools alongside the undeploy, and a request under way would fail.
     */
    private List<String> stopRoles() throws InterruptedException {
        return RoleStops.undeployAll(vertx, this::roleOf, config.shutdownGraceSeconds() + 60L);
    }

    /** The role a deployment belongs to, for the stop's log lines. */
    private String roleOf(String deploymentId) {
        if (gatewayDeployments.contains(deploymentId)) return "gateway";
        if (deploymentId.equals(indexerDeployment)) return "indexer";
        if (deploymentId.equals(standInId)) return "search API (its stand-in, the search API not having started)";
        return "search API";
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /** Stops the node, its cause not known to it (a test, an embedding program): {@link #stop}. */
    @Override
    public void close() {
        stop(null);
    }

    /**
     * Stops the node, saying so in the log: a first line with why ({@code cause}, e.g. "SIGTERM";
     * null when not known), one per role with how long its stop took (or why it did not stop
     * cleanly), and a last "stopped" line, so that a log read after a restart tells a clean stop
     * from a crash (which has none of them). Order as ever: the start under way, the roles, Vert.x,
     * the audit trail and files, the embedded Elasticsearch last.
     */
    public void stop(String cause) {
        if (!closed.compareAndSet(false, true)) return;
        long began = System.nanoTime();
        LOG.info("stopping Platewarden ({}; roles {})", cause == null ? "cause not known to the node: stopped by its owner" : cause,
                roles.stream().map(r -> r.name().toLowerCase(java.util.Locale.ROOT)).collect(java.util.stream.Collectors.joining(", ")));
        List<String> problems = new ArrayList<>();
        if (stopStarter()) problems.add("the start of " + waitingRoles() + " did not end");
        if (vertx != null) {
            try {
                problems.addAll(stopRoles());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("the stop was interrupted while the roles stopped");
                problems.add("interrupted while the roles stopped");
            }
            try {
                await(vertx.close());
            } catch (Exception e) {
                LOG.warn("Vert.x did not close cleanly: {}", e.toString());
                problems.add("Vert.x did not close cleanly");
            }
        }
        if (search != null) search.close();
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                LOG.warn("close failed: {}", e.toString());
                problems.add("a close failed (" + e + ")");
            }
        }
        if (connection != null) connection.close();
        if (elasticsearch != null) {
            long esBegan = System.nanoTime();
            elasticsearch.close();
            if (elasticsearch.isEmbedded()) LOG.info("the embedded Elasticsearch stopped in {} ms", RoleStops.millis(System.nanoTime() - esBegan));
        }
        if (problems.isEmpty()) {
            LOG.info("Platewarden stopped in {} ms", RoleStops.millis(System.nanoTime() - began));
        } else {
            LOG.warn("Platewarden stopped in {} ms, not cleanly: {}", RoleStops.millis(System.nanoTime() - began), String.join("; ", problems));
        }
    }

    /**
     * Ends the start of the roles that need Elasticsearch: a wait for it is interrupted at once; a
     * role being deployed is let finish (its steps are bounded), so that the undeploy that follows
     * finds it. Called on the stopping thread (a shutdown hook, a test), never on an event loop.
     * True when that start did not end within its wait.
     */
    private boolean stopStarter() {
        Thread t;
        synchronized (startLock) {
            stopping = true;
            t = starter;
            if (t != null && interruptible) t.interrupt();
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(STARTER_JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.warn("the start of {} did not end within {} s; stopping without it", waitingRoles(), STARTER_JOIN_MILLIS / 1000);
                elasticsearchRoles.cancel(false);
                return true;
            }
        }
        elasticsearchRoles.cancel(false);
        return false;
    }
}
