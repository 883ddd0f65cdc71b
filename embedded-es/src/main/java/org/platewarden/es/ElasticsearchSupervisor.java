package org.platewarden.es;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a launched embedded node running once it has answered: when its process exits without
 * {@link EmbeddedElasticsearch#stop()} (killed, out of memory, a crash), it is started again on the
 * same port and data after a back-off of {@value #FIRST_DELAY_MS} ms, doubling to
 * {@value #MAX_DELAY_MS} ms while restarts keep failing (exiting before they answer, or not
 * starting at all), for as long as it takes; a restarted node that answers resets the back-off.
 * <p>
 * A node that exits before it ever answered is not restarted: that is a failed start (a bootstrap
 * check, a bad setting), which would fail again, and its owner reports it. Everything here blocks
 * (the wait for the exit, the back-off, the health polls): it runs on a thread of its own.
 */
public final class ElasticsearchSupervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSupervisor.class);
    static final long FIRST_DELAY_MS = 1_000;
    static final long MAX_DELAY_MS = 30_000;
    /** how often a (re)started node is asked whether it answers */
    static final long POLL_MS = 1_000;

    private final EmbeddedElasticsearch node;
    /** whether the node answers now (its health check; a test may script it) */
    private final BooleanSupplier answers;
    private final AtomicLong restarts = new AtomicLong();
    /** true once the node answered: from then on an exit of it is restarted */
    private volatile boolean supervising;
    private volatile boolean closed;
    private Thread thread;

    public ElasticsearchSupervisor(EmbeddedElasticsearch node) {
        this(node, node::answers);
    }

    ElasticsearchSupervisor(EmbeddedElasticsearch node, BooleanSupplier answers) {
        this.node = node;
        this.answers = answers;
    }

    /** Starts watching a node already launched. */
    public synchronized void start() {
        if (thread != null || closed) return;
        thread = new Thread(this::supervise, "embedded-es-supervisor");
        thread.setDaemon(true);
        thread.start();
    }

    /** How many times the node was started again after it exited. */
    public long restarts() {
        return restarts.get();
    }

    /**
     * True once the node has answered: from then on an exit is restarted rather than a failed start
     * (an owner waiting for it to answer must not give up because of one).
     */
    public boolean supervising() {
        return supervising;
    }

    private void supervise() {
        try {
            if (!awaitAnswer()) return; // exited before it ever answered: a failed start, its owner says so
            supervising = true;
            int failures = 0;
            while (!closed) {
                Integer code = node.awaitUnexpectedExit();
                if (code == null || closed) return; // stopped
                failures++;
                long delay = delayAfter(failures);
                LOG.warn("restarting the embedded Elasticsearch in {} s (restart {}; {} failed in a row; its log: {}); until it answers"
                        + " again, what needs it fails", delay / 1000.0, restarts.get() + 1, failures, node.logFile());
                Thread.sleep(delay);
                if (closed || !restart()) continue;
                long started = System.nanoTime();
                if (awaitAnswer()) {
                    LOG.info("the embedded Elasticsearch answers again at {}, {} s after restart {}", node.url(),
                            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), restarts.get());
                    failures = 0;
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** One restart; false when it did not start (the next exit check finds the old exit again: another failure). */
    private boolean restart() throws InterruptedException {
        try {
            if (!node.relaunch()) return false;
            restarts.incrementAndGet();
            return true;
        } catch (IOException e) {
            LOG.error("the embedded Elasticsearch could not be started again: {}", e.getMessage());
            return false;
        }
    }

    /** Polls until the node answers (true), or its process exits or this is closed (false). */
    private boolean awaitAnswer() throws InterruptedException {
        while (!closed) {
            if (!node.isRunning()) return false;
            if (answers.getAsBoolean()) return true;
            Thread.sleep(POLL_MS);
        }
        return false;
    }

    /** {@value #FIRST_DELAY_MS} ms after the first failure, doubling to {@value #MAX_DELAY_MS} ms. */
    static long delayAfter(int failures) {
        return Math.min(FIRST_DELAY_MS << Math.min(failures - 1, 20), MAX_DELAY_MS);
    }

    /**
     * Stops restarting; the owner stops the node after this. Does not wait for the thread: a restart
     * under way finishes, and the node's stop (synchronized with it) stops what it started.
     */
    @Override
    public synchronized void close() {
        closed = true;
        if (thread != null) thread.interrupt();
    }
}
