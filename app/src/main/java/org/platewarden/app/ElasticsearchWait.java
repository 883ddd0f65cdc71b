package org.platewarden.app;

import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the roles that need Elasticsearch wait for it at start-up, while the gateway already takes
 * reads: an attempt (health, then the templates) that fails because of Elasticsearch — not
 * reachable, not yet yellow, credentials or privileges refused, an untrusted certificate: an
 * {@link IOException} anywhere in its causes — is tried again after a back-off of
 * {@value #FIRST_DELAY_MS} ms doubling to {@value #MAX_DELAY_MS} ms, for as long as it takes.
 * Anything else ends the wait with that failure. The log says why it waits: at the first failure,
 * whenever the reason changes, and at least every {@value #LOG_EVERY_MS} ms, so a wrong URL or
 * wrong credentials show at once and stay in view. The node's stop ends the wait: it interrupts
 * it, and the wait also looks at the stop's flag between attempts (a client may swallow an interrupt).
 */
final class ElasticsearchWait {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchWait.class);
    static final long FIRST_DELAY_MS = 500;
    static final long MAX_DELAY_MS = 5_000;
    static final long LOG_EVERY_MS = 60_000;

    /** One try: returns what the roles need once Elasticsearch answers. */
    interface Attempt<T> {
        T call() throws Exception;
    }

    private final String url;
    /** the embedded node's log file; null for an existing cluster */
    private final java.nio.file.Path embeddedLog;
    /** what happens meanwhile, for the log: which roles wait, and that the gateway takes reads */
    private final String meanwhile;
    private final LongSupplier clock;
    /** true once the node stops: the wait ends (the stop also interrupts it) */
    private final BooleanSupplier stopping;
    private volatile int attempts;
    private long startedMillis;
    private String lastLogged;
    private long lastLoggedMillis;

    ElasticsearchWait(String url, java.nio.file.Path embeddedLog, String meanwhile, LongSupplier clock, BooleanSupplier stopping) {
        this.url = url;
        this.stopping = stopping;
        this.embeddedLog = embeddedLog;
        this.meanwhile = meanwhile;
        this.clock = clock;
    }

    /** Failed attempts so far. */
    int attempts() {
        return attempts;
    }

    /**
     * Tries until {@code attempt} succeeds. {@code gaveUp} is asked before each try: a reason there
     * (the embedded node exited) ends the wait with an IllegalStateException saying so.
     */
    <T> T until(Attempt<T> attempt, Supplier<String> gaveUp) throws Exception {
        startedMillis = clock.getAsLong();
        while (true) {
            // the interrupt, or the flag when a client swallowed the interrupt
            if (Thread.interrupted() || stopping.getAsBoolean()) throw new InterruptedException("stopped while waiting for Elasticsearch at " + url);
            String exited = gaveUp.get();
            if (exited != null) throw new IllegalStateException(exited);
            try {
                T result = attempt.call();
                if (attempts > 0) {
                    LOG.info("Elasticsearch at {} answers, at attempt {} ({} s after the first)", url, attempts + 1, seconds(clock.getAsLong() - startedMillis));
                }
                return result;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (!fromElasticsearch(e)) throw e;
                attempts++;
                long now = clock.getAsLong();
                String reason = reason(e);
                if (shouldLog(reason, now)) log(reason, now);
                Thread.sleep(delayAfter(attempts));
            }
        }
    }

    private void log(String reason, long now) {
        lastLogged = reason;
        lastLoggedMillis = now;
        long waited = seconds(now - startedMillis);
        if (embeddedLog != null) {
            // a start takes 30-40 s, minutes when it recovers shards: not a warning (yet)
            LOG.info("waiting for the embedded Elasticsearch at {} to answer (attempt {}, {} s; its log: {}): {}; {}", url, attempts, waited,
                    embeddedLog, reason, meanwhile);
        } else {
            LOG.warn("waiting for Elasticsearch at {} (attempt {}, {} s): {}; {}", url, attempts, waited, reason, meanwhile);
        }
    }

    /** The first failure, a new reason, or {@link #LOG_EVERY_MS} since the last line. */
    boolean shouldLog(String reason, long now) {
        return lastLogged == null || !lastLogged.equals(reason) || now - lastLoggedMillis >= LOG_EVERY_MS;
    }

    /** {@value #FIRST_DELAY_MS} ms after the first failure, doubling to {@value #MAX_DELAY_MS} ms. */
    static long delayAfter(int failures) {
        long delay = FIRST_DELAY_MS << Math.min(failures - 1, 20);
        return Math.min(delay, MAX_DELAY_MS);
    }

    /** An IOException anywhere in the causes: Elasticsearch did not answer, or answered no. */
    static boolean fromElasticsearch(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) return true;
        }
        return false;
    }

    /** The message, and its cause's when that adds something (the installer wraps what the client threw). */
    static String reason(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message += ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
        return message;
    }

    private static long seconds(long millis) {
        return millis / 1000;
    }
}
