package org.platewarden.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.ConfigException;
import org.platewarden.core.config.ConfigReload;
import org.platewarden.core.config.LiveCredentials;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.testkit.SelfSignedCertificate;

/** What a reload does to the served certificates, before any listener: swap, refuse, or leave alone. */
class LiveTlsTest {
    @TempDir
    Path dir;

    @Test
    void aHandshakeThatChoseItsAliasBeforeASwapGetsThatPairsChainAndKey() throws Exception {
        SelfSignedCertificate pair = SelfSignedCertificate.create(dir, "search", "localhost", "DNS:localhost", 1);
        SelfSignedCertificate renewed = SelfSignedCertificate.create(dir, "renewed", "localhost", "DNS:localhost", 30);
        LiveTls tls = LiveTls.load(CertificateExpiryWatchTest.searchTls(pair), false, true, Instant.now());
        SwappableKeyManager keys = keyManager(tls);
        String chosenBefore = keys.chooseEngineServerAlias("RSA", null, null);

        pair.replaceWith(renewed);
        tls.reread(Instant.now()).apply();

        String chosenAfter = keys.chooseEngineServerAlias("RSA", null, null);
        assertNotEquals(chosenBefore, chosenAfter);
        X509Certificate old = keys.getCertificateChain(chosenBefore)[0];
        assertNotEquals(renewed.certificate().getSerialNumber(), old.getSerialNumber());
        assertEquals(renewed.certificate().getSerialNumber(), keys.getCertificateChain(chosenAfter)[0].getSerialNumber());
        assertEquals(old.getPublicKey().getAlgorithm(), keys.getPrivateKey(chosenBefore).getAlgorithm());
        assertEquals(null, keys.chooseEngineServerAlias("EC", null, null), "an RSA pair is not offered for an EC key type");
    }

    @Test
    void aReloadSwapsARenewedPairAndRefusesABadOneKeepingWhatIsServed() throws Exception {
        SelfSignedCertificate pair = SelfSignedCertificate.create(dir, "search", "localhost", "DNS:localhost", 1);
        SelfSignedCertificate renewed = SelfSignedCertificate.create(dir, "renewed", "localhost", "DNS:localhost", 30);
        SelfSignedCertificate stranger = SelfSignedCertificate.create(dir, "stranger", "localhost", "DNS:localhost", 30);
        PlatewardenConfig config = CertificateExpiryWatchTest.searchTls(pair);
        LiveTls tls = LiveTls.load(config, false, true, Instant.now());
        LiveCredentials credentials = LiveCredentials.of(config);
        assertEquals(Map.of(LiveTls.SEARCH, pair.certificate().getNotAfter().toInstant()), tls.expiries());

        ConfigReload.Prepared unchanged = ConfigReload.prepare(config, credentials, () -> config, tls);
        assertEquals(List.of(), unchanged.certificates().reloaded());
        assertTrue(!unchanged.describe().contains("TLS"), unchanged.describe());

        pair.replaceWith(renewed);
        ConfigReload.Prepared renewal = ConfigReload.prepare(config, credentials, () -> config, tls);
        assertEquals(List.of(LiveTls.SEARCH), renewal.certificates().reloaded());
        assertTrue(renewal.describe().contains("TLS certificate reloaded for search (serial "
                + renewed.certificate().getSerialNumber().toString(16).toUpperCase() + ", valid until "), renewal.describe());
        renewal.apply();
        assertEquals(renewed.certificate().getNotAfter().toInstant(), tls.expiries().get(LiveTls.SEARCH));

        Files.copy(stranger.key(), pair.key(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ConfigReload.Prepared refused = ConfigReload.prepare(config, credentials, () -> config, tls);
        assertEquals(List.of(), refused.certificates().reloaded());
        assertTrue(refused.certificates().refused().get(LiveTls.SEARCH).contains("is not the private key of the certificate"),
                refused.certificates().refused().toString());
        assertTrue(refused.describe().contains("TLS certificate NOT reloaded for search, the one served stays: search.tls_key_path"),
                refused.describe());
        refused.apply(); // the credentials are still applied: a bad certificate never blocks a revocation
        assertEquals(renewed.certificate().getNotAfter().toInstant(), tls.expiries().get(LiveTls.SEARCH));
        assertEquals(renewed.certificate().getSerialNumber(), keyManager(tls).getCertificateChain(keyManager(tls).chooseEngineServerAlias("RSA", null, null))[0].getSerialNumber());
    }

    @Test
    void aChangedPathNeedsARestartAndTheFilesAtTheRunningPathsAreRead() throws Exception {
        SelfSignedCertificate pair = SelfSignedCertificate.create(dir, "search", "localhost", "DNS:localhost", 1);
        SelfSignedCertificate moved = SelfSignedCertificate.create(dir, "moved", "localhost", "DNS:localhost", 30);
        PlatewardenConfig config = CertificateExpiryWatchTest.searchTls(pair);
        LiveTls tls = LiveTls.load(config, false, true, Instant.now());
        ConfigReload.Prepared reload = ConfigReload.prepare(config, LiveCredentials.of(config),
                () -> CertificateExpiryWatchTest.searchTls(moved), tls);
        assertEquals(List.of("search.tls_cert_path", "search.tls_key_path"), reload.needsRestart());
        assertEquals(List.of(), reload.certificates().reloaded());
    }

    @Test
    void aChangedClientCaIsListedAsNeedingARestart() throws Exception {
        SelfSignedCertificate pair = SelfSignedCertificate.create(dir, "gw", "localhost", "DNS:localhost", 1);
        SelfSignedCertificate ca = SelfSignedCertificate.create(dir, "ca", "Camera CA", "DNS:ca", 20);
        SelfSignedCertificate nextCa = SelfSignedCertificate.create(dir, "next-ca", "Camera CA", "DNS:ca", 40);
        PlatewardenConfig config = PlatewardenConfig.demoConfig().with("{\"gateway\":{\"mqtt_tls_port\":8883,\"tls_cert_path\":\"" + pair.cert()
                + "\",\"tls_key_path\":\"" + pair.key() + "\",\"tls_client_ca_path\":\"" + ca.cert() + "\"}}");
        LiveTls tls = LiveTls.load(config, true, false, Instant.now());
        assertEquals(ca.certificate().getNotAfter().toInstant(), tls.expiries().get(LiveTls.CLIENT_CA));
        assertEquals(List.of(), tls.reread(Instant.now()).needsRestart());
        Files.copy(nextCa.cert(), ca.cert(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(List.of("gateway.tls_client_ca_path"), tls.reread(Instant.now()).needsRestart());
    }

    @Test
    void aBadPairStopsTheStartNamingItsKey() throws Exception {
        SelfSignedCertificate pair = SelfSignedCertificate.create(dir, "search", "localhost", "DNS:localhost", 1);
        SelfSignedCertificate stranger = SelfSignedCertificate.create(dir, "stranger", "localhost", "DNS:localhost", 1);
        Files.copy(stranger.key(), pair.key(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ConfigException e = assertThrows(ConfigException.class,
                () -> LiveTls.load(CertificateExpiryWatchTest.searchTls(pair), false, true, Instant.now()));
        assertTrue(e.problems().get(0).startsWith("search.tls_key_path (" + pair.key() + ") is not the private key"), e.problems().toString());
        assertSame(null, LiveTls.NONE.keyCertOptions(LiveTls.SEARCH));
    }

    private static SwappableKeyManager keyManager(LiveTls tls) throws Exception {
        javax.net.ssl.KeyManager[] managers = tls.keyCertOptions(LiveTls.SEARCH).getKeyManagerFactory(null).getKeyManagers();
        return (SwappableKeyManager) managers[0];
    }
}
