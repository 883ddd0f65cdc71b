package org.platewarden.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.es.EmbeddedElasticsearch;

/**
 * Decides which Elasticsearch the node talks to: {@code ES_URL} (environment) or {@code es_url}
 * (config) when set — an existing cluster, nothing is started — else the embedded distribution
 * under {@code <data_dir>/elasticsearch}, started as a child process and stopped with this JVM.
 */
public final class ElasticsearchProvider implements AutoCloseable {
    private EmbeddedElasticsearch embedded;
    private String url;

    public String url() {
        return url;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    public String start(PlatewardenConfig config, String envUrl, int embeddedPort) throws IOException, InterruptedException {
        String configured = envUrl != null && !envUrl.isBlank() ? envUrl : config.esUrl();
        if (configured != null && !configured.isBlank()) {
            url = configured.endsWith("/") ? configured.substring(0, configured.length() - 1) : configured;
            try (ElasticsearchConnection probe = new ElasticsearchConnection(url)) {
                probe.requireHealthy();
            }
            return url;
        }
        Path zip = distributionZip();
        Path base = config.dataPath().toAbsolutePath().resolve("elasticsearch");
        Files.createDirectories(base);
        embedded = new EmbeddedElasticsearch(new EmbeddedElasticsearch.Settings(zip, base, embeddedPort,
                System.getProperty("platewarden.es.heap", "1g"), Duration.ofSeconds(180)));
        url = embedded.start();
        // the node stops it in close(), after the roles have answered the requests under way
        embedded.leaveStopToOwner();
        return url;
    }

    /** The zip Maven resolved; ./platewarden passes its location, a packaged install may pass another. */
    static Path distributionZip() {
        String explicit = System.getProperty("platewarden.es.zip", System.getenv("PLATEWARDEN_ES_ZIP"));
        if (explicit != null) return Path.of(explicit);
        return Path.of("embedded-es", "target", "dist", "elasticsearch-8.19.21.zip");
    }

    @Override
    public void close() {
        if (embedded != null) embedded.close();
    }
}
