package org.platewarden.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.testkit.SelfSignedCertificate;

/**
 * Credentials and the CA for a cluster with security on. The cluster's side is a small HTTPS server
 * that checks {@code Authorization} as Elasticsearch's front door does (the suite's one real node
 * runs without security, and starting a second is what the suite avoids); what is tested is
 * Platewarden's client: which header it sends, whom it trusts, and what it says when refused.
 */
class ElasticsearchCredentialsTest {
    @TempDir
    static Path dir;
    static Vertx vertx;
    static HttpServer server;
    static SelfSignedCertificate cert;
    static final List<String> seen = new CopyOnWriteArrayList<>();
    static final String GOOD_BASIC = "Basic cGxhdGV3YXJkZW46czNjcmV0"; // platewarden:s3cret
    static final String GOOD_KEY = "ApiKey aWQ6a2V5";

    @BeforeAll
    static void start() throws Exception {
        cert = SelfSignedCertificate.create(dir, "es", "localhost", "IP:127.0.0.1,DNS:localhost");
        vertx = Vertx.vertx();
        server = vertx.createHttpServer(new HttpServerOptions().setSsl(true)
                        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.cert().toString()).setKeyPath(cert.key().toString())))
                .requestHandler(req -> {
                    String auth = req.getHeader("Authorization");
                    seen.add(String.valueOf(auth));
                    if (auth == null) {
                        req.response().setStatusCode(401).end("{\"error\":\"missing authentication credentials\"}");
                    } else if (auth.equals(GOOD_BASIC) || auth.equals(GOOD_KEY)) {
                        req.response().putHeader("Content-Type", "application/json").end("{\"cluster_name\":\"c\",\"status\":\"green\"}");
                    } else {
                        req.response().setStatusCode(401).end("{\"error\":\"unable to authenticate\"}");
                    }
                })
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static String url() {
        return "https://127.0.0.1:" + server.actualPort();
    }

    private static ElasticsearchCredentials env(Map<String, String> values) {
        return ElasticsearchCredentials.fromEnvironment(values::get);
    }

    @Test
    void aUserAndPasswordOverTheTrustedCaAreSentAsBasic() throws Exception {
        try (ElasticsearchConnection es = new ElasticsearchConnection(url(), env(Map.of("ES_USERNAME", "platewarden",
                "ES_PASSWORD", "s3cret", "ES_CA_CERT", cert.cert().toString())))) {
            es.requireHealthy();
        }
        assertEquals(GOOD_BASIC, seen.get(seen.size() - 1));
    }

    @Test
    void anApiKeyIsSentAsApiKey() throws Exception {
        try (ElasticsearchConnection es = new ElasticsearchConnection(url(), env(Map.of("ES_API_KEY", "aWQ6a2V5",
                "ES_CA_CERT", cert.cert().toString())))) {
            es.requireHealthy();
        }
        assertEquals(GOOD_KEY, seen.get(seen.size() - 1));
    }

    @Test
    void refusalsSayWhatToSet() {
        String missing = assertThrows(IOException.class, () -> {
            try (ElasticsearchConnection es = new ElasticsearchConnection(url(), env(Map.of("ES_CA_CERT", cert.cert().toString())))) {
                es.requireHealthy();
            }
        }).getMessage();
        assertTrue(missing.contains("401") && missing.contains("set ES_USERNAME and ES_PASSWORD, or ES_API_KEY"), missing);
        String wrong = assertThrows(IOException.class, () -> {
            try (ElasticsearchConnection es = new ElasticsearchConnection(url(), env(Map.of("ES_USERNAME", "platewarden",
                    "ES_PASSWORD", "guess", "ES_CA_CERT", cert.cert().toString())))) {
                es.requireHealthy();
            }
        }).getMessage();
        assertTrue(wrong.contains("refused Platewarden's credentials (ElasticsearchCredentials[user platewarden"), wrong);
        assertFalse(wrong.contains("guess"), "never the password: " + wrong);
        String untrusted = assertThrows(IOException.class, () -> {
            try (ElasticsearchConnection es = new ElasticsearchConnection(url(), env(Map.of("ES_USERNAME", "platewarden", "ES_PASSWORD", "s3cret")))) {
                es.requireHealthy();
            }
        }).getMessage();
        assertTrue(untrusted.contains("not trusted over TLS") && untrusted.contains("ES_CA_CERT"), untrusted);
    }

    @Test
    void credentialsBelongInTheEnvironmentNotTheUrl() {
        String inUrl = assertThrows(IllegalArgumentException.class,
                () -> new ElasticsearchConnection("https://platewarden:s3cret@127.0.0.1:9200", ElasticsearchCredentials.NONE)).getMessage();
        assertTrue(inUrl.contains("set ES_USERNAME and ES_PASSWORD"), inUrl);
        assertFalse(inUrl.contains("s3cret"), inUrl);
        assertThrows(IllegalArgumentException.class, () -> env(Map.of("ES_USERNAME", "u")));
        assertThrows(IllegalArgumentException.class, () -> env(Map.of("ES_USERNAME", "u", "ES_PASSWORD", "p", "ES_API_KEY", "k")));
        assertThrows(IllegalArgumentException.class, () -> env(Map.of("ES_CA_CERT", dir.resolve("missing.pem").toString())));
        assertNull(env(Map.of("ES_USERNAME", " ")).authorization(), "blank is unset");
    }
}
