package org.platewarden.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.time.Instant;
import org.platewarden.core.tls.LiveTls;
import org.platewarden.core.tls.TlsReload;

/**
 * A reload of the credentials from the configuration file, in two steps so that the caller can
 * record it in between: {@link #prepare} reads and validates the file as start-up does — blocking
 * (file I/O, and PBKDF2 for the demo-credential check): on a worker, never an event loop — and says
 * what would change; {@link Prepared#apply} puts the new credentials in force at once, if no other
 * reload came first. An invalid file changes nothing ({@link ConfigException}, every problem listed).
 *
 * <p>Only the credentials are taken ({@link Credentials}: agencies, cameras, static tokens, JWT keys).
 * Every other key that differs from what the node runs with — ports, the data directory, limits,
 * the Elasticsearch URL, a TLS file's path — is not applied and is listed as needing a restart. The
 * TLS listeners' certificate and key files are re-read at the paths the node started with
 * ({@link LiveTls#reread}): a renewal in place is swapped in.
 */
public final class ConfigReload {
    /** The top-level keys a reload applies; every other difference needs a restart. */
    static final Set<String> APPLIED_KEYS = Set.of("agencies", "cameras", "tokens", "jwt");
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConfigReload.class);

    private ConfigReload() {
    }

    /**
     * Reads the configuration again and compares it with what runs. Blocking.
     *
     * @param running the configuration the node started with (what its ports, limits and paths are)
     * @param live    the credentials in force
     * @param source  reads the configuration as the node did at start (the same file, flags and overrides)
     * @throws ConfigException the file cannot be read or is invalid: nothing changes
     */
    public static Prepared prepare(PlatewardenConfig running, LiveCredentials live, Supplier<PlatewardenConfig> source) {
        return prepare(running, live, source, LiveTls.NONE);
    }

    /**
     * As {@link #prepare(PlatewardenConfig, LiveCredentials, Supplier)}, and re-reads the certificate
     * and key files of the TLS listeners the node serves (at the paths it started with): renewed ones
     * are swapped in by {@link Prepared#apply}, ones that fail the start-up checks are refused and
     * reported, never failing the reload (a bad certificate must not block revoking a leaked credential).
     */
    public static Prepared prepare(PlatewardenConfig running, LiveCredentials live, Supplier<PlatewardenConfig> source, LiveTls tls) {
        PlatewardenConfig next = source.get();
        Credentials base = live.current();
        Credentials credentials = Credentials.of(next);
        List<String> publicOnes = DemoCredentials.inUse(next);
        if (!publicOnes.isEmpty()) {
            LOG.warn("the reloaded configuration holds the public demo credentials ({}): demo only, never for real data", String.join(", ", publicOnes));
        }
        TlsReload certificates = tls.reread(Instant.now());
        List<String> needsRestart = new ArrayList<>(needsRestart(running, next));
        needsRestart.addAll(certificates.needsRestart());
        return new Prepared(live, base, credentials, CredentialChanges.between(base, credentials), List.copyOf(new TreeSet<>(needsRestart)), certificates);
    }

    /** The keys, as paths ({@code gateway.http_port}), whose value differs and is not applied by a reload. */
    static List<String> needsRestart(PlatewardenConfig running, PlatewardenConfig next) {
        Set<String> paths = new TreeSet<>();
        JsonNode before = running.toTree();
        JsonNode after = next.toTree();
        Set<String> keys = new TreeSet<>();
        before.fieldNames().forEachRemaining(keys::add);
        after.fieldNames().forEachRemaining(keys::add);
        for (String key : keys) {
            if (!APPLIED_KEYS.contains(key)) differences(key, before.get(key), after.get(key), paths);
        }
        return List.copyOf(paths);
    }

    /** The leaves under {@code path} that differ; a list differs as a whole. */
    private static void differences(String path, JsonNode before, JsonNode after, Set<String> paths) {
        if (before != null && after != null && before.isObject() && after.isObject()) {
            Set<String> keys = new TreeSet<>();
            before.fieldNames().forEachRemaining(keys::add);
            for (Iterator<String> it = after.fieldNames(); it.hasNext(); ) keys.add(it.next());
            for (String key : keys) differences(path + "." + key, before.get(key), after.get(key), paths);
        } else if (before == null || !before.equals(after)) {
            paths.add(path);
        }
    }

    /** A reload read and validated, not yet in force. */
    public static final class Prepared {
        private final LiveCredentials live;
        private final Credentials base;
        private final Credentials next;
        private final CredentialChanges changes;
        private final List<String> needsRestart;
        private final TlsReload certificates;

        private Prepared(LiveCredentials live, Credentials base, Credentials next, CredentialChanges changes, List<String> needsRestart,
                         TlsReload certificates) {
            this.certificates = certificates;
            this.live = live;
            this.base = base;
            this.next = next;
            this.changes = changes;
            this.needsRestart = needsRestart;
        }

        public CredentialChanges changes() {
            return changes;
        }

        /** The keys that differ from what runs and are not applied ({@code gateway.http_port}, …). */
        public List<String> needsRestart() {
            return needsRestart;
        }

        /** The TLS listeners' renewed certificates it swaps in, and those it refuses. */
        public TlsReload certificates() {
            return certificates;
        }

        /** What the reload does, in one line for the log and the audit record: the counts, the TLS certificates, and what needs a restart. */
        public String describe() {
            return changes.summary() + certificates.describe() + (needsRestart.isEmpty() ? ""
                    : "; not applied, needs a restart: " + String.join(", ", needsRestart));
        }

        /**
         * Puts the new credentials in force (new connections and requests use them at once; the
         * listeners close the connections of removed and re-keyed cameras), and the renewed TLS
         * certificates (new connections get them, open ones keep their session). Cheap: may run on an event loop.
         *
         * @throws ReloadConflictException another reload was applied since this one was prepared: nothing changed
         */
        public void apply() {
            if (!live.replace(base, next, changes)) {
                throw new ReloadConflictException("another configuration reload was applied while this one was being read; nothing changed: reload again");
            }
            certificates.apply();
        }
    }

    /** A reload prepared against credentials another reload replaced meanwhile. */
    public static final class ReloadConflictException extends IllegalStateException {
        public ReloadConflictException(String message) {
            super(message);
        }
    }

    /** The problems of an invalid file, as one message ("invalid configuration: a; b"). */
    public static String problems(ConfigException e) {
        List<String> problems = new ArrayList<>(e.problems());
        return "invalid configuration, nothing changed: " + String.join("; ", problems);
    }
}
