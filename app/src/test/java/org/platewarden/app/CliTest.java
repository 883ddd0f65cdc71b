package org.platewarden.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.SecretHash;

/** The CLI's failures: one "ERROR: …" line and a non-zero exit code, never a stack trace. */
class CliTest {
    @TempDir
    Path dir;

    private final CliCapture capture = new CliCapture();
    private final StringWriter out = capture.out;
    private final StringWriter err = capture.err;
    private final InputStream stdin = System.in;

    @AfterEach
    void restoreStdin() {
        System.setIn(stdin);
    }

    private int cli(String... args) {
        return capture.run(args);
    }

    private void assertError(String expected) {
        String text = err.toString();
        assertTrue(text.startsWith("ERROR: "), text);
        assertTrue(text.contains(expected), text);
        assertFalse(text.contains("\tat "), "no stack trace: " + text);
    }

    @Test
    void anUnparseableConfigIsAConfigErrorWithOrWithoutDemo() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"gateway\":{\n");
        assertEquals(2, cli("run", "--demo", "--config", broken.toString()));
        assertError("invalid configuration");
        assertError("cannot read config file " + broken);
        assertEquals(2, cli("run", "--config", broken.toString()));
        assertError("cannot read config file " + broken);
    }

    /** A TLS key that is not the certificate's stops run before anything opens (it failed every handshake, silently). */
    @Test
    void runRefusesATlsKeyThatIsNotTheCertificates() throws Exception {
        org.platewarden.testkit.SelfSignedCertificate server = org.platewarden.testkit.SelfSignedCertificate.create(dir, "server", "localhost", "DNS:localhost");
        org.platewarden.testkit.SelfSignedCertificate other = org.platewarden.testkit.SelfSignedCertificate.create(dir, "other", "localhost", "DNS:localhost");
        // the HTTP port is taken: a run that did not check the key first would open the spool and fail there (exit 1)
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path config = Files.writeString(dir.resolve("tls.json"), "{\"demo\":true,\"gateway\":{\"host\":\"127.0.0.1\",\"http_port\":"
                    + taken.getLocalPort() + ",\"mqtt_port\":0,\"http_tls\":true,\"tls_cert_path\":\"" + server.cert()
                    + "\",\"tls_key_path\":\"" + other.key() + "\"}}");
            assertEquals(2, cli("run", "--demo", "--config", config.toString(), "--roles", "gateway", "--data-dir", dir.resolve("data").toString()));
        }
        assertError("gateway.tls_key_path (" + other.key() + ") is not the private key of the certificate in gateway.tls_cert_path");
        assertFalse(Files.exists(dir.resolve("data").resolve("spool")), "nothing opened");
    }

    /** A YAML file fails on its first key: the error says the file is JSON. */
    @Test
    void aYamlConfigIsToldTheFormatIsJson() throws Exception {
        Path yaml = Files.writeString(dir.resolve("platewarden.yaml"), "node_id: node-1\nindex_prefix: city\n");
        assertEquals(2, cli("run", "--config", yaml.toString()));
        assertError("cannot read config file " + yaml + ": Unrecognized token 'node_id'");
        assertError("(the configuration file is JSON, as deploy/config.example.json)");
    }

    /** The demo configuration is valid but has no jwt section: not "invalid configuration", and what to do. */
    @Test
    void aTokenFromAConfigurationWithoutJwtSaysWhatToPass() {
        assertEquals(2, cli("token", "--user", "dpd.jwt", "--agency", "DPD", "--roles", "investigator"));
        assertError("ERROR: the configuration has no HS256 jwt section");
        assertError("the demo configuration has none: pass --config FILE with one");
        assertFalse(err.toString().contains("invalid configuration"), err.toString());
    }

    @Test
    void anEsPortOutOfRangeIsABadArgument() {
        for (String port : new String[] {"70000", "-1"}) {
            assertEquals(2, cli("run", "--es-port", port, "--data-dir", dir.toString()), port);
            assertError("--es-port must be 0..65535 (0: any free port), not " + port + " (see ./platewarden run --help)");
        }
    }

    @Test
    void aMissingTokenFileIsABadArgumentNamedAsSuch() {
        Path missing = dir.resolve("no-token");
        for (String command : new String[] {"config-reload", "retention-run", "compaction-run"}) {
            assertEquals(2, cli("ops", command, "--data-dir", dir.toString(), "--token-file", missing.toString()), command);
            assertError("no such token file: " + missing);
        }
    }

    @Test
    void aMissingConfigFileIsNamed() {
        Path missing = dir.resolve("nonexistent.json");
        assertEquals(2, cli("audit", "verify", "--config", missing.toString()));
        assertError("cannot read config file " + missing + ": no such file");
    }

    @Test
    void opsWithoutANodeOrWithAnUnreachableClusterSaysSoInOneLine() throws Exception {
        // the suite runs with ES_URL set (the shared node), which would take precedence over the config
        ClusterAccess.environment = name -> name.equals("ES_URL") ? null : System.getenv(name);
        try {
            opsWithoutANodeOrWithAnUnreachableCluster();
        } finally {
            ClusterAccess.environment = System::getenv;
        }
    }

    private void opsWithoutANodeOrWithAnUnreachableCluster() throws Exception {
        assertEquals(1, cli("ops", "indices", "--data-dir", dir.toString()));
        assertError("no ES_URL, no es_url in the config, and no running node");
        // the node may be running under another data dir: the message names where it looked and what to pass
        assertEquals(1, cli("audit", "verify", "--data-dir", dir.toString()));
        assertError("no ES_URL, no es_url in the config, and no running node found in the data dir " + dir.toAbsolutePath().normalize());
        assertTrue(err.toString().contains("pass the same --data-dir or --config it was started with"), err.toString());
        assertTrue(err.toString().contains("--es-url"), err.toString());
        // --es-url, for a machine without the node's data dir: it is used (here unreachable, and named as given)
        assertEquals(1, cli("audit", "verify", "--index-only", "--data-dir", dir.toString(), "--es-url", "http://127.0.0.1:1"));
        assertError("cannot reach Elasticsearch at http://127.0.0.1:1 (from --es-url)");
        // a gateway-only node runs here: it uses no Elasticsearch, and names none for the CLI to use
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve("node.json"), "{\"pid\":1,\"gateway_http_port\":8080,\"mqtt_port\":1883,\"search_port\":-1}");
        assertEquals(1, cli("audit", "verify", "--index-only", "--data-dir", dir.toString()));
        assertError("the node running on the data dir " + dir.toAbsolutePath().normalize() + " is gateway-only and uses no Elasticsearch");
        Files.delete(run.resolve("node.json"));
        Path unreachable = Files.writeString(dir.resolve("es.json"), "{\"es_url\":\"http://127.0.0.1:1\"}");
        assertEquals(1, cli("ops", "indices", "--config", unreachable.toString(), "--data-dir", dir.toString()));
        assertError("cannot reach Elasticsearch");
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }

    @Test
    void hashSecretRefusesNoOrAnEmptySecretAndReadsStdin() {
        System.setIn(new ByteArrayInputStream(new byte[0]));
        assertEquals(2, cli("hash-secret"));
        assertError("no secret");
        assertEquals(2, cli("hash-secret", ""));
        assertError("empty");
        System.setIn(new ByteArrayInputStream("first\n\nthird\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(2, cli("hash-secret"));
        assertError("empty");
        System.setIn(new ByteArrayInputStream("s3cret-one\ns3cret-two\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(0, cli("hash-secret"), err.toString());
        String[] hashes = out.toString().strip().split("\n");
        assertEquals(2, hashes.length, out.toString());
        assertTrue(SecretHash.verify("s3cret-one", hashes[0]));
        assertTrue(SecretHash.verify("s3cret-two", hashes[1]));
        assertEquals(0, cli("hash-secret", "s3cret-one"));
        assertTrue(SecretHash.verify("s3cret-one", out.toString().strip()));
    }

    @Test
    void tokenRefusesATokenTheServerWouldRefuse() throws Exception {
        Path config = Files.writeString(dir.resolve("jwt.json"), "{\"jwt\":{\"algorithm\":\"HS256\",\"secret\":\"" + "k".repeat(40) + "\"}}");
        String[] base = {"token", "--demo", "--config", config.toString(), "--user", "u"};
        assertEquals(2, cli(with(base, "--agency", "DPD", "--roles", "investigator", "--ttl-minutes", "0")));
        assertError("--ttl-minutes must be 1..");
        assertEquals(2, cli(with(base, "--agency", "DPD", "--roles", "investigator", "--ttl-minutes", "-5")));
        assertError("--ttl-minutes must be 1..");
        assertEquals(2, cli(with(base, "--agency", "DPD", "--roles", "godmode,auditor")));
        assertError("unknown role godmode");
        assertEquals(2, cli("token", "--demo", "--config", config.toString(), "--user", "anonymous", "--agency", "DPD", "--roles", "auditor"));
        assertError("--user may not be");
        assertEquals(2, cli("token", "--demo", "--config", config.toString(), "--user", "DPD.Auditor", "--agency", "DPD", "--roles", "auditor"));
        assertError("--user 'DPD.Auditor' is the user of a configured static token");
        assertEquals(2, cli(with(base, "--agency", "NOPE", "--roles", "investigator")));
        assertError("unknown agency NOPE");
        assertEquals(2, cli(with(base, "--agency", "DPD", "--roles", "investigator", "--ttl-minutes", "1441")));
        assertError("longer than the server accepts (jwt.max_lifetime_seconds 86400 = 1440 minutes)");
        assertEquals(0, cli(with(base, "--agency", "DPD", "--roles", "investigator,auditor", "--ttl-minutes", "5")), err.toString());
        String payload = new String(Base64.getUrlDecoder().decode(out.toString().strip().split("\\.")[1]), StandardCharsets.UTF_8);
        assertTrue(payload.contains("\"exp\":") && payload.contains("\"roles\":[\"investigator\",\"auditor\"]"), payload);
    }

    /** With jwt.issuer and jwt.audience set, a minted token carries them, and the search API's authenticator accepts it. */
    @Test
    void tokenCarriesTheConfiguredIssuerAndAudienceSoTheServerAcceptsIt() throws Exception {
        Path one = Files.writeString(dir.resolve("aud.json"), "{\"jwt\":{\"algorithm\":\"HS256\",\"secret\":\"" + "k".repeat(40)
                + "\",\"issuer\":\"pw-city\",\"audience\":\"platewarden-search\"}}");
        assertEquals(0, cli("token", "--demo", "--config", one.toString(), "--user", "jo", "--agency", "DPD", "--roles", "investigator"), err.toString());
        String token = out.toString().strip();
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        assertTrue(payload.contains("\"aud\":\"platewarden-search\"") && payload.contains("\"iss\":\"pw-city\""), payload);
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            org.platewarden.search.auth.Authenticator server = new org.platewarden.search.auth.Authenticator(vertx,
                    org.platewarden.core.config.PlatewardenConfig.loadOverDemo(one));
            assertEquals("jo", server.authenticate("Bearer " + token).toCompletionStage().toCompletableFuture()
                    .get(10, java.util.concurrent.TimeUnit.SECONDS).user());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }

        Path two = Files.writeString(dir.resolve("auds.json"), "{\"jwt\":{\"algorithm\":\"HS256\",\"secret\":\"" + "k".repeat(40)
                + "\",\"audience\":[\"pw-search\",\"https://pw.example/api\"]}}");
        assertEquals(0, cli("token", "--demo", "--config", two.toString(), "--user", "jo", "--agency", "DPD", "--roles", "investigator"), err.toString());
        payload = new String(Base64.getUrlDecoder().decode(out.toString().strip().split("\\.")[1]), StandardCharsets.UTF_8);
        assertTrue(payload.contains("\"aud\":[\"pw-search\",\"https://pw.example/api\"]"), payload);
    }

    @Test
    void anUnknownRunRoleIsNamed() {
        String message = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Role.parse("gateway,gatway")).getMessage();
        assertTrue(message.contains("unknown role 'gatway'") && message.contains("gateway, indexer, search or all"), message);
    }

    private static String[] with(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
