package org.platewarden.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;
import org.platewarden.testkit.RawHttp;
import org.platewarden.testkit.SelfSignedCertificate;

/** gateway.http_tls: the ingest port speaks HTTPS with the gateway's certificate, and only HTTPS. */
class HttpTlsTest {
    @TempDir
    Path dir;

    @Test
    void readsArePostedOverHttpsAndPlainHttpIsNotServed() throws Exception {
        SelfSignedCertificate tls = SelfSignedCertificate.create(dir, "gateway", "127.0.0.1", "IP:127.0.0.1");
        Path cert = tls.cert();
        Path key = tls.key();
        String over = "\"http_tls\":true,\"tls_cert_path\":" + GatewayHarness.JSON.valueToTree(cert.toString())
                + ",\"tls_key_path\":" + GatewayHarness.JSON.valueToTree(key.toString());
        try (GatewayHarness gw = GatewayHarness.start(dir.resolve("gw"), over, 64L * 1024 * 1024)) {
            HttpClient https = HttpClient.newBuilder().sslContext(trusting(cert)).build();
            HttpResponse<String> r = https.send(post("https", gw.httpPort()), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, r.statusCode(), r.body());
            assertTrue(gw.spooled().stream().anyMatch(d -> d.get("plate_norm").asText().equals("TLS777")));
            // the credentials are never taken in clear
            assertThrows(java.io.IOException.class, () -> HttpClient.newHttpClient().send(post("http", gw.httpPort()), HttpResponse.BodyHandlers.ofString()));
        }
    }

    @Test
    void overHttpsABodyRefusedUnreadClosesTheConnectionAndNoHttp2IsOffered() throws Exception {
        SelfSignedCertificate tls = SelfSignedCertificate.create(dir, "gateway", "127.0.0.1", "IP:127.0.0.1");
        String over = "\"http_tls\":true,\"tls_cert_path\":" + GatewayHarness.JSON.valueToTree(tls.cert().toString())
                + ",\"tls_key_path\":" + GatewayHarness.JSON.valueToTree(tls.key().toString()) + ",\"http_header_timeout_seconds\":2";
        try (GatewayHarness gw = GatewayHarness.start(dir.resolve("gw"), over, 64L * 1024 * 1024)) {
            for (String secret : new String[] {"demo-cam-001", "wrong"}) {
                String auth = GatewayHarness.basic("cam-001", secret);
                try (RawHttp c = RawHttp.connectTls("127.0.0.1", gw.httpPort(), trusting(tls.cert()))) {
                    // HTTP/1.1 only: a client offering h2 by ALPN gets no h2 (UnreadBodies would reset its streams instead)
                    assertNotEquals("h2", c.applicationProtocol());
                    RawHttp.Flood f = c.flood("POST /v1/reads HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAuthorization: "
                            + auth + "\r\nContent-Length: 100000000000\r\n\r\n", false, java.time.Duration.ofSeconds(6));
                    assertNotNull(f.answer(), "answered");
                    assertEquals(secret.equals("wrong") ? 401 : 413, f.answer().status(), f.answer().body());
                    assertTrue(f.answer().closes(), "Connection: close");
                    assertTrue(f.closed() && f.closedAfterAnswer().toMillis() < 1500, "closed promptly: " + f.closedAfterAnswer());
                    assertTrue(f.bodyBytesWritten() < 64L * 1024 * 1024, "bounded: " + f.bodyBytesWritten());
                }
            }
        }
    }

    private static HttpRequest post(String scheme, int port) {
        return HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + "/v1/reads"))
                .header("Authorization", GatewayHarness.basic("cam-001", "demo-cam-001")).header("Content-Type", "application/json")
                .timeout(java.time.Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(Reads.read("cam-001", "TLS777"))).build();
    }

    /** An SSL context that trusts exactly the test's self-signed certificate. */
    private static SSLContext trusting(Path certPem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certPem)) {
            trust.setCertificateEntry("gateway", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
