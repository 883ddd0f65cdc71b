package org.platewarden.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.UnaryOperator;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.es.ElasticsearchSupervisor;
import org.platewarden.es.EmbeddedElasticsearch;

/**
 * Decides which Elasticsearch the node talks to: {@code ES_URL} (environment) or {@code es_url}
 * (config) when set — an existing cluster, nothing is started — else the embedded distribution
 * under {@code <data_dir>/elasticsearch}, started as a child process, started again with a back-off
 * when it dies or fails to start ({@link ElasticsearchSupervisor}), and stopped with this JVM. Neither is waited for
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

    /**
     * Starts the embedded node in the background, without waiting for it to answer, and keeps it
     * running; nothing for an existing cluster.
     *
     * @param restartFailedStarts whether a start that fails before the node ever answered is tried
     *                            again (a node with the gateway) or ends the wait ({@link #embeddedExit()})
     */
    public void launchEmbedded(boolean restartFailedStarts) {
        if (embedded == null) return;
        // the node stops it in close(), after the roles have answered the requests under way
        embedded.leaveStopToOwner();
        supervisor = new ElasticsearchSupervisor(embedded, restartFailedStarts);
        supervisor.start();
    }

    /**
     * Fails while the embedded node's process does not run (it is started again): whatever answers on
     * its port meanwhile is something else. Nothing for an existing cluster.
     */
    public void requireEmbeddedRunning() throws IOException {
        if (embedded != null && !embedded.isRunning()) {
            throw new IOException("the embedded Elasticsearch is not running" + (supervisor != null && supervisor.failure() != null
                    ? " (its last start failed: it is started again)" : " yet"));
        }
    }

    /** The roles saw it answer: an exit of it from now on is restarted, never a failed start. */
    public void embeddedAnswered() {
        ElasticsearchSupervisor s = supervisor;
        if (s != null) s.answered();
    }

    /** How many times the embedded node was started again after it died or failed to start (0 before it was launched). */
    public long embeddedRestarts() {
        ElasticsearchSupervisor s = supervisor;
        return s == null ? 0 : s.restarts();
    }

    /**
     * Why the embedded node will not answer: it failed to start before it ever answered, and such a
     * start is not tried again ({@code launchEmbedded(false)}). Null otherwise: while it starts or
     * runs, while a failed start is tried again, and for an existing cluster.
     */
    public String embeddedExit() {
        ElasticsearchSupervisor s = supervisor;
        if (s == null || !s.gaveUp()) return null;
        return "the embedded Elasticsearch " + s.failure().cause() + " (its log: " + embedded.logFile() + ")";
    }

    /**
     * For readiness, while a failed start of the embedded node is tried again: "the embedded
     * Elasticsearch could not start (attempt 2 failed at …: exited with code 78 before it answered;
     * the node's log says more); it is started again: next attempt at …". Null while none failed,
     * once a start answered, and for an existing cluster. The cause is as the supervisor has it:
     * the caller makes it public.
     */
    public String embeddedStartFailure(UnaryOperator<String> publicly, Instant now) {
        ElasticsearchSupervisor s = supervisor;
        ElasticsearchSupervisor.Failure f = s == null || s.gaveUp() ? null : s.failure();
        if (f == null) return null;
        Instant next = f.next().truncatedTo(ChronoUnit.SECONDS);
        return "the embedded Elasticsearch could not start (attempt " + f.inARow() + " failed at " + f.at().truncatedTo(ChronoUnit.SECONDS)
                + ": " + publicly.apply(f.cause()) + "; the node's log says more); it is started again: "
                + (now.isBefore(f.next()) ? "next attempt at " + next : "attempt " + (f.inARow() + 1) + " under way since " + next);
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
