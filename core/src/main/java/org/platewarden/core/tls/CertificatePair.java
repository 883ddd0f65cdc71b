package org.platewarden.core.tls;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import javax.net.ssl.X509KeyManager;

/**
 * A certificate and its key as read from their files and checked ({@link org.platewarden.core.config.TlsFiles#load}):
 * the key manager that serves them, the leaf certificate (what a client is shown), and a digest of
 * the two files' bytes, which tells a renewed pair from the one served.
 */
public record CertificatePair(X509Certificate leaf, X509KeyManager keys, byte[] digest) {

    public Instant notAfter() {
        return leaf.getNotAfter().toInstant();
    }

    /** The serial number in hex, as {@code openssl x509 -serial} shows it. */
    public String serial() {
        return leaf.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT);
    }

    /** Whether the files held the same bytes as those this pair was read from. */
    public boolean sameFilesAs(CertificatePair other) {
        return other != null && Arrays.equals(digest, other.digest);
    }

    /** For the log: "serial 1A2B…, valid until …". */
    public String describe() {
        return "serial " + serial() + ", valid until " + notAfter();
    }
}
