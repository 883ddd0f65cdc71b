package org.platewarden.core.config;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.platewarden.core.tls.CertificatePair;

/**
 * A TLS listener's certificate and key files, checked as Vert.x will load them: readable PEM, the
 * key the certificate's own, and the certificate valid now; and the MQTT listener's client CA
 * ({@code gateway.tls_client_ca_path}): PEM certificates, valid now. Vert.x finds none of this at listen
 * time: a key that is not the certificate's, or an expired certificate, makes every TLS handshake
 * fail while the node says it runs and logs nothing (probe-sec). Checked at start-up, where a problem
 * stops the start, and by a reload for the pair it would swap in ({@link org.platewarden.core.tls.LiveTls}),
 * where a problem keeps the old pair served and never blocks the reload of the credentials: a
 * certificate that expires while the node runs must not block the reload that revokes a leaked credential.
 */
public final class TlsFiles {
    private static final byte[] PROBE = "platewarden tls key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private TlsFiles() {
    }

    /** Every problem of the TLS files {@code config} names for the listeners of these roles, each naming its key. */
    public static List<String> problems(PlatewardenConfig config, boolean gateway, boolean search, Instant now) {
        List<String> problems = new ArrayList<>();
        if (gateway && (config.gateway().mqttTlsPort() != 0 || config.gateway().httpTls())) {
            problems.addAll(problems("gateway.tls_cert_path", config.gateway().tlsCertPath(), "gateway.tls_key_path", config.gateway().tlsKeyPath(), now));
        }
        if (gateway && config.gateway().mqttTlsPort() != 0 && config.gateway().tlsClientCaPath() != null) {
            problems.addAll(clientCaProblems("gateway.tls_client_ca_path", config.gateway().tlsClientCaPath(), now));
        }
        if (search && config.search().tls()) {
            problems.addAll(problems("search.tls_cert_path", config.search().tlsCertPath(), "search.tls_key_path", config.search().tlsKeyPath(), now));
        }
        return problems;
    }

    /** What is wrong with this certificate and key (the keys named as in the configuration); empty when they serve. */
    static List<String> problems(String certKey, String certPath, String keyKey, String keyPath, Instant now) {
        if (certPath == null || keyPath == null) return List.of(); // PlatewardenConfig says a missing path
        return load(certKey, certPath, keyKey, keyPath, now).problems();
    }

    /**
     * Reads and checks a certificate and its key (blocking: file I/O). The pair, when it serves, is
     * what was checked — the bytes read once — so a listener given it serves exactly that.
     */
    public static Loaded load(String certKey, String certPath, String keyKey, String keyPath, Instant now) {
        // loaded by the options the listener is given (their public API: from bytes, no Vertx needed)
        KeyStore store;
        X509KeyManager keys;
        byte[] digest;
        try {
            byte[] keyBytes = Files.readAllBytes(Path.of(keyPath));
            byte[] certBytes = Files.readAllBytes(Path.of(certPath));
            PemKeyCertOptions pem = new PemKeyCertOptions().setKeyValue(Buffer.buffer(keyBytes)).setCertValue(Buffer.buffer(certBytes));
            store = pem.loadKeyStore(null);
            keys = x509(pem.getKeyManagerFactory(null).getKeyManagers());
            digest = digest(certBytes, keyBytes);
        } catch (Exception e) {
            return Loaded.refused(certKey + " and " + keyKey + " cannot be loaded as a PEM certificate and its private key ("
                    + certPath + ", " + keyPath + "): " + e.getMessage());
        }
        try {
            String alias = Collections.list(store.aliases()).get(0);
            PrivateKey key = keys.getPrivateKey(alias);
            Certificate[] chain = store.getCertificateChain(alias);
            X509Certificate leaf = (X509Certificate) chain[0];
            List<String> problems = new ArrayList<>();
            if (!matches(key, leaf.getPublicKey())) {
                problems.add(keyKey + " (" + keyPath + ") is not the private key of the certificate in " + certKey + " ("
                        + leaf.getSubjectX500Principal().getName() + "): every TLS handshake would fail");
            }
            if (leaf.getNotAfter().toInstant().isBefore(now)) {
                problems.add(certKey + " (" + certPath + ", " + leaf.getSubjectX500Principal().getName() + ") expired on "
                        + leaf.getNotAfter().toInstant() + ": clients refuse it");
            } else if (leaf.getNotBefore().toInstant().isAfter(now)) {
                problems.add(certKey + " (" + certPath + ", " + leaf.getSubjectX500Principal().getName() + ") is not valid before "
                        + leaf.getNotBefore().toInstant() + ": clients refuse it");
            }
            return problems.isEmpty() ? new Loaded(new CertificatePair(leaf, keys, digest), List.of()) : new Loaded(null, problems);
        } catch (Exception e) {
            return Loaded.refused(certKey + " and " + keyKey + " cannot be checked (" + certPath + ", " + keyPath + "): " + e);
        }
    }

    /** A certificate and key as read: the pair when it serves, else why not (each problem naming its key). */
    public record Loaded(CertificatePair pair, List<String> problems) {
        static Loaded refused(String problem) {
            return new Loaded(null, List.of(problem));
        }
    }

    /** The earliest notAfter of the certificates in a client CA file (blocking: file I/O). */
    public static Instant clientCaNotAfter(String path) throws Exception {
        Instant earliest = null;
        for (Certificate certificate : clientCas(path)) {
            Instant notAfter = ((X509Certificate) certificate).getNotAfter().toInstant();
            if (earliest == null || notAfter.isBefore(earliest)) earliest = notAfter;
        }
        return earliest;
    }

    private static byte[] digest(byte[] cert, byte[] key) throws java.security.NoSuchAlgorithmException {
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update(cert);
        sha.update(key);
        return sha.digest();
    }

    /** What is wrong with a client CA file: not PEM certificates (the start failed naming no key), or one expired. */
    public static List<String> clientCaProblems(String key, String path, Instant now) {
        try {
            // the JDK reads PEM certificates itself (a file of several: each one)
            java.util.Collection<? extends Certificate> cas = clientCas(path);
            List<String> problems = new ArrayList<>();
            for (Certificate certificate : cas) {
                X509Certificate ca = (X509Certificate) certificate;
                if (ca.getNotAfter().toInstant().isBefore(now)) {
                    problems.add(key + " (" + path + ", " + ca.getSubjectX500Principal().getName() + ") expired on " + ca.getNotAfter().toInstant()
                            + ": no client certificate it signed is accepted");
                }
            }
            return problems;
        } catch (Exception e) {
            return List.of(key + " cannot be loaded as PEM CA certificates (" + path + "): " + e.getMessage());
        }
    }

    private static java.util.Collection<? extends Certificate> clientCas(String path) throws Exception {
        java.util.Collection<? extends Certificate> cas;
        try (java.io.InputStream in = Files.newInputStream(Path.of(path))) {
            cas = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (cas.isEmpty()) throw new java.security.cert.CertificateException("no certificate in it");
        return cas;
    }

    private static X509KeyManager x509(KeyManager[] managers) {
        for (KeyManager manager : managers) {
            if (manager instanceof X509KeyManager x509) return x509;
        }
        throw new IllegalStateException("no X.509 key manager");
    }

    /** Whether the public key verifies what the private key signs: the pair belongs together. */
    private static boolean matches(PrivateKey key, PublicKey certified) throws Exception {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) return key.getAlgorithm().equals(certified.getAlgorithm()); // nothing better to compare
        if (!key.getAlgorithm().equals(certified.getAlgorithm()) && !(algorithm.equals("Ed25519") && certified.getAlgorithm().startsWith("Ed"))) {
            return false;
        }
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(PROBE);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certified);
        verifier.update(PROBE);
        return verifier.verify(signature);
    }
}
