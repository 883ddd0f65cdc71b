package org.platewarden.core.log;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the node does with an error after which the JVM cannot be trusted to go on: an
 * {@link OutOfMemoryError} or another {@link VirtualMachineError} (not a stack overflow: see
 * {@link #report}) that reached a handler of last
 * resort (an event loop's exception handler, a dying thread's). Such an error can end an event
 * loop's thread (Netty logs it and the loop is gone: a chaos test that ran a gateway out of heap
 * saw two die), leaving the node half alive, its connections and listeners on those loops no longer
 * served, until someone restarts it.
 *
 * <p>So it is logged as an ERROR and, in a node started by {@code platewarden run}
 * ({@link #exitOnFatal}), the process ends at once with exit code {@value #EXIT_CODE} (as the JVM's
 * own {@code -XX:+ExitOnOutOfMemoryError}, which the launcher sets, does for heap exhaustion), for a
 * supervisor to restart it: no shutdown hook runs (it would need the memory and the event loops
 * that are gone). Nothing acknowledged is lost: a read is acknowledged only once it is fsynced in
 * the spool, a search only once its audit record is; a camera resends what was not acknowledged.
 * Elsewhere (tests, tools) it is only logged.
 */
public final class FatalErrors {
    /** The exit code, the JVM's for ExitOnOutOfMemoryError too. */
    public static final int EXIT_CODE = 3;
    private static final Logger LOG = LoggerFactory.getLogger(FatalErrors.class);
    private static volatile Consumer<Throwable> onFatal = t -> { };

    private FatalErrors() {
    }

    /** From now on a fatal error ends the process ({@code platewarden run} only). */
    public static void exitOnFatal() {
        onFatal = t -> Runtime.getRuntime().halt(EXIT_CODE);
    }

    /** For tests: what a fatal error does from now on; returns what it did before. */
    static Consumer<Throwable> onFatal(Consumer<Throwable> action) {
        Consumer<Throwable> before = onFatal;
        onFatal = action;
        return before;
    }

    /**
     * Handles {@code error} if it is fatal and returns true; returns false, doing nothing, for any
     * other. Fatal: a {@link VirtualMachineError} (out of memory, the JVM's internal error), but not
     * a {@link StackOverflowError}: one request's deep recursion unwinds with its stack, and ending
     * the node for it would let one input restart it.
     */
    public static boolean report(Throwable error, String where) {
        if (!(error instanceof VirtualMachineError) || error instanceof StackOverflowError) return false;
        try {
            LOG.error("FATAL: {} on {}; the process cannot be trusted to go on and ends now, for its supervisor to restart it"
                    + " (exit code {}; nothing acknowledged is lost)", error, where, EXIT_CODE);
        } catch (Throwable loggingFailed) {
            // out of memory even for that: the exit matters more than the line
        }
        onFatal.accept(error);
        return true;
    }
}
