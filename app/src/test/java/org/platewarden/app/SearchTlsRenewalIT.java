package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.testkit.ElasticsearchFixture;
import org.platewarden.testkit.SelfSignedCertificate;

/**
 * The search API's certificate renewed in place and reloaded through {@code POST /v1/ops/config/reload}:
 * new connections get the renewed certificate (a client pinned to it connects, one pinned to the old
 * one no longer does), a connection opened before keeps its session, the answer and the audit record
 * say what was reloaded, and {@code /metrics} shows the served certificate's notAfter. A renewal with
 * the key of another certificate, reloaded by SIGHUP, is refused and recorded so; the renewed
 * certificate stays served. On the shared real Elasticsearch.
 */
class SearchTlsRenewalIT {
    private static final String GAUGE = "platewarden_tls_certificate_expiry_timestamp_seconds{listener=\"search\"}";
    @TempDir
    Path dir;
    private PlatewardenNode node;
    private String prefix;

    @AfterEach
    void stop() {
        if (node != null) node.close();
        if (prefix != null) ElasticsearchFixture.deletePrefix(prefix);
    }

    @Test
    void aRenewedCertificateIsServedAfterAReloadAndABadOneIsRefused() throws Exception {
        SelfSignedCertificate v1 = SelfSignedCertificate.create(dir, "v1", "search.example.org", "DNS:search.example.org", 1);
        SelfSignedCertificate v2 = SelfSignedCertificate.create(dir, "v2", "search.example.org", "DNS:search.example.org", 30);
        SelfSignedCertificate stranger = SelfSignedCertificate.create(dir, "stranger", "search.example.org", "DNS:search.example.org", 60);
        SelfSignedCertificate served = new SelfSignedCertificate(dir.resolve("search.pem"), dir.resolve("search.key"));
        served.replaceWith(v1);
        prefix = ElasticsearchFixture.uniquePrefix("tlsrenew");
        Path file = dir.resolve("platewarden.json");
        Files.writeString(file, PlatewardenConfig.demoConfig().with("""
                {"node_id":"tlsrenew","data_dir":"%s","index_prefix":"%s",
                 "search":{"host":"127.0.0.1","port":0,"tls_cert_path":"%s","tls_key_path":"%s"}}""".formatted(
                dir.resolve("data"), prefix, served.cert(), served.key())).toTree().toString());
        node = new PlatewardenNode(PlatewardenConfig.load(file), EnumSet.of(Role.SEARCH), () -> PlatewardenConfig.load(file))
                .start(ElasticsearchFixture.url(), 0);

        HttpClient pinnedToV1 = HttpClient.newBuilder().sslContext(PinnedCertificate.sslContext(v1.cert())).build();
        assertEquals(v1.certificate().getNotAfter().toInstant().getEpochSecond(), expiryGauge(pinnedToV1));
        try (SSLSocket before = (SSLSocket) PinnedCertificate.sslContext(v1.cert()).getSocketFactory().createSocket("127.0.0.1", node.searchPort())) {
            before.setSoTimeout(30_000);
            assertTrue(get(before, "/health/live").startsWith("HTTP/1.1 200"));

            served.replaceWith(v2);
            HttpResponse<String> reload = reload(pinnedToV1);
            assertEquals(200, reload.statusCode(), reload.body());
            JsonObject answer = new JsonObject(reload.body());
            assertEquals(new JsonArray(List.of("search")), answer.getJsonArray("tls_reloaded"));
            assertEquals(new JsonObject(), answer.getJsonObject("tls_refused"));

            // a new connection is shown the renewed certificate: pinned to it, it connects; pinned to the old one, not
            HttpClient pinnedToV2 = HttpClient.newBuilder().sslContext(PinnedCertificate.sslContext(v2.cert())).build();
            assertEquals(v2.certificate().getNotAfter().toInstant().getEpochSecond(), expiryGauge(pinnedToV2));
            assertThrows(IOException.class, () -> HttpClient.newBuilder().sslContext(PinnedCertificate.sslContext(v1.cert())).build()
                    .send(request("/health/live").GET().build(), HttpResponse.BodyHandlers.ofString()));
            // the connection opened before goes on, in the session it had
            assertTrue(get(before, "/health/live").startsWith("HTTP/1.1 200"));
            assertEquals(v1.certificate().getSerialNumber(), ((X509Certificate) before.getSession().getPeerCertificates()[0]).getSerialNumber());

            JsonArray records = auditRecords(pinnedToV2, "dpd.ops");
            assertEquals(1, records.size(), records.encodePrettily());
            assertTrue(records.getJsonObject(0).getString("reason").contains("TLS certificate reloaded for search (serial "
                    + v2.certificate().getSerialNumber().toString(16).toUpperCase()), records.encodePrettily());

            // a renewal gone wrong, reloaded by SIGHUP: refused, recorded so, the renewed certificate stays served
            Files.copy(stranger.key(), served.key(), StandardCopyOption.REPLACE_EXISTING);
            node.reloader().reloadOnSignal().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertEquals(v2.certificate().getNotAfter().toInstant().getEpochSecond(), expiryGauge(pinnedToV2));
            JsonArray signal = auditRecords(pinnedToV2, ConfigReloader.SIGNAL_USER);
            assertEquals(1, signal.size(), signal.encodePrettily());
            String reason = signal.getJsonObject(0).getString("reason");
            assertTrue(reason.contains("TLS certificate NOT reloaded for search, the one served stays: search.tls_key_path (" + served.key()
                    + ") is not the private key"), reason);
            assertEquals("allowed", signal.getJsonObject(0).getString("outcome"), "the credentials' reload itself is applied");
            assertTrue(get(before, "/health/live").startsWith("HTTP/1.1 200"));
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.searchPort() + path)).timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<String> reload(HttpClient client) throws Exception {
        return client.send(request("/v1/ops/config/reload").header("Authorization", "Bearer demo-dpd-ops")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonArray auditRecords(HttpClient client, String user) throws Exception {
        HttpResponse<String> audit = client.send(request("/v1/audit?action=config_reload&format=json&user="
                        + java.net.URLEncoder.encode(user, StandardCharsets.UTF_8)).header("Authorization", "Bearer demo-dpd-auditor").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, audit.statusCode(), audit.body());
        return new JsonObject(audit.body()).getJsonArray("records");
    }

    /** The gauge's value on {@code /metrics}: the served certificate's notAfter in seconds since the epoch. */
    private long expiryGauge(HttpClient client) throws Exception {
        String metrics = client.send(request("/metrics").GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        String line = metrics.lines().filter(l -> l.startsWith(GAUGE)).findFirst().orElseThrow(() -> new AssertionError(metrics));
        return (long) Double.parseDouble(line.substring(GAUGE.length()).trim());
    }

    /** One HTTP/1.1 keep-alive GET on this very connection; the status line and headers. */
    private static String get(SSLSocket socket, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("closed after " + head);
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        int length = headers.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                .mapToInt(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElse(0);
        in.readNBytes(length);
        return headers;
    }
}
