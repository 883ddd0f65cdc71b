package org.platewarden.core.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a configuration reload does to the TLS listeners, read and checked ({@link LiveTls#reread})
 * and not yet in force: the renewed pairs to swap in, the pairs refused (the files changed, and fail
 * the start-up checks: the pair served stays), and files that changed but are not swapped (a client CA).
 */
public final class TlsReload {
    private static final Logger LOG = LoggerFactory.getLogger(TlsReload.class);
    public static final TlsReload NONE = new TlsReload(List.of(), Map.of(), List.of());

    record Swap(LiveCertificate target, CertificatePair pair) {
    }

    private final List<Swap> swaps;
    private final Map<String, String> refused;
    private final List<String> needsRestart;

    TlsReload(List<Swap> swaps, Map<String, String> refused, List<String> needsRestart) {
        this.swaps = List.copyOf(swaps);
        this.refused = Map.copyOf(refused);
        this.needsRestart = List.copyOf(needsRestart);
    }

    /** The listeners whose renewed certificate the reload puts in force, sorted. */
    public List<String> reloaded() {
        TreeSet<String> names = new TreeSet<>();
        for (Swap swap : swaps) names.addAll(swap.target().listeners());
        return List.copyOf(names);
    }

    /** Per listener, why its changed files are refused (it keeps serving the certificate it serves). */
    public Map<String, String> refused() {
        return new TreeMap<>(refused);
    }

    /** Configuration keys whose file changed but is not taken by a reload ({@code gateway.tls_client_ca_path}). */
    public List<String> needsRestart() {
        return needsRestart;
    }

    /** For the reload's line in the log and its audit record; empty when no TLS file changed. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Swap swap : swaps) {
            parts.add("TLS certificate reloaded for " + String.join(", ", swap.target().listeners()) + " (" + swap.pair().describe() + ")");
        }
        refused().forEach((listener, why) -> parts.add("TLS certificate NOT reloaded for " + listener
                + ", the one served stays: " + why));
        return parts.isEmpty() ? "" : "; " + String.join("; ", parts);
    }

    /** Swaps the renewed pairs in: new connections get them, open ones keep their session. Cheap. */
    public void apply() {
        for (Swap swap : swaps) {
            swap.target().serve(swap.pair());
            LOG.info("TLS certificate of {} reloaded: new connections get {}", String.join(", ", swap.target().listeners()), swap.pair().describe());
        }
        refused().forEach((listener, why) -> LOG.error("TLS certificate of {} NOT reloaded, it keeps serving the one it served: {}", listener, why));
    }
}
