package org.platewarden.search.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Iterator;
import java.util.List;
import org.platewarden.search.audit.AnonymousBudget;
import org.platewarden.search.audit.AuditLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The budget for individual records of requests without an authenticated caller
 * ({@link AnonymousBudget}), and the writing of its summaries: at each window's close (the verticle's
 * timer asks every {@link SearchApiVerticle#SUMMARY_TICK_MILLIS}) and at shutdown, one
 * {@code anonymous_summary} record per address with a surplus, through the node's audit log like any
 * record (hash-chained, journaled, indexed). At most {@link #CONCURRENT_WRITES} are in flight, so a
 * window of ten thousand addresses' summaries never takes more than that many of the audit log's
 * slots from investigators. A summary whose write fails keeps its counts for the next close. Use from
 * the verticle's context.
 */
final class AnonymousSummaries {
    private static final Logger LOG = LoggerFactory.getLogger(AnonymousSummaries.class);
    static final int CONCURRENT_WRITES = 16;

    private final AnonymousBudget budget;
    private final AuditLog log;
    private final Counter summarized;
    private final Counter written;
    private final Counter failed;
    private Future<Void> flushing;

    AnonymousSummaries(AnonymousBudget budget, AuditLog log, MeterRegistry registry) {
        this.budget = budget;
        this.log = log;
        this.summarized = Counter.builder("platewarden_audit_anonymous_summarized")
                .description("requests without an authenticated caller over the budget for individual audit records:"
                        + " answered as before, counted into their address's anonymous_summary record")
                .register(registry);
        this.written = summaries(registry, "written");
        this.failed = summaries(registry, "failed");
    }

    private static Counter summaries(MeterRegistry registry, String result) {
        return Counter.builder("platewarden_audit_anonymous_summaries").tag("result", result)
                .description("anonymous_summary audit records written, or whose write failed (their counts wait for the next window's close)")
                .register(registry);
    }

    /** true: write the request's own record; false: it was counted into its address's summary. */
    boolean admit(String clientAddress, String action, int status) {
        if (budget.admit(clientAddress, action, status)) return true;
        summarized.increment();
        return false;
    }

    /** An admitted request whose own record the trail refused (its share full, 503): counted into its summary. */
    void countUnrecorded(String clientAddress, String action, int status) {
        budget.countUnrecorded(clientAddress, action, status);
        summarized.increment();
    }

    /**
     * Writes the summaries of closed windows (with {@code closeCurrent}, also of the current one: at
     * shutdown). A flush already under way is waited for: at a tick it is enough, at shutdown a second
     * one follows it.
     */
    Future<Void> flush(boolean closeCurrent) {
        if (flushing != null && !closeCurrent) return flushing;
        Future<Void> before = flushing == null ? Future.succeededFuture() : flushing;
        Future<Void> next = before.transform(ar -> writeAll(budget.takeSummaries(closeCurrent)));
        flushing = next;
        next.onComplete(ar -> {
            if (flushing == next) flushing = null;
        });
        return next;
    }

    /** Requests counted and not yet written (logged at shutdown when they could not be). */
    long pendingRequests() {
        return budget.pendingRequests();
    }

    private Future<Void> writeAll(List<AnonymousBudget.Summary> summaries) {
        if (summaries.isEmpty()) return Future.succeededFuture();
        Iterator<AnonymousBudget.Summary> next = summaries.iterator();
        long[] outcome = new long[4]; // records written, their requests, records failed, their requests
        Promise<Void> done = Promise.promise();
        int[] running = {Math.min(CONCURRENT_WRITES, summaries.size())};
        for (int i = running[0]; i > 0; i--) {
            writeNext(next, outcome).onComplete(ar -> {
                if (--running[0] == 0) done.complete();
            });
        }
        return done.future().andThen(ar -> {
            if (outcome[2] == 0) {
                LOG.info("anonymous audit budget: {} summary record(s) written for {} request(s) over the budget", outcome[0], outcome[1]);
            } else {
                LOG.warn("anonymous audit budget: {} summary record(s) written for {} request(s); {} could not be written ({} request(s)):"
                        + " their counts are kept for the next window's close", outcome[0], outcome[1], outcome[2], outcome[3]);
            }
        });
    }

    /**
     * Writes summaries one after another until none is left; never fails. After a failed write the
     * rest are put back unwritten (the audit log is down or full: the next close tries them all).
     */
    private Future<Void> writeNext(Iterator<AnonymousBudget.Summary> next, long[] outcome) {
        while (next.hasNext()) {
            if (outcome[2] > 0) {
                while (next.hasNext()) putBack(next.next(), outcome);
                break;
            }
            AnonymousBudget.Summary summary = next.next();
            Future<?> write;
            try {
                write = log.record(budget.entryOf(summary));
            } catch (RuntimeException e) {
                write = Future.failedFuture(e);
            }
            if (!write.isComplete()) {
                return write.transform(ar -> {
                    settle(summary, ar.succeeded(), outcome);
                    return writeNext(next, outcome);
                });
            }
            settle(summary, write.succeeded(), outcome);
        }
        return Future.succeededFuture();
    }

    private void settle(AnonymousBudget.Summary summary, boolean succeeded, long[] outcome) {
        if (succeeded) {
            written.increment();
            outcome[0]++;
            outcome[1] += summary.requests();
        } else {
            putBack(summary, outcome);
        }
    }

    private void putBack(AnonymousBudget.Summary summary, long[] outcome) {
        failed.increment();
        budget.putBack(summary);
        outcome[2]++;
        outcome[3] += summary.requests();
    }
}
