package org.platewarden.search.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Path;
import java.util.List;
import org.platewarden.search.audit.BudgetTallies;
import org.platewarden.search.audit.TallyFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves the record budgets' tallies not yet written to the node's tally file ({@link TallyFile}) at
 * each summary tick when they changed since the last save, and at shutdown after the last summaries
 * were written, so that a crash loses at most the counts of the last tick or so (and of a save under
 * way) rather than every count whose summary was still to come. A save copies the tallies and writes
 * the file on a worker thread of its own — the copy takes each budget's lock for as long as it copies,
 * the write fsyncs, neither belongs on the event loop — one save at a time: a tick that finds one
 * under way leaves it be, and the next tick saves what changed meanwhile (a large file saved slowly
 * is saved less often, not queued). A failed save is logged (the first of a run of failures, then
 * every {@value #WARN_EVERY}th) and tried again at the next tick; the file keeps the last save that
 * succeeded. Metrics: {@code platewarden_audit_tally_saves_total{result=saved|failed}}. Use from the
 * verticle's context.
 */
final class TallySaver {
    private static final Logger LOG = LoggerFactory.getLogger(TallySaver.class);
    static final int WARN_EVERY = 60;

    private final List<BudgetTallies<?>> budgets;
    private final Path file;
    private final String nodeId;
    private final WorkerExecutor worker;
    private final Counter saved;
    private final Counter failed;
    /** the budgets' changes the last save that succeeded had seen; -1 while the file differs from memory whatever they say */
    private long savedChanges;
    private Future<Void> saving;
    private long failuresInARow;

    /**
     * @param fileBehind the file holds tallies that memory does not (those a restart found written
     *                   already): the first tick saves whatever the changes
     */
    TallySaver(List<BudgetTallies<?>> budgets, Path file, String nodeId, WorkerExecutor worker, MeterRegistry registry, boolean fileBehind) {
        this.budgets = budgets;
        this.file = file;
        this.nodeId = nodeId;
        this.worker = worker;
        this.saved = saves(registry, "saved");
        this.failed = saves(registry, "failed");
        this.savedChanges = fileBehind ? -1 : changes();
    }

    private static Counter saves(MeterRegistry registry, String result) {
        return Counter.builder("platewarden_audit_tally_saves").tag("result", result)
                .description("saves of the audit budgets' tallies not yet written to the node's tally file (kept across a crash)")
                .register(registry);
    }

    private long changes() {
        return budgets.stream().mapToLong(BudgetTallies::changes).sum();
    }

    /** At a tick: saves if the tallies changed since the last save, unless a save is under way. */
    void saveIfChanged() {
        if (saving == null) save();
    }

    /** The save under way, if any, done (whatever its result): what a simulated crash waits for, so that it is not torn by the test. */
    Future<Void> underWay() {
        return saving == null ? Future.succeededFuture() : saving.otherwiseEmpty();
    }

    /**
     * At shutdown, once the last summaries were written: after the save under way, saves what is
     * left (the summaries that could not be written, or none), to be written at the next start. A
     * failure is logged as an error: the file keeps the last save that succeeded.
     */
    Future<Void> saveAtShutdown() {
        return underWay().compose(v -> save()).otherwiseEmpty();
    }

    private Future<Void> save() {
        long changes = changes();
        if (changes == savedChanges) return Future.succeededFuture();
        Future<Void> save = worker.<Void>executeBlocking(() -> {
            TallyFile.write(file, nodeId, budgets);
            return null;
        }).andThen(ar -> {
            if (ar.succeeded()) {
                savedChanges = changes;
                saved.increment();
                if (failuresInARow > 0) LOG.info("audit budget tallies saved to {} again after {} failed save(s)", file, failuresInARow);
                failuresInARow = 0;
            } else {
                failed.increment();
                if (failuresInARow++ % WARN_EVERY == 0) {
                    LOG.warn("audit budget tallies could not be saved to {} ({} failure(s) in a row; tried again at every tick): {};"
                            + " a crash now would lose the counts since the last save", file, failuresInARow, ar.cause().toString());
                }
            }
        });
        saving = save;
        save.onComplete(ar -> {
            if (saving == save) saving = null;
        });
        return save;
    }
}
