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
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + ".key");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
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

    private static void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process gen = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(gen.getInputStream().readAllBytes());
        if (gen.waitFor() != 0) throw new IOException("openssl could not make a test certificate: " + output);
    }
}
