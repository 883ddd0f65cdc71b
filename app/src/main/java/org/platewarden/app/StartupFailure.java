package org.platewarden.app;

import java.net.BindException;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.io.LockFile;

/** Turns a start-up exception into one sentence an operator can act on. */
final class StartupFailure {
    private StartupFailure() {
    }

    /** @param esPort the embedded Elasticsearch's port; 0 or less when the node runs none */
    static String describe(Throwable e, PlatewardenConfig config, int esPort) {
        Throwable root = e;
        while ((root instanceof ExecutionException || root.getCause() != null && root.getMessage() == null) && root.getCause() != null) {
            root = root.getCause();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            // a spool or journal another node uses: its message says which and what to do
            if (t instanceof LockFile.HeldException) return t.getMessage();
            // e.g. a node id another live node holds: its message names that node and what to do
            if (t instanceof StartRefusal) return t.getMessage();
        }
        if (root instanceof BindException) {
            return "a port is already in use (" + root.getMessage() + "). Platewarden listens on "
                    + config.gateway().httpPort() + " (gateway.http_port), " + config.gateway().mqttPort() + " (gateway.mqtt_port), "
                    + config.search().port() + " (search.port)" + (esPort > 0 ? " and, for the embedded Elasticsearch, " + esPort + " (--es-port)" : "")
                    + ". Stop the other process or choose other ports (./platewarden run --config FILE --demo).";
        }
        if (root instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
            // "NoSuchFileException: /srv/pw" alone does not say that the data directory could not be made
            String what = "cannot create or open " + f.getFile() + " (" + root.getClass().getSimpleName()
                    + (f.getReason() == null ? "" : ": " + f.getReason()) + ")";
            Path dataDir = config.dataPath().toAbsolutePath().normalize();
            if (!Path.of(f.getFile()).toAbsolutePath().normalize().startsWith(dataDir)) return what;
            return what + "; the data directory is " + dataDir + " (--data-dir or data_dir): check that it, or its parent, exists and is writable";
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /** The longest cause {@link #describePublicly} gives: the log has all of it. */
    static final int PUBLIC_MAX_CHARS = 300;
    private static final Pattern URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^\\s\\],;\"']+");

    /**
     * As {@link #describe}, for a public answer (8081's readiness): never where Elasticsearch is —
     * every URL, and {@code esUrl}'s host and port wherever they appear, become "Elasticsearch" — nor
     * the data directory's path (a locked or damaged journal's message names its file; the public
     * needs the file but not where the data directory is: {@code <data_dir>/audit/…}) — on one line
     * of at most {@value #PUBLIC_MAX_CHARS} characters.
     */
    static String describePublicly(Throwable e, PlatewardenConfig config, String esUrl) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // the other node's host, pid and data directory are for the log, not for the public
            if (t instanceof StartRefusal refusal) return publicly(refusal.publicMessage(), config, esUrl);
        }
        return publicly(describe(e, config, 0), config, esUrl);
    }

    /**
     * {@code text} made public as {@link #describePublicly} makes a failure's description; also the
     * port of {@code esUrl} where a message names it ("port 9200 on 127.0.0.1 is already in use").
     */
    static String publicly(String text, PlatewardenConfig config, String esUrl) {
        text = text.replaceAll("\\s*[\\r\\n]+\\s*", " ");
        text = URL.matcher(text).replaceAll("Elasticsearch");
        text = withoutDataDir(text, config);
        URI es = esUrl == null ? null : URI.create(esUrl);
        if (es != null && es.getHost() != null) {
            if (es.getRawAuthority() != null) text = text.replace(es.getRawAuthority(), "Elasticsearch");
            if (es.getPort() > 0) {
                text = text.replace(es.getHost() + ":" + es.getPort(), "Elasticsearch");
                text = text.replaceAll("\\bport " + es.getPort() + "\\b", "its port");
            }
            // the host alone as a word of its own (an UnknownHostException's message), not inside other words
            text = text.replaceAll("(?<![\\w.-])" + Pattern.quote(es.getHost()) + "(?![\\w-]|\\.\\w)", "Elasticsearch");
        }
        return text.length() <= PUBLIC_MAX_CHARS ? text : text.substring(0, PUBLIC_MAX_CHARS - 1) + "…";
    }

    /**
     * {@code text} with the data directory's path replaced by {@code <data_dir>}: its absolute form
     * anywhere, its configured (maybe relative, e.g. {@code data}) form only where a path inside it
     * starts, so that a word such as "metadata" stays as it is.
     */
    private static String withoutDataDir(String text, PlatewardenConfig config) {
        if (config == null || config.dataDir() == null || config.dataDir().isBlank()) return text;
        java.nio.file.Path configured = config.dataPath();
        String absolute = configured.toAbsolutePath().normalize().toString();
        if (absolute.length() > 1) text = text.replace(absolute, "<data_dir>");
        return text.replaceAll("(?<![\\w./<-])" + Pattern.quote(configured.toString()) + "(?=/)", "<data_dir>");
    }
}
