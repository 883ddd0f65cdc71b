package org.platewarden.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code kill -HUP <pid>} reloads the node's credentials ({@link ConfigReloader#reloadOnSignal}).
 * Without this handler the JVM treats SIGHUP as a request to stop (it runs the shutdown hooks), so a
 * signal meant as "reload" would stop the node. {@code sun.misc.Signal} (module {@code jdk.unsupported},
 * on the class path of Java 17 and later without options) is the JDK's one way to catch a signal.
 *
 * <p>The handler runs on the JVM's signal thread and only starts the reload (whose file reading and
 * validation run on a worker); a SIGHUP that arrives while one is under way starts another, which
 * is applied after it or refused if it read the file before the first was applied. Not installed
 * when the JVM cannot hand the signal over: started with {@code -Xrs}, or with SIGHUP ignored (under
 * {@code nohup}): the endpoint and {@code ops config-reload} reload such a node.
 */
final class SighupReload {
    private static final Logger LOG = LoggerFactory.getLogger(SighupReload.class);
    private static final Signal HUP = new Signal("HUP");

    private SighupReload() {
    }

    /**
     * What reloads a node whose SIGHUP cannot be caught: the endpoint and {@code ops config-reload} are
     * the search API's, so a node without the search role (a gateway or indexer node) has neither and
     * only a restart changes its credentials.
     */
    static String otherWays(boolean searchRole) {
        return searchRole
                ? "use POST /v1/ops/config/reload or ./platewarden ops config-reload"
                : "this node runs no search role, so it has no POST /v1/ops/config/reload (nor ./platewarden ops config-reload):"
                        + " its credentials and TLS certificates change only with a restart; start it with SIGHUP not ignored (without nohup) to reload them";
    }

    /**
     * Installs the handler ({@code searchRole}: whether the node runs the search API, whose endpoint
     * is the other way to reload); the returned handle puts the previous one back. Null when the signal
     * cannot be caught here (logged).
     */
    static AutoCloseable install(ConfigReloader reloader, boolean searchRole) {
        SignalHandler previous;
        try {
            previous = Signal.handle(HUP, signal -> {
                LOG.info("SIGHUP: reloading the configuration's credentials");
                reloader.reloadOnSignal();
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn("SIGHUP cannot reload the configuration in this JVM ({}); {}", e.getMessage(), otherWays(searchRole));
            return null;
        }
        if (previous == SignalHandler.SIG_IGN) {
            // the signal was ignored when the JVM started (nohup): the JVM leaves it so, and our handler never runs
            Signal.handle(HUP, previous);
            LOG.warn("SIGHUP is ignored by this process (started under nohup?), so it cannot reload the configuration; {}",
                    otherWays(searchRole));
            return null;
        }
        SignalHandler restore = previous;
        return () -> Signal.handle(HUP, restore);
    }
}
