package org.platewarden.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.testkit.SelfSignedCertificate;

/**
 * The start-up check of the TLS listeners' files: a key that is not the certificate's, an expired
 * certificate or a file that is no PEM is refused naming its key, since Vert.x listens with them and
 * then fails every handshake without a log line (probe-sec).
 */
class TlsFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aCertificateWithItsOwnKeyPasses() throws Exception {
        SelfSignedCertificate tls = SelfSignedCertificate.create(dir, "server", "localhost", "DNS:localhost");
        assertEquals(List.of(), TlsFiles.problems(config(tls.cert(), tls.key(), tls.cert(), tls.key()), true, true, Instant.now()));
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedNamingTheKey() throws Exception {
        SelfSignedCertificate server = SelfSignedCertificate.create(dir, "server", "localhost", "DNS:localhost");
        SelfSignedCertificate other = SelfSignedCertificate.create(dir, "other", "localhost", "DNS:localhost");
        PlatewardenConfig config = config(server.cert(), other.key(), server.cert(), other.key());

        List<String> problems = TlsFiles.problems(config, true, true, Instant.now());

        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("gateway.tls_key_path (" + other.key() + ") is not the private key of the certificate in gateway.tls_cert_path"), problems.get(0));
        assertTrue(problems.get(1).startsWith("search.tls_key_path (" + other.key() + ") is not the private key"), problems.get(1));
        // only the listeners of the roles that run are checked
        assertEquals(1, TlsFiles.problems(config, false, true, Instant.now()).size());
        assertEquals(List.of(), TlsFiles.problems(config, false, false, Instant.now()));
    }

    @Test
    void anExpiredCertificateIsRefusedWithItsDate() throws Exception {
        SelfSignedCertificate expired = SelfSignedCertificate.expired(dir, "old", "localhost");
        SelfSignedCertificate good = SelfSignedCertificate.create(dir, "good", "localhost", "DNS:localhost");

        List<String> problems = TlsFiles.problems(config(expired.cert(), expired.key(), good.cert(), good.key()), true, true, Instant.now());

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("gateway.tls_cert_path (" + expired.cert() + ", CN=localhost) expired on "), problems.get(0));
    }

    @Test
    void aFileThatIsNoPemCertificateIsRefusedNamingBothKeys() throws Exception {
        SelfSignedCertificate good = SelfSignedCertificate.create(dir, "good", "localhost", "DNS:localhost");
        Path notPem = Files.writeString(dir.resolve("cert.txt"), "not a certificate\n");

        List<String> problems = TlsFiles.problems(config(good.cert(), good.key(), notPem, good.key()), true, true, Instant.now());

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("search.tls_cert_path and search.tls_key_path cannot be loaded as a PEM certificate"), problems.get(0));
    }

    @Test
    void aClientCaThatIsNoPemCertificateOrHasExpiredIsRefusedNamingItsKey() throws Exception {
        SelfSignedCertificate good = SelfSignedCertificate.create(dir, "good", "localhost", "DNS:localhost");
        SelfSignedCertificate expired = SelfSignedCertificate.expired(dir, "old-ca", "Old CA");

        assertEquals(List.of(), TlsFiles.clientCaProblems("gateway.tls_client_ca_path", good.cert().toString(), Instant.now()));
        // a key file where the CA goes: the start failed with "Missing -----BEGIN CERTIFICATE----- delimiter", naming no key
        List<String> notPem = TlsFiles.clientCaProblems("gateway.tls_client_ca_path", good.key().toString(), Instant.now());
        assertEquals(1, notPem.size(), notPem.toString());
        assertTrue(notPem.get(0).startsWith("gateway.tls_client_ca_path cannot be loaded as PEM CA certificates (" + good.key() + ")"), notPem.get(0));
        List<String> old = TlsFiles.clientCaProblems("gateway.tls_client_ca_path", expired.cert().toString(), Instant.now());
        assertEquals(1, old.size(), old.toString());
        assertTrue(old.get(0).startsWith("gateway.tls_client_ca_path (" + expired.cert() + ", CN=Old CA) expired on "), old.get(0));

        PlatewardenConfig config = config(good.cert(), good.key(), good.cert(), good.key())
                .with("{\"gateway\":{\"tls_client_ca_path\":" + JSON.valueToTree(good.key().toString()) + "}}");
        assertEquals(1, TlsFiles.problems(config, true, false, Instant.now()).size(), "checked with the gateway's files");
    }

    private static PlatewardenConfig config(Path gatewayCert, Path gatewayKey, Path searchCert, Path searchKey) {
        return PlatewardenConfig.demoConfig().with("{\"demo\":true,\"gateway\":{\"mqtt_tls_port\":8883,\"http_tls\":true,\"tls_cert_path\":"
                + JSON.valueToTree(gatewayCert.toString()) + ",\"tls_key_path\":" + JSON.valueToTree(gatewayKey.toString())
                + "},\"search\":{\"tls_cert_path\":" + JSON.valueToTree(searchCert.toString()) + ",\"tls_key_path\":"
                + JSON.valueToTree(searchKey.toString()) + "}}");
    }
}
