package org.platewarden.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.es.ElasticsearchSupervisor;
import org.platewarden.es.EmbeddedElasticsearch;

/**
 * Decides which Elasticsearch the node talks to: {@code ES_URL} (environment) or {@code es_url}
 * (config) when set — an existing cluster, nothing is started — else the embedded distribution
 * under {@code <data_dir>/elasticsearch}, started as a child process, restarted when it dies once it
 * has answered ({@link ElasticsearchSupervisor}), and stopped with this JVM. Neither is waited for
 * here: the node's roles that need Elasticsearch wait for it to answer ({@link ElasticsearchWait})
 * while the gateway already takes reads. A gateway-only node uses none and never asks for one.
 */
public final class ElasticsearchProvider implements AutoCloseable {
    private EmbeddedElasticsearch embedded;
    private volatile ElasticsearchSupervisor supervisor;
    private String url;

    public String url() {
        return url;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    /**
     * Picks the cluster and returns its URL, checking at once only what needs no Elasticsearch: for
     * the embedded node, that its distribution is there and its port free (a port already taken
     * would have the node run against a cluster not its own). Port 0 picks a free port now, so
     * that the URL is known before the node starts.
     */
    public String prepare(PlatewardenConfig config, String envUrl, int embeddedPort) throws IOException {
        String configured = envUrl != null && !envUrl.isBlank() ? envUrl : config.esUrl();
        if (configured != null && !configured.isBlank()) {
            url = configured.endsWith("/") ? configured.substring(0, configured.length() - 1) : configured;
            return url;
        }
        Path zip = distributionZip();
        EmbeddedElasticsearch.requireDistribution(zip);
        int port = embeddedPort == 0 ? EmbeddedElasticsearch.freePort() : embeddedPort;
        EmbeddedElasticsearch.requireFree(port);
        Path base = config.dataPath().toAbsolutePath().resolve("elasticsearch");
        Files.createDirectories(base);
        embedded = new EmbeddedElasticsearch(new EmbeddedElasticsearch.Settings(zip, base, port,
                System.getProperty("platewarden.es.heap", "1g"), Duration.ofSeconds(180)));
        url = embedded.url();
        return url;
    }

    /** Starts the embedded node without waiting for it to answer; nothing for an existing cluster. */
    public void launchEmbedded() throws IOException, InterruptedException {
        if (embedded == null) return;
        embedded.launch();
        // the node stops it in close(), after the roles have answered the requests under way
        embedded.leaveStopToOwner();
        supervisor = new ElasticsearchSupervisor(embedded);
        supervisor.start();
    }

    /** How many times the embedded node was started again after it died (0 before it was launched). */
    public long embeddedRestarts() {
        ElasticsearchSupervisor s = supervisor;
        return s == null ? 0 : s.restarts();
    }

    /**
     * Why the embedded node will not answer: it exited before it ever answered. Null while it runs,
     * for an existing cluster, and once it has answered (an exit after that is restarted, not a
     * failed start).
     */
    public String embeddedExit() {
        ElasticsearchSupervisor s = supervisor;
        if (s != null && s.supervising()) return null;
        Integer code = embedded == null ? null : embedded.exitCode();
        return code == null ? null : "the embedded Elasticsearch exited with code " + code + " before it answered (its log: "
                + embedded.logFile() + ")";
    }

    /** The embedded node's log file; null for an existing cluster. */
    public Path embeddedLog() {
        return embedded == null ? null : embedded.logFile();
    }

    /** The zip Maven resolved; ./platewarden passes its location, a packaged install may pass another. */
    static Path distributionZip() {
        String explicit = System.getProperty("platewarden.es.zip", System.getenv("PLATEWARDEN_ES_ZIP"));
        if (explicit != null) return Path.of(explicit);
        return Path.of("embedded-es", "target", "dist", "elasticsearch-8.19.21.zip");
    }

    @Override
    public void close() {
        // no restart once the node stops; then the stop itself
        if (supervisor != null) supervisor.close();
        if (embedded != null) embedded.close();
    }
}
