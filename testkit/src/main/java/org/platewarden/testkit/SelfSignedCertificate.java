package org.platewarden.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A throwaway server certificate and key made with openssl, for the TLS tests. */
public record SelfSignedCertificate(Path cert, Path key) {

    /**
     * Writes {@code <name>.pem} and {@code <name>.key} into {@code dir}: subject {@code CN=<cn>},
     * subjectAltName {@code san} (e.g. {@code IP:127.0.0.1} or {@code DNS:search.example.org}), one day.
     */
    public static SelfSignedCertificate create(Path dir, String name, String cn, String san) throws IOException, InterruptedException {
        return create(dir, name, cn, san, 1);
    }

    /** Like {@link #create(Path, String, String, String)}, valid for {@code days} days (a renewal's later notAfter). */
    public static SelfSignedCertificate create(Path dir, String name, String cn, String san, int days) throws IOException, InterruptedException {
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + ".key");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", String.valueOf(days),
                "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=" + cn, "-addext", "subjectAltName=" + san);
        return new SelfSignedCertificate(cert, key);
    }

    /** Like {@link #create}, but a certificate that expired a day ago (its key is good). */
    public static SelfSignedCertificate expired(Path dir, String name, String cn) throws IOException, InterruptedException {
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + ".key");
        Path request = dir.resolve(name + ".csr");
        openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", request.toString(), "-subj", "/CN=" + cn);
        // x509 -req takes a negative -days (req -x509 does not): notAfter a day before notBefore = now
        openssl("x509", "-req", "-in", request.toString(), "-signkey", key.toString(), "-days", "-1", "-out", cert.toString());
        return new SelfSignedCertificate(cert, key);
    }

    /** The leaf certificate in this pair's certificate file (its serial and notAfter, as a client is shown them). */
    public java.security.cert.X509Certificate certificate() throws IOException, java.security.cert.CertificateException {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(cert)) {
            return (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** Renewal in place: this pair's files now hold {@code renewed}'s (as certbot's deploy hook copies them). */
    public void replaceWith(SelfSignedCertificate renewed) throws IOException {
        java.nio.file.Files.copy(renewed.cert(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        java.nio.file.Files.copy(renewed.key(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process gen = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(gen.getInputStream().readAllBytes());
        if (gen.waitFor() != 0) throw new IOException("openssl could not make a test certificate: " + output);
    }
}
