package org.platewarden.core.tls;

import io.vertx.core.net.KeyCertOptions;
import java.time.Instant;
import java.util.List;
import org.platewarden.core.config.TlsFiles;

/**
 * One certificate and key file pair and the listeners that serve it (the gateway's pair serves MQTT
 * TLS and HTTPS ingest): the pair served now, and the {@link KeyCertOptions} those listeners are given,
 * through which a reload's new pair reaches their next handshakes. The files are re-read at the paths
 * the node started with; a changed path in the configuration needs a restart.
 */
public final class LiveCertificate {
    private final String certKey;
    private final String certPath;
    private final String keyKey;
    private final String keyPath;
    private final List<String> listeners;
    private final SwappableKeyManager keys;
    private final KeyCertOptions options;
    private volatile CertificatePair served;

    LiveCertificate(String certKey, String certPath, String keyKey, String keyPath, List<String> listeners, CertificatePair pair) {
        this.certKey = certKey;
        this.certPath = certPath;
        this.keyKey = keyKey;
        this.keyPath = keyPath;
        this.listeners = List.copyOf(listeners);
        this.keys = new SwappableKeyManager(pair.keys());
        this.options = KeyCertOptions.wrap(keys);
        this.served = pair;
    }

    /** What the listeners are given instead of the file paths: the pair in force at each handshake. */
    public KeyCertOptions keyCertOptions() {
        return options;
    }

    public CertificatePair served() {
        return served;
    }

    /** The listeners serving this pair ({@code mqtt}, {@code http_ingest}, {@code search}). */
    public List<String> listeners() {
        return listeners;
    }

    /** Reads and checks the files again, as start-up does. Blocking: file I/O. */
    TlsFiles.Loaded reread(Instant now) {
        return TlsFiles.load(certKey, certPath, keyKey, keyPath, now);
    }

    /** From the next handshake on, every listener of this pair serves {@code pair}. */
    void serve(CertificatePair pair) {
        keys.serve(pair.keys());
        served = pair;
    }
}
