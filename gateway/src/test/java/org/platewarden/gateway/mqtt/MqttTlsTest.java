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

/** The TLS listener (server certificate only) with mosquitto_pub verifying it against a test CA. */
class MqttTlsTest {
    @TempDir
    Path dir;

    @Test
    void qos1OverTls() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        ProcessRun gen = ProcessRun.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"), null);
        assertEquals(0, gen.exitCode(), gen.output());
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
}
