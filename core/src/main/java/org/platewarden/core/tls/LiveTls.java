package org.platewarden.core.tls;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.net.KeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.platewarden.core.config.ConfigException;
import org.platewarden.core.config.GatewayConfig;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.config.TlsFiles;

/**
 * The TLS certificates a node serves, by listener: {@value #MQTT} (the MQTT TLS port) and
 * {@value #HTTP_INGEST} (HTTPS ingest) share the gateway's pair, {@value #SEARCH} has its own, and
 * {@value #CLIENT_CA} is the CA the MQTT TLS port checks client certificates against. Read at start;
 * a configuration reload re-reads the pairs ({@link #reread}) and swaps renewed ones in without a
 * restart. The client CA is read at start only: a changed file is listed as needing a restart.
 */
public final class LiveTls {
    public static final String MQTT = "mqtt";
    public static final String HTTP_INGEST = "http_ingest";
    public static final String SEARCH = "search";
    public static final String CLIENT_CA = "client_ca";
    static final String CLIENT_CA_KEY = "gateway.tls_client_ca_path";
    /** A node that serves no TLS. */
    public static final LiveTls NONE = new LiveTls(List.of(), null);

    /** The client CA as read at start: its earliest notAfter, and its bytes' digest to notice a change. */
    private record ClientCa(String path, Instant notAfter, byte[] digest) {
    }

    private final List<LiveCertificate> pairs;
    private final ClientCa clientCa;

    private LiveTls(List<LiveCertificate> pairs, ClientCa clientCa) {
        this.pairs = List.copyOf(pairs);
        this.clientCa = clientCa;
    }

    /**
     * Reads and checks the files of the TLS listeners of the roles the node runs (blocking: at start,
     * off the event loops). Fails as start-up's check does, naming every problem.
     */
    public static LiveTls load(PlatewardenConfig config, boolean gateway, boolean search, Instant now) {
        List<String> problems = new ArrayList<>();
        List<LiveCertificate> pairs = new ArrayList<>();
        GatewayConfig gw = config.gateway();
        ClientCa ca = null;
        if (gateway && (gw.mqttTlsPort() != 0 || gw.httpTls())) {
            List<String> listeners = new ArrayList<>();
            if (gw.httpTls()) listeners.add(HTTP_INGEST);
            if (gw.mqttTlsPort() != 0) listeners.add(MQTT);
            load("gateway.tls_cert_path", gw.tlsCertPath(), "gateway.tls_key_path", gw.tlsKeyPath(), listeners, now, pairs, problems);
            if (gw.mqttTlsPort() != 0 && gw.tlsClientCaPath() != null) {
                problems.addAll(TlsFiles.clientCaProblems(CLIENT_CA_KEY, gw.tlsClientCaPath(), now));
                if (problems.isEmpty()) ca = clientCa(gw.tlsClientCaPath(), problems);
            }
        }
        if (search && config.search().tls()) {
            load("search.tls_cert_path", config.search().tlsCertPath(), "search.tls_key_path", config.search().tlsKeyPath(), List.of(SEARCH),
                    now, pairs, problems);
        }
        if (!problems.isEmpty()) throw new ConfigException(problems);
        return new LiveTls(pairs, ca);
    }

    private static void load(String certKey, String certPath, String keyKey, String keyPath, List<String> listeners, Instant now,
                             List<LiveCertificate> pairs, List<String> problems) {
        TlsFiles.Loaded loaded = TlsFiles.load(certKey, certPath, keyKey, keyPath, now);
        if (loaded.pair() == null) {
            problems.addAll(loaded.problems());
        } else {
            pairs.add(new LiveCertificate(certKey, certPath, keyKey, keyPath, listeners, loaded.pair()));
        }
    }

    private static ClientCa clientCa(String path, List<String> problems) {
        try {
            return new ClientCa(path, TlsFiles.clientCaNotAfter(path), sha256(path));
        } catch (Exception e) {
            problems.add(CLIENT_CA_KEY + " cannot be read (" + path + "): " + e);
            return null;
        }
    }

    private static byte[] sha256(String path) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(Path.of(path)));
    }

    /** What a listener is given to serve its certificate, swapped by a reload; null when it serves none here. */
    public KeyCertOptions keyCertOptions(String listener) {
        LiveCertificate pair = pairOf(listener);
        return pair == null ? null : pair.keyCertOptions();
    }

    /**
     * What a listener is given: the live options when this node's pair serves it, else the files at
     * these paths, read by Vert.x when it listens and never again (a listener deployed without a node's
     * {@code LiveTls}: tests).
     */
    public KeyCertOptions keyCertOptions(String listener, String certPath, String keyPath) {
        KeyCertOptions live = keyCertOptions(listener);
        return live != null ? live : new io.vertx.core.net.PemKeyCertOptions().setCertPath(certPath).setKeyPath(keyPath);
    }

    private LiveCertificate pairOf(String listener) {
        for (LiveCertificate pair : pairs) {
            if (pair.listeners().contains(listener)) return pair;
        }
        return null;
    }

    /** Per listener, the notAfter of the certificate it serves now (the client CA's: its earliest). */
    public Map<String, Instant> expiries() {
        Map<String, Instant> expiries = new LinkedHashMap<>();
        for (LiveCertificate pair : pairs) {
            for (String listener : pair.listeners()) expiries.put(listener, pair.served().notAfter());
        }
        if (clientCa != null) expiries.put(CLIENT_CA, clientCa.notAfter());
        return expiries;
    }

    /** {@code platewarden_tls_certificate_expiry_timestamp_seconds{listener}}: the served certificate's notAfter, in seconds since the epoch. */
    public void registerGauges(MeterRegistry registry) {
        for (String listener : expiries().keySet()) {
            Gauge.builder("platewarden.tls.certificate.expiry.timestamp", this, tls -> {
                        Instant notAfter = tls.expiries().get(listener);
                        return notAfter == null ? Double.NaN : notAfter.getEpochSecond();
                    }).baseUnit("seconds").tag("listener", listener)
                    .description("when the TLS certificate the listener serves now expires (its notAfter), in seconds since the epoch;"
                            + " for client_ca, the earliest notAfter in the client CA file")
                    .register(registry);
        }
    }

    /**
     * Reads every pair's files again and checks them as start-up does (blocking: on a worker). A pair
     * whose files are unchanged is left alone; a changed one that passes is to be swapped in, one that
     * fails is refused and the pair served stays.
     */
    public TlsReload reread(Instant now) {
        List<TlsReload.Swap> swaps = new ArrayList<>();
        Map<String, String> refused = new LinkedHashMap<>();
        for (LiveCertificate pair : pairs) {
            TlsFiles.Loaded loaded = pair.reread(now);
            if (loaded.pair() != null) {
                if (!loaded.pair().sameFilesAs(pair.served())) swaps.add(new TlsReload.Swap(pair, loaded.pair()));
            } else {
                for (String listener : pair.listeners()) refused.put(listener, String.join("; ", loaded.problems()));
            }
        }
        List<String> needsRestart = new ArrayList<>();
        if (clientCa != null && !sameBytes(clientCa)) needsRestart.add(CLIENT_CA_KEY);
        return new TlsReload(swaps, refused, needsRestart);
    }

    /** Whether the client CA file still holds what was read at start (unreadable: it changed). */
    private static boolean sameBytes(ClientCa ca) {
        try {
            return Arrays.equals(ca.digest(), sha256(ca.path()));
        } catch (Exception e) {
            return false;
        }
    }
}
