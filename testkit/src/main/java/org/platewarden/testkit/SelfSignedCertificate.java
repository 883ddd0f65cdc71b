package org.platewarden.testkit;

import java.io.IOException;
import java.nio.file.Path;

/** A throwaway server certificate and key made with openssl, for the TLS tests. */
public record SelfSignedCertificate(Path cert, Path key) {

    /**
     * Writes {@code <name>.pem} and {@code <name>.key} into {@code dir}: subject {@code CN=<cn>},
     * subjectAltName {@code san} (e.g. {@code IP:127.0.0.1} or {@code DNS:search.example.org}), one day.
     */
    public static SelfSignedCertificate create(Path dir, String name, String cn, String san) throws IOException, InterruptedException {
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + ".key");
        Process gen = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=" + cn, "-addext", "subjectAltName=" + san)
                .redirectErrorStream(true).start();
        String output = new String(gen.getInputStream().readAllBytes());
        if (gen.waitFor() != 0) throw new IOException("openssl could not make a test certificate: " + output);
        return new SelfSignedCertificate(cert, key);
    }
}
