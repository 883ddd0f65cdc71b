package org.platewarden.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import org.platewarden.es.EmbeddedElasticsearch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one real Elasticsearch node of a test run, shared by every test class in the JVM:
 * <ol>
 * <li>{@code ES_URL} (environment or system property) — an existing cluster; {@code ./platewarden test}
 * starts one embedded node and passes its URL to every module this way, so the whole run shares it;</li>
 * <li>else Testcontainers, when a Docker engine answers;</li>
 * <li>else the embedded distribution resolved by Maven (system property {@code platewarden.es.zip}).</li>
 * </ol>
 * Tests isolate themselves by index prefix ({@link #uniquePrefix}), never by starting new nodes.
 */
public final class ElasticsearchFixture {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchFixture.class);
    private static String url;
    private static String source;

    private ElasticsearchFixture() {
    }

    /** Base URL of the shared node, started on first use. */
    public static synchronized String url() {
        if (url != null) return url;
        String fromEnv = firstNonBlank(System.getProperty("ES_URL"), System.getenv("ES_URL"));
        if (fromEnv != null) {
            url = stripSlash(fromEnv);
            source = "ES_URL";
        } else if (TestcontainersElasticsearch.dockerAvailable()) {
            url = TestcontainersElasticsearch.start();
            source = "testcontainers";
        } else {
            url = startEmbedded();
            source = "embedded";
        }
        if (!EmbeddedElasticsearch.healthy(url)) {
            throw new IllegalStateException("Elasticsearch at " + url + " (from " + source + ") is not healthy");
        }
        LOG.info("tests use Elasticsearch at {} (from {})", url, source);
        return url;
    }

    /** Where the node came from: ES_URL, testcontainers or embedded. */
    public static synchronized String source() {
        url();
        return source;
    }

    /**
     * Whether the shared node is Platewarden's embedded one: started here, or by {@code ./platewarden
     * test}, which shares it through {@code ES_URL} and says so in {@code PLATEWARDEN_TEST_ES=embedded}.
     * Tests of the embedded node's own settings need it; any other cluster has settings of its own.
     */
    public static boolean embedded() {
        return "embedded".equals(source()) || "embedded".equals(System.getenv("PLATEWARDEN_TEST_ES"));
    }

    /** A fresh, valid index prefix for one test class, e.g. {@code t-search-1a2b3c4d}. */
    public static String uniquePrefix(String topic) {
        return ("t-" + topic + "-" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    }

    /**
     * Deletes every index, index template and component template under a test prefix. Indices are
     * deleted by name: the cluster refuses wildcard deletes ({@code action.destructive_requires_name}).
     */
    public static void deletePrefix(String prefix) {
        try {
            String names = http("GET", "/_cat/indices/" + prefix + "-*?h=index&expand_wildcards=all").trim();
            if (!names.isEmpty()) http("DELETE", "/" + String.join(",", names.split("\\s+")));
            http("DELETE", "/_index_template/" + prefix + "-*");
            http("DELETE", "/_component_template/" + prefix + "-*");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cleanup of test prefix " + prefix + " failed", e);
        }
    }

    private static String http(String method, String path) throws java.io.IOException {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create(url() + path).toURL().openConnection();
        c.setRequestMethod(method);
        int code = c.getResponseCode();
        java.io.InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream();
        String body = in == null ? "" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (code >= 400 && code != 404) throw new java.io.IOException(method + " " + path + " -> " + code + ": " + body);
        return code == 404 ? "" : body;
    }

    private static String startEmbedded() {
        String zip = System.getProperty("platewarden.es.zip");
        if (zip == null) {
            throw new IllegalStateException("no ES_URL, no Docker engine, and no platewarden.es.zip system property "
                    + "(run the tests through Maven or ./platewarden test)");
        }
        String root = System.getProperty("platewarden.repo.root", ".");
        Path base = Path.of(root, "target", "test-es-" + ProcessHandle.current().pid());
        EmbeddedElasticsearch es = new EmbeddedElasticsearch(new EmbeddedElasticsearch.Settings(
                Path.of(zip), base, 0, "768m", Duration.ofSeconds(180)));
        try {
            Files.createDirectories(base);
            // unpacking is per JVM here; ./platewarden test avoids it by sharing one node through ES_URL
            return es.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded Elasticsearch: " + e.getMessage(), e);
        }
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) return a;
        if (b != null && !b.isBlank()) return b;
        return null;
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
