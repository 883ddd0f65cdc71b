package org.platewarden.app;

import java.net.BindException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
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
}
