package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.tls.LiveTls;
import org.platewarden.core.tls.TlsReload;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;
import org.platewarden.testkit.SelfSignedCertificate;

/**
 * A certificate renewed in place (the files at the configured paths replaced, as certbot's deploy
 * hook does) and reloaded: new MQTT TLS and HTTPS ingest connections get the new one on every event
 * loop, connections opened before keep their session and go on working, and a renewed pair whose key
 * is not the certificate's is refused while the pair served stays. Real TLS clients: the JDK's
 * SSLSocket, Vert.x's MQTT and HTTP clients, and mosquitto_pub verifying against the new certificate.
 */
class TlsRenewalTest {
    @TempDir
    Path dir;

    @Test
    void aRenewedPairIsServedToNewConnectionsAndOpenOnesKeepWorking() throws Exception {
        SelfSignedCertificate served = SelfSignedCertificate.create(dir, "served", "127.0.0.1", "IP:127.0.0.1", 1);
        SelfSignedCertificate renewed = SelfSignedCertificate.create(dir, "renewed", "127.0.0.1", "IP:127.0.0.1", 30);
        SelfSignedCertificate stranger = SelfSignedCertificate.create(dir, "stranger", "127.0.0.1", "IP:127.0.0.1", 60);
        X509Certificate first = served.certificate();
        X509Certificate second = renewed.certificate();
        int tlsPort;
        try (ServerSocket s = new ServerSocket(0)) {
            tlsPort = s.getLocalPort(); // mqtt_tls_port 0 means "off"
        }
        String over = "\"event_loops\":2,\"http_tls\":true,\"mqtt_tls_port\":" + tlsPort
                + ",\"tls_cert_path\":" + GatewayHarness.JSON.valueToTree(served.cert().toString())
                + ",\"tls_key_path\":" + GatewayHarness.JSON.valueToTree(served.key().toString());
        try (GatewayHarness gw = GatewayHarness.start(dir.resolve("gw"), over, 64L * 1024 * 1024)) {
            gw.tls.registerGauges(gw.registry);
            assertEquals(first.getSerialNumber(), presented(tlsPort).getSerialNumber());
            assertEquals(first.getSerialNumber(), presented(gw.httpPort()).getSerialNumber());
            assertEquals(first.getNotAfter().toInstant().getEpochSecond(), expiryGauge(gw, LiveTls.MQTT));
            assertEquals(first.getNotAfter().toInstant().getEpochSecond(), expiryGauge(gw, LiveTls.HTTP_INGEST));

            // opened before the renewal: an MQTT session and an HTTPS keep-alive connection
            MqttClient before = MqttClient.create(gw.vertx, new MqttClientOptions().setUsername("cam-001").setPassword("demo-cam-001")
                    .setClientId("before-" + System.nanoTime()).setSsl(true).setTrustAll(true).setHostnameVerificationAlgorithm(""));
            VertxMqttClientTest.await(before.connect(tlsPort, "127.0.0.1"));
            publishAcked(before, "OLD001");
            HttpClientAgent https = gw.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
            HttpClientConnection kept = VertxMqttClientTest.await(https.connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(gw.httpPort())));
            assertEquals(202, post(kept, "OLD002"));

            served.replaceWith(renewed);
            TlsReload reload = gw.tls.reread(java.time.Instant.now());
            assertEquals(List.of(LiveTls.HTTP_INGEST, LiveTls.MQTT), reload.reloaded());
            assertEquals(Map.of(), reload.refused());
            reload.apply();

            // every new connection, whichever event loop takes it, gets the renewed certificate
            for (int i = 0; i < 4; i++) {
                assertEquals(second.getSerialNumber(), presented(tlsPort).getSerialNumber());
                assertEquals(second.getSerialNumber(), presented(gw.httpPort()).getSerialNumber());
            }
            assertEquals(second.getNotAfter(), presented(tlsPort).getNotAfter());
            assertEquals(second.getNotAfter().toInstant().getEpochSecond(), expiryGauge(gw, LiveTls.MQTT));
            assertEquals(second.getNotAfter().toInstant().getEpochSecond(), expiryGauge(gw, LiveTls.HTTP_INGEST));
            // an independent client that trusts only the renewed certificate connects and is acknowledged
            ProcessRun mosquitto = ProcessRun.run(List.of(MosquittoClientTest.MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", String.valueOf(tlsPort),
                    "--cafile", renewed.cert().toString(), "-V", "mqttv5", "-q", "1", "-u", "cam-002", "-P", "demo-cam-002",
                    "-t", "platewarden/reads/cam-002", "-m", Reads.read("cam-002", "NEW001")), null);
            assertEquals(0, mosquitto.exitCode(), mosquitto.output());

            // the connections opened before go on, with the session they had
            publishAcked(before, "OLD003");
            assertEquals(202, post(kept, "OLD004"));
            assertEquals(first.getSerialNumber(), ((X509Certificate) kept.peerCertificates().get(0)).getSerialNumber());

            // a renewal gone wrong (the key of another certificate): refused, the renewed pair stays served
            java.nio.file.Files.copy(stranger.key(), served.key(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            TlsReload bad = gw.tls.reread(java.time.Instant.now());
            assertEquals(List.of(), bad.reloaded());
            assertEquals(List.of(LiveTls.HTTP_INGEST, LiveTls.MQTT), List.copyOf(bad.refused().keySet()));
            assertTrue(bad.refused().get(LiveTls.MQTT).startsWith("gateway.tls_key_path (" + served.key() + ") is not the private key"),
                    bad.refused().toString());
            assertTrue(bad.describe().contains("TLS certificate NOT reloaded for mqtt, the one served stays"), bad.describe());
            bad.apply();
            assertEquals(second.getSerialNumber(), presented(tlsPort).getSerialNumber());
            assertEquals(second.getSerialNumber(), presented(gw.httpPort()).getSerialNumber());
            assertEquals(second.getNotAfter().toInstant().getEpochSecond(), expiryGauge(gw, LiveTls.MQTT));
            publishAcked(before, "OLD005");

            VertxMqttClientTest.await(before.disconnect());
            List<String> plates = gw.spooled().stream().map(d -> d.get("plate_norm").asText()).toList();
            assertTrue(plates.containsAll(List.of("OLD001", "OLD002", "NEW001", "OLD003", "OLD004", "OLD005")), plates.toString());
        }
    }

    @Test
    void unchangedFilesAreNotSwapped() throws Exception {
        SelfSignedCertificate served = SelfSignedCertificate.create(dir, "served", "127.0.0.1", "IP:127.0.0.1", 1);
        String over = "\"http_tls\":true,\"tls_cert_path\":" + GatewayHarness.JSON.valueToTree(served.cert().toString())
                + ",\"tls_key_path\":" + GatewayHarness.JSON.valueToTree(served.key().toString());
        try (GatewayHarness gw = GatewayHarness.start(dir.resolve("gw"), over, 64L * 1024 * 1024)) {
            TlsReload reload = gw.tls.reread(java.time.Instant.now());
            assertEquals(List.of(), reload.reloaded());
            assertEquals(Map.of(), reload.refused());
            assertEquals("", reload.describe());
            assertNotEquals(null, gw.tls.keyCertOptions(LiveTls.HTTP_INGEST));
            assertEquals(null, gw.tls.keyCertOptions(LiveTls.MQTT), "no MQTT TLS port here");
        }
    }

    private static void publishAcked(MqttClient client, String plate) throws Exception {
        CompletableFuture<Integer> acked = new CompletableFuture<>();
        client.publishCompletionHandler(acked::complete);
        VertxMqttClientTest.await(client.publish("platewarden/reads/cam-001", Buffer.buffer(Reads.read("cam-001", plate)),
                MqttQoS.AT_LEAST_ONCE, false, false));
        acked.get(20, TimeUnit.SECONDS);
    }

    private static int post(HttpClientConnection connection, String plate) throws Exception {
        return VertxMqttClientTest.await(connection.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/v1/reads")
                        .putHeader("Authorization", GatewayHarness.basic("cam-001", "demo-cam-001")).putHeader("Content-Type", "application/json"))
                .compose(request -> request.send(Reads.read("cam-001", plate)))
                .compose(response -> response.body().map(body -> response.statusCode())));
    }

    private static long expiryGauge(GatewayHarness gw, String listener) {
        return (long) gw.registry.get("platewarden.tls.certificate.expiry.timestamp").tag("listener", listener).gauge().value();
    }

    /** The certificate a new TLS connection to the port is shown (the JDK's client, trusting any: the test reads what it gets). */
    static X509Certificate presented(int port) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[]{new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }
}
