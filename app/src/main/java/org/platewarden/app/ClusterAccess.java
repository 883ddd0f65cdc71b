package org.platewarden.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.platewarden.core.config.PlatewardenConfig;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.platewarden.elasticsearch.ElasticsearchConnection;
import org.platewarden.templates.RetentionMechanism;
import org.platewarden.templates.TemplateInstaller;
import org.platewarden.templates.TemplateResources;

/**
 * How CLI commands reach Elasticsearch: {@code ES_URL}, else the config's {@code es_url}, else the
 * embedded node of a running {@code ./platewarden run} (found through {@code <data_dir>/run/node.json}).
 */
final class ClusterAccess {
    /** The process environment; a test replaces it, since the suite itself runs with ES_URL set. */
    static java.util.function.UnaryOperator<String> environment = System::getenv;

    private ClusterAccess() {
    }

    static ElasticsearchConnection connect(PlatewardenConfig config) throws IOException {
        return connect(config, null);
    }

    /** @param esUrl an Elasticsearch URL given on the command line ({@code --es-url}): ahead of everything else */
    static ElasticsearchConnection connect(PlatewardenConfig config, String esUrl) throws IOException {
        String url = esUrl;
        String from = "--es-url";
        if (url == null || url.isBlank()) {
            url = environment.apply("ES_URL");
            from = "ES_URL";
        }
        if (url == null || url.isBlank()) {
            url = config.esUrl();
            from = "es_url in the config";
        }
        if (url == null || url.isBlank()) {
            Path run = config.dataPath().resolve("run").resolve("node.json");
            if (!Files.exists(run)) {
                // the node may well be running, under another data dir: say where this looked
                throw new IOException("no ES_URL, no es_url in the config, and no running node found in the data dir "
                        + config.dataPath().toAbsolutePath().normalize() + " (" + run.toAbsolutePath().normalize() + " missing):"
                        + " if the node runs with another data dir, pass the same --data-dir or --config it was started with;"
                        + " otherwise start ./platewarden run first, or set ES_URL (or --es-url where the command takes it)");
            }
            JsonNode node = Json.MAPPER.readTree(run.toFile());
            if (!node.hasNonNull("es_url")) {
                throw new IOException("the node running on the data dir " + config.dataPath().toAbsolutePath().normalize()
                        + " is gateway-only and uses no Elasticsearch (" + run.toAbsolutePath().normalize() + " names none):"
                        + " set ES_URL (or --es-url where the command takes it) to the cluster its indexer ships to");
            }
            url = node.path("es_url").asText();
            from = run + ", left by a node that may have stopped";
        }
        ElasticsearchConnection es = new ElasticsearchConnection(url);
        // asked once here, so that a cluster that does not answer is named with where its URL came from;
        // any HTTP answer will do (the embedded distribution answers GET / with a 405)
        try {
            es.rest().performRequest(new Request("GET", "/_cluster/health"));
        } catch (ResponseException answered) {
            // reachable; but one that refuses who we are would fail every request after this one
            int status = answered.getResponse().getStatusLine().getStatusCode();
            if (status == 401 || status == 403) {
                es.close();
                throw new IOException("Elasticsearch at " + url + " (from " + from + ") answered " + status + ": "
                        + (status == 401 ? "set ES_USERNAME and ES_PASSWORD, or ES_API_KEY, as for the node"
                        : "the credentials lack the privileges docs/operations.md lists (\"Elasticsearch with security on\")"), answered);
            }
        } catch (IOException e) {
            es.close();
            throw new IOException("cannot reach Elasticsearch at " + url + " (from " + from + ")", e);
        }
        return es;
    }

    static RetentionMechanism retention(ElasticsearchConnection es, PlatewardenConfig config) {
        TemplateInstaller installer = new TemplateInstaller(es.rest(), new TemplateResources(config.indexPrefix(), config.retentionDays()));
        return installer.ilmAvailable() ? RetentionMechanism.ILM : RetentionMechanism.SWEEPER;
    }
}
