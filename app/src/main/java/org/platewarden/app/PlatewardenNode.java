package org.platewarden.app;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.deadletter.DeadLetterStore;
import org.platewarden.core.io.LockFile;
import org.platewarden.core.io.PrivateDirectory;
import org.platewarden.core.retention.LocalFileRetention;
import org.platewarden.core.spool.SegmentedSpool;
import org.platewarden.core.spool.Spool;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.gateway.GatewayListeners;
import org.platewarden.gateway.GatewayVerticle;
import org.platewarden.gateway.metrics.GatewayMetrics;
import org.platewarden.indexer.Indexer;
import org.platewarden.indexer.IndexerVerticle;
import org.platewarden.indexer.compaction.DailyIndexCompactor;
import org.platewarden.indexer.retention.RetentionSweeper;
import org.platewarden.templates.InstallReport;
import org.platewarden.templates.TemplateInstaller;
import org.platewarden.templates.TemplateResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Platewarden process: Elasticsearch (embedded or {@code ES_URL}), templates installed,
 * and the requested roles deployed on one Vert.x instance sharing one metrics registry. Start-up is
 * blocking and happens before any event loop serves traffic; {@link #close()} undoes it in reverse.
 */
public final class PlatewardenNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlatewardenNode.class);

    private final PlatewardenConfig config;
    private final Set<Role> roles;
    private final ElasticsearchProvider elasticsearch = new ElasticsearchProvider();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private ElasticsearchConnection connection;
    private InstallReport templates;
    private Vertx vertx;
    private GatewayVerticle gateway;
    private SearchRole search;

    public PlatewardenNode(PlatewardenConfig config, Set<Role> roles) {
        this.config = config;
        this.roles = roles;
        // heap, GC, threads and CPU next to the product metrics, so ops see memory on the same scrape
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        closeables.add(gc);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /** Starts everything; {@code envEsUrl} overrides the config's es_url (null: embedded unless configured). */
    public PlatewardenNode start(String envEsUrl, int embeddedEsPort) throws Exception {
        try {
            Files.createDirectories(config.dataPath());
            String esUrl = elasticsearch.start(config, envEsUrl, embeddedEsPort);
            connection = new ElasticsearchConnection(esUrl);
            templates = new TemplateInstaller(connection.rest(), new TemplateResources(config.indexPrefix(), config.retentionDays())).install();
            vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(false));
            // what no context's own handler took (the gateway's loops have theirs): fatal errors end the node (FatalErrors)
            vertx.exceptionHandler(error -> {
                if (!FatalErrors.report(error, "a Vert.x thread (" + Thread.currentThread().getName() + ")")) {
                    LOG.error("unhandled exception on a Vert.x thread", error);
                }
            });
            Spool spool = null;
            // filed by the earlier of the write and capture day; no payload of a read already past retention;
            // each camera's letters capped per day (a camera could fill the disk the audit journal needs)
            DeadLetterStore deadLetters = new DeadLetterStore(config.dataPath().resolve("deadletter"), config.retentionDays(), Clock.systemUTC(),
                    config.deadletter().maxBytesPerCameraPerDay(), registry);
            closeables.add(deadLetters);
            if (roles.contains(Role.GATEWAY) || roles.contains(Role.INDEXER)) {
                spool = SegmentedSpool.open(config.dataPath().resolve("spool"), config.spool(), registry);
                closeables.add(spool);
            }
            // every role keeps dead letters, so every node deletes them past retention; the spool's
            // quarantine with them (after the spool opened: recovery may have just written to it)
            LocalFileRetention localRetention = new LocalFileRetention(deadLetters.directory(),
                    SegmentedSpool.quarantineDirectory(config.dataPath().resolve("spool")), config.retentionDays(), Clock.systemUTC(), registry);
            closeables.add(localRetention);
            if (roles.contains(Role.INDEXER)) {
                Indexer indexer = Indexer.forElasticsearch(spool, connection, deadLetters, config, registry);
                RetentionSweeper sweeper = new RetentionSweeper(connection.rest(), config.indexPrefix(), config.retentionDays(),
                        templates.retention(), Clock.systemUTC());
                DailyIndexCompactor compactor = new DailyIndexCompactor(connection.rest(), config.indexPrefix(), config.retentionDays(),
                        config.indexer().compaction(), Clock.systemUTC(), registry);
                await(vertx.deployVerticle(new IndexerVerticle(indexer, sweeper, compactor,
                        Duration.ofSeconds(config.indexer().sweeperIntervalSeconds()))));
            }
            if (roles.contains(Role.GATEWAY)) {
                GatewayListeners listeners = await(GatewayListeners.deploy(vertx, config, spool, deadLetters, new GatewayMetrics(registry, spool)));
                closeables.add(listeners);
                gateway = listeners.first();
            }
            if (roles.contains(Role.SEARCH)) {
                search = SearchRole.deploy(vertx, config, connection, templates, registry);
            }
            // last: a node refused on the way (another holds this data dir's spool or journal) touches none of its files
            localRetention.start(Duration.ofSeconds(config.indexer().sweeperIntervalSeconds()));
            writeRunFile();
            return this;
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    public PlatewardenConfig config() {
        return config;
    }

    public String elasticsearchUrl() {
        return elasticsearch.url();
    }

    public boolean embeddedElasticsearch() {
        return elasticsearch.isEmbedded();
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

    public int searchPort() {
        return search == null ? -1 : search.port();
    }

    /**
     * {@code <data_dir>/run/node.json}: lets CLI commands find the Elasticsearch a running node uses.
     * Written only by the node that holds {@code run/node.lock} (held until it stops): two nodes on
     * one data dir with disjoint roles and locks (a search node next to a gateway and indexer node,
     * both on {@code ES_URL}) may both run, and the later one must not point the CLI away from the
     * earlier one, nor leave a file naming itself once it stops while the other runs. A crashed
     * node's lock is gone with it, so the next node to start writes the file again.
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
        info.put("es_url", elasticsearch.url());
        info.put("pid", ProcessHandle.current().pid());
        info.put("gateway_http_port", gatewayHttpPort());
        info.put("mqtt_port", mqttPort());
        info.put("search_port", searchPort());
        StringBuilder json = new StringBuilder("{");
        info.forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":")
                .append(v instanceof String s ? "\"" + s + "\"" : v));
        Files.writeString(run.resolve("node.json"), json.append("}\n").toString());
    }

    private static String pidIn(Path runFile) {
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
    private void stopRoles() throws Exception {
        List<Future<Void>> undeployed = new ArrayList<>();
        for (String id : vertx.deploymentIDs()) undeployed.add(vertx.undeploy(id));
        Future.join(undeployed).toCompletionStage().toCompletableFuture().get(config.shutdownGraceSeconds() + 60L, TimeUnit.SECONDS);
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (vertx != null) {
            try {
                stopRoles();
            } catch (Exception e) {
                LOG.warn("roles did not stop cleanly: {}", e.toString());
            }
            try {
                await(vertx.close());
            } catch (Exception e) {
                LOG.warn("Vert.x did not close cleanly: {}", e.toString());
            }
        }
        if (search != null) search.close();
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                LOG.warn("close failed: {}", e.toString());
            }
        }
        if (connection != null) connection.close();
        elasticsearch.close();
    }
}
