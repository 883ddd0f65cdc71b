package org.platewarden.search.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Iterator;
import java.util.List;
import org.platewarden.search.audit.AuditLog;
import org.platewarden.search.audit.AuditUnavailableException;
import org.platewarden.search.audit.SummarizingBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writing of a record budget's summaries ({@link SummarizingBudget}: the anonymous budget's,
 * {@link AnonymousSummaries}, and the refused-request budget's, {@link RefusedSummaries}): at each
 * window's close (the verticle's timer asks every {@link SearchApiVerticle#SUMMARY_TICK_MILLIS}) and at
 * shutdown, one summary record per key with a surplus, through the node's audit log like any record
 * (hash-chained, journaled, indexed), with the audit id the answers of the requests it counts named
 * ({@link SummarizingBudget#entryOf}). At most {@link #CONCURRENT_WRITES} are in flight, so a window of
 * ten thousand keys' summaries never takes more than that many of the audit log's slots from
 * investigators.
 *
 * <p>Each id is written exactly once. A write that left no record
 * ({@link AuditUnavailableException#leftNoRecord}, or a failure that does not say the record reached
 * the trail) is put back: its counts and id are kept and written again at the next tick or close. A
 * write that failed after the record reached the trail ({@link AuditUnavailableException#recordedAs}:
 * its seq is spent, and the log sees that both copies get it) is settled as written, never put back:
 * written again, its requests would be counted twice, under one id. Metrics:
 * {@code platewarden_audit_<kind>_summaries_total{result=written|failed}}. Use from the verticle's context.
 *
 * @param <S> the budget's summary
 */
class BudgetSummaries<S> {
    private static final Logger LOG = LoggerFactory.getLogger(BudgetSummaries.class);
    static final int CONCURRENT_WRITES = 16;

    private final SummarizingBudget<S> budget;
    private final AuditLog log;
    private final String kind;
    private final Counter written;
    private final Counter failed;
    private Future<Void> flushing;

    /**
     * @param kind   names the metrics and log lines ({@code anonymous}, {@code refused})
     * @param action the summary records' action, for the metric's description
     */
    BudgetSummaries(SummarizingBudget<S> budget, AuditLog log, MeterRegistry registry, String kind, String action) {
        this.budget = budget;
        this.log = log;
        this.kind = kind;
        this.written = summaries(registry, "written", kind, action);
        this.failed = summaries(registry, "failed", kind, action);
    }

    private static Counter summaries(MeterRegistry registry, String result, String kind, String action) {
        return Counter.builder("platewarden_audit_" + kind + "_summaries").tag("result", result)
                .description(action + " audit records written, or whose write left no record (kept with their audit id and written again)")
                .register(registry);
    }

    /**
     * Writes the summaries of closed windows (with {@code closeCurrent}, also of the current one: at
     * shutdown). A flush already under way is waited for: at a tick it is enough, at shutdown a second
     * one follows it.
     */
    Future<Void> flush(boolean closeCurrent) {
        if (flushing != null && !closeCurrent) return flushing;
        Future<Void> before = flushing == null ? Future.succeededFuture() : flushing;
        Future<Void> next = before.transform(ar -> writeRounds(closeCurrent));
        flushing = next;
        next.onComplete(ar -> {
            if (flushing == next) flushing = null;
        });
        return next;
    }

    /**
     * At shutdown (the server takes no more requests): writes the current window's summaries and any
     * not yet written, and logs the counts that could not be written: the tally file keeps them
     * ({@link TallySaver#saveAtShutdown}, which logs an error if it cannot), and the next start
     * writes them.
     */
    Future<Void> flushAtShutdown() {
        return flush(true).andThen(ar -> {
            long left = pendingRequests();
            if (left > 0) {
                LOG.warn("{} audit budget: {} request(s) counted over the budget could not be written to a summary"
                        + " record before shutdown; their counts are saved with their audit ids in the tally file and"
                        + " written at the next start", kind, left);
            }
        });
    }

    /** Requests counted and not yet written (logged at shutdown when they could not be). */
    long pendingRequests() {
        return budget.pendingRequests();
    }

    /**
     * Writes what the budget hands over; after a round whose writes all succeeded, asks again: a key's
     * second unwritten summary is handed over once its first is settled. A failed write ends it (the
     * audit log is down or full: the next tick tries again).
     */
    private Future<Void> writeRounds(boolean closeCurrent) {
        List<S> summaries = budget.takeSummaries(closeCurrent);
        if (summaries.isEmpty()) return Future.succeededFuture();
        return writeAll(summaries).compose(allWritten -> allWritten ? writeRounds(false) : Future.succeededFuture());
    }

    /** Completes with whether every summary was written. */
    private Future<Boolean> writeAll(List<S> summaries) {
        Iterator<S> next = summaries.iterator();
        long[] outcome = new long[4]; // records written, their requests, records failed, their requests
        Promise<Void> done = Promise.promise();
        int[] running = {Math.min(CONCURRENT_WRITES, summaries.size())};
        for (int i = running[0]; i > 0; i--) {
            writeNext(next, outcome).onComplete(ar -> {
                if (--running[0] == 0) done.complete();
            });
        }
        return done.future().map(v -> outcome[2] == 0).andThen(ar -> {
            if (outcome[2] == 0) {
                LOG.info("{} audit budget: {} summary record(s) written for {} request(s) over the budget", kind, outcome[0], outcome[1]);
            } else {
                LOG.warn("{} audit budget: {} summary record(s) written for {} request(s); {} could not be written ({} request(s)):"
                        + " their counts and audit ids are kept and written again", kind, outcome[0], outcome[1], outcome[2], outcome[3]);
            }
        });
    }

    /**
     * Writes summaries one after another until none is left; never fails. After a failed write the
     * rest are put back unwritten (the audit log is down or full: the next tick tries them all).
     */
    private Future<Void> writeNext(Iterator<S> next, long[] outcome) {
        while (next.hasNext()) {
            if (outcome[2] > 0) {
                while (next.hasNext()) putBack(next.next(), outcome);
                break;
            }
            S summary = next.next();
            Future<?> write;
            try {
                write = log.record(budget.entryOf(summary));
            } catch (RuntimeException e) {
                write = Future.failedFuture(e);
            }
            if (!write.isComplete()) {
                return write.transform(ar -> {
                    settle(summary, ar.succeeded() ? null : ar.cause(), outcome);
                    return writeNext(next, outcome);
                });
            }
            settle(summary, write.succeeded() ? null : write.cause(), outcome);
        }
        return Future.succeededFuture();
    }

    /** {@code failure} null: written. A failed write whose record reached the trail all the same is written too, and never put back. */
    private void settle(S summary, Throwable failure, long[] outcome) {
        if (failure == null || inTheTrail(failure)) {
            if (failure != null) {
                LOG.warn("{} audit budget: the write of a summary record failed after it reached the audit trail, which keeps it"
                        + " as {}: {}", kind, ((AuditUnavailableException) failure).recordedAs(), failure.getMessage());
            }
            budget.written(summary);
            written.increment();
            outcome[0]++;
            outcome[1] += budget.requestsOf(summary);
        } else {
            putBack(summary, outcome);
        }
    }

    /** The record is in the trail although its write failed: its seq is spent, and both copies will have it. */
    private static boolean inTheTrail(Throwable failure) {
        return failure instanceof AuditUnavailableException u && u.recordedAs() != null;
    }

    private void putBack(S summary, long[] outcome) {
        failed.increment();
        budget.putBack(summary);
        outcome[2]++;
        outcome[3] += budget.requestsOf(summary);
    }
}
