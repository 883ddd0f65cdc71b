package org.platewarden.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.gateway.testsupport.GatewayHarness;
import org.platewarden.gateway.testsupport.Reads;
import org.platewarden.testkit.SelfSignedCertificate;

/** The TLS listener (server certificate only) with mosquitto_pub verifying it against a test CA. */
class MqttTlsTest {
    @TempDir
    Path dir;

    @Test
    void qos1OverTls() throws Exception {
        SelfSignedCertificate tls = SelfSignedCertificate.create(dir, "cert", "127.0.0.1", "IP:127.0.0.1");
        Path cert = tls.cert();
        Path key = tls.key();
        int tlsPort;
        try (ServerSocket s = new ServerSocket(0)) {
            tlsPort = s.getLocalPort(); // mqtt_tls_port 0 means "off", so pick a free one
        }
        String over = "\"mqtt_tls_port\":" + tlsPort + ",\"tls_cert_path\":" + GatewayHarness.JSON.valueToTree(cert.toString())
                + ",\"tls_key_path\":" + GatewayHarness.JSON.valueToTree(key.toString());
        try (GatewayHarness gw = GatewayHarness.start(dir.resolve("gw"), over, 64L * 1024 * 1024)) {
            assertEquals(tlsPort, gw.verticle.mqttTlsPort());
            ProcessRun run = ProcessRun.run(List.of(MosquittoClientTest.MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", String.valueOf(tlsPort),
                    "--cafile", cert.toString(), "-V", "mqttv5", "-q", "1", "-u", "cam-001", "-P", "demo-cam-001",
                    "-t", "platewarden/reads/cam-001", "-m", Reads.read("cam-001", "TLS001")), null);
            assertEquals(0, run.exitCode(), run.output());
            assertTrue(gw.spooled().stream().anyMatch(d -> d.get("plate_norm").asText().equals("TLS001")));
        }
    }

    /** Client-certificate authentication: the certificate's CN is the camera; no password needed, none without it. */
    @Test
    void clientCertificateAuthenticatesTheCamera() throws Exception {
        SelfSignedCertificate tls = SelfSignedCertificate.create(dir, "cert", "127.0.0.1", "IP:127.0.0.1");
        Path cert = tls.cert();
        Path key = tls.key();
        Path ca = dir.resolve("ca.pem");
        Path caKey = dir.resolve("ca.key");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", caKey.toString(), "-out", ca.toString(),
                "-subj", "/CN=Demo Camera CA");
        Path camKey = dir.resolve("cam.key");
        Path camCsr = dir.resolve("cam.csr");
        Path camCert = dir.resolve("cam.pem");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", camKey.toString(), "-out", camCsr.toString(), "-subj", "/CN=cam-001");
        openssl("x509", "-req", "-in", camCsr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(), "-CAcreateserial",
                "-days", "1", "-out", camCert.toString());
        int tlsPort;
        try (ServerSocket s = new ServerSocket(0)) {
            tlsPort = s.getLocalPort();
        }
        String over = "\"mqtt_tls_port\":" + tlsPort + ",\"tls_cert_path\":" + GatewayHarness.JSON.valueToTree(cert.toString())
                + ",\"tls_key_path\":" + GatewayHarness.JSON.valueToTree(key.toString())
                + ",\"tls_client_ca_path\":" + GatewayHarness.JSON.valueToTree(ca.toString());
        try (GatewayHarness gw = GatewayHarness.start(dir.resolve("gw"), over, 64L * 1024 * 1024)) {
            ProcessRun withCert = ProcessRun.run(List.of(MosquittoClientTest.MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", String.valueOf(tlsPort),
                    "--cafile", cert.toString(), "--cert", camCert.toString(), "--key", camKey.toString(), "-V", "mqttv5", "-q", "1",
                    "-t", "platewarden/reads/cam-001", "-m", Reads.read("cam-001", "CRT001")), null);
            assertEquals(0, withCert.exitCode(), withCert.output());
            assertTrue(gw.spooled().stream().anyMatch(d -> d.get("plate_norm").asText().equals("CRT001")));

            ProcessRun withoutCert = ProcessRun.run(List.of(MosquittoClientTest.MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", String.valueOf(tlsPort),
                    "--cafile", cert.toString(), "-V", "mqttv5", "-q", "1", "-u", "cam-001", "-P", "demo-cam-001",
                    "-t", "platewarden/reads/cam-001", "-m", Reads.read("cam-001", "CRT002")), null);
            assertTrue(withoutCert.exitCode() != 0, "a camera without a client certificate must be refused: " + withoutCert.output());
            assertTrue(gw.spooled().stream().noneMatch(d -> d.get("plate_norm").asText().equals("CRT002")));

            ProcessRun otherName = ProcessRun.run(List.of(MosquittoClientTest.MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", String.valueOf(tlsPort),
                    "--cafile", cert.toString(), "--cert", camCert.toString(), "--key", camKey.toString(), "-V", "mqttv5", "-q", "1",
                    "-u", "cam-002", "-t", "platewarden/reads/cam-002", "-m", Reads.read("cam-002", "CRT003")), null);
            assertTrue(otherName.exitCode() != 0, "a username that is not the certificate's camera must be refused: " + otherName.output());
        }
    }

    private void openssl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        ProcessRun run = ProcessRun.run(command, null);
        assertEquals(0, run.exitCode(), run.output());
    }
}
