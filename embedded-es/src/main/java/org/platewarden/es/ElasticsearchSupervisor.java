package org.platewarden.es;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches the embedded node and keeps it running: when it could not be started, when its process
 * exits without {@link EmbeddedElasticsearch#stop()} — before it ever answered (a failed bootstrap
 * check, a port taken, a full disk, a crash in start-up) or after (killed, out of memory, a crash) —
 * and when it has not even opened its HTTP port within its start timeout (a boot that hung: it is
 * killed), it is started again on the same port and data after a back-off of
 * {@value #FIRST_DELAY_MS} ms, doubling to {@value #MAX_DELAY_MS} ms while starts keep failing, for
 * as long as it takes; a start that answers resets the back-off. A node that has opened its HTTP port
 * but is not yet yellow is left to recover its shards, however long that takes: killed, it would
 * start that recovery over.
 * <p>
 * An owner with nothing to keep running meanwhile (a Platewarden node without the gateway, which
 * then exits for its own supervisor to restart) has a failed start before the node ever answered
 * not restarted: this then {@link #gaveUp() gives up}, and the owner reports it. Everything here
 * blocks (the launch, the wait for the exit, the back-off, the health polls): it runs on a thread
 * of its own.
 */
public final class ElasticsearchSupervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSupervisor.class);
    static final long FIRST_DELAY_MS = 1_000;
    static final long MAX_DELAY_MS = 30_000;
    /** how often a (re)started node is asked whether it answers */
    static final long POLL_MS = 1_000;
    /** how often the console log of a node that answers is checked against its limit: one stat */
    static final long CONSOLE_LOG_CHECK_MS = 5_000;

    /**
     * The last failed start: the how-manyth in a row, when, why — "exited with code 78 before it
     * answered", naming neither host, port nor path unless an exception's message does — and when the
     * next start begins.
     */
    public record Failure(int inARow, Instant at, String cause, Instant next) {
    }

    private final EmbeddedElasticsearch node;
    /** whether the node answers now (its health check; a test may script it) */
    private final BooleanSupplier answers;
    /** whether its HTTP port is open (it booted); a test may script it */
    private final BooleanSupplier listens;
    private final Duration bootTimeout;
    private final boolean restartFailedStarts;
    private final AtomicLong restarts = new AtomicLong();
    /** true once the node answered, seen here or by the owner ({@link #answered()}) */
    private volatile boolean answeredOnce;
    private volatile Failure failure;
    private volatile boolean gaveUp;
    private volatile boolean closed;
    // the supervising thread's own
    private int inARow;
    /** starts tried so far: each after the first that starts a process is a restart */
    private int attempts;
    /** whether a launch started a process: later starts are relaunches (what is left of the last one is killed first) */
    private boolean launched;
    private Thread thread;

    /**
     * @param restartFailedStarts whether a node that fails to start before it ever answered is
     *                            started again (false: this gives up, and the owner reports it)
     */
    public ElasticsearchSupervisor(EmbeddedElasticsearch node, boolean restartFailedStarts) {
        this(node, restartFailedStarts, node::answers, node::listens, node.startTimeout());
    }

    ElasticsearchSupervisor(EmbeddedElasticsearch node, boolean restartFailedStarts, BooleanSupplier answers, BooleanSupplier listens,
                            Duration bootTimeout) {
        this.node = node;
        this.restartFailedStarts = restartFailedStarts;
        this.answers = answers;
        this.listens = listens;
        this.bootTimeout = bootTimeout;
    }

    /** Launches the node (unless it runs already) and keeps it running, on a thread of its own. */
    public synchronized void start() {
        if (thread != null || closed) return;
        thread = new Thread(this::supervise, "embedded-es-supervisor");
        thread.setDaemon(true);
        thread.start();
    }

    /** How many times the node was started again after a failed start or an exit. */
    public long restarts() {
        return restarts.get();
    }

    /** The last failed start; null before any and once a start answered. */
    public Failure failure() {
        return failure;
    }

    /** True once a start failed before the node ever answered and, not restarting those, this stopped: {@link #failure()} says why. */
    public boolean gaveUp() {
        return gaveUp;
    }

    /**
     * The owner saw the node answer (its own health check may come before this one's poll): a node
     * that exits right after is restarted like any other that died, also by an owner that does not
     * restart failed starts.
     */
    public void answered() {
        answeredOnce = true;
    }

    private void supervise() {
        try {
            String cause = startNode();
            while (!closed) {
                if (cause == null) cause = watch();
                if (cause == null) return; // closed, or the node stopped
                inARow++;
                long delay = delayAfter(inARow);
                Instant now = Instant.now();
                failure = new Failure(inARow, now, cause, now.plusMillis(delay));
                if (!answeredOnce && !restartFailedStarts) {
                    gaveUp = true; // the owner reports it
                    return;
                }
                LOG.warn("the embedded Elasticsearch {}: starting it again in {} s (restart {}; {} failed in a row; its log: {}); until it"
                        + " answers, what needs it waits or fails", cause, delay / 1000.0, restarts.get() + 1, inARow, node.logFile());
                Thread.sleep(delay);
                if (closed) return;
                cause = startNode();
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** Launches (or relaunches) the node; null once started (or nothing to start: stopped, or it runs), else why not. */
    private String startNode() throws InterruptedException {
        boolean again = attempts++ > 0;
        try {
            if (!launched) {
                node.launch();
                launched = true;
            } else if (!node.relaunch()) {
                return null;
            }
            if (again) restarts.incrementAndGet();
            return null;
        } catch (IOException e) {
            if (closed || node.isStopped()) return null; // watch() then finds nothing running, and this ends
            LOG.error("the embedded Elasticsearch could not be started: {} (its log: {})", e.getMessage(), node.logFile());
            return "could not be started: " + e.getMessage();
        }
    }

    /**
     * Watches the process running now until it ends: returns why, as a failure; null once closed or
     * stopped. Resets the failures in a row when it answers; kills it when it has not opened its
     * HTTP port within the boot timeout.
     */
    private String watch() throws InterruptedException {
        long started = System.nanoTime();
        boolean listened = false;
        while (!closed) {
            if (!node.isRunning()) {
                Integer code = node.exitCode();
                return code == null ? null : "exited with code " + code + " before it answered";
            }
            if (answers.getAsBoolean()) return watchAnswering(started);
            node.boundConsoleLog(); // a boot recovering its shards may run for minutes, logging
            listened = listened || listens.getAsBoolean();
            if (!listened && System.nanoTime() - started > bootTimeout.toNanos()) {
                LOG.error("the embedded Elasticsearch has not opened its HTTP port within {} s of its start: killing it (its log: {});"
                        + " last log lines:\n{}", bootTimeout.toSeconds(), node.logFile(), EmbeddedElasticsearch.tail(node.logFile(), 20));
                node.killHung();
                return "did not open its HTTP port within " + bootTimeout.toSeconds() + " s of its start, and was killed";
            }
            Thread.sleep(POLL_MS);
        }
        return null;
    }

    /**
     * The node answers: until its process exits (the launcher logs that exit, with its last log
     * lines), keeping its console log bounded meanwhile.
     */
    private String watchAnswering(long started) throws InterruptedException {
        if (failure != null) {
            LOG.info("the embedded Elasticsearch answers{} at {}, {} s after restart {} ({} failed in a row before)", answeredOnce ? " again" : "",
                    node.url(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), restarts.get(), inARow);
        }
        answeredOnce = true;
        failure = null;
        inARow = 0;
        while (!node.awaitExit(CONSOLE_LOG_CHECK_MS)) node.boundConsoleLog();
        Integer code = node.awaitUnexpectedExit();
        return code == null || closed ? null : "exited with code " + code + " after it answered";
    }

    /** {@value #FIRST_DELAY_MS} ms after the first failure, doubling to {@value #MAX_DELAY_MS} ms. */
    static long delayAfter(int failures) {
        return Math.min(FIRST_DELAY_MS << Math.min(failures - 1, 20), MAX_DELAY_MS);
    }

    /**
     * Stops restarting; the owner stops the node after this. Does not wait for the thread: a start
     * under way finishes, and the node's stop (synchronized with it) stops what it started.
     */
    @Override
    public synchronized void close() {
        closed = true;
        if (thread != null) thread.interrupt();
    }
}
