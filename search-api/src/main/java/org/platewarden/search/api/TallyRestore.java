package org.platewarden.search.api;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.platewarden.search.audit.AlreadyWritten;
import org.platewarden.search.audit.BudgetTallies;
import org.platewarden.search.audit.RecordedIds;
import org.platewarden.search.audit.TallyFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start, before the server takes a request and once the audit log has started (its recovery has
 * re-sent to the index every journaled record the index lacked): hands the record budgets back the
 * tallies their last save kept ({@link TallyFile}), less those whose summary record the trail already
 * has ({@link AlreadyWritten}: written between that save and the crash), as tallies not yet written —
 * the next tick writes their summaries, with the audit ids their answers named. An unreadable file is
 * moved aside (never deleted: it is audit material) and logged, and start-up goes on without it; a file
 * that cannot be moved aside, or an audit index that cannot be asked, fails the start and leaves the
 * file as it is (starting without it, the next save would replace it). Reading runs on the worker.
 */
final class TallyRestore {
    private static final Logger LOG = LoggerFactory.getLogger(TallyRestore.class);

    private final List<BudgetTallies<?>> budgets;
    private final Path file;
    private final WorkerExecutor worker;
    private final RecordedIds recorded;

    TallyRestore(List<BudgetTallies<?>> budgets, Path file, WorkerExecutor worker, RecordedIds recorded) {
        this.budgets = budgets;
        this.file = file;
        this.worker = worker;
        this.recorded = recorded;
    }

    /** Completes with whether the file held tallies (it must then be saved again whatever is left of them). */
    Future<Boolean> restore() {
        return worker.executeBlocking(this::readOrSetAside).compose(saved -> {
            if (saved.isEmpty()) return Future.succeededFuture(false);
            List<String> ids = new ArrayList<>();
            saved.forEach(s -> ids.addAll(s.ids()));
            return recorded.find(ids).map(found -> {
                saved.forEach(s -> restore(s, found));
                return true;
            });
        }).recover(e -> Future.failedFuture(new IllegalStateException("audit budget tallies of " + file + " cannot be restored: "
                + e.getMessage() + "; the file is left as it is for the next start", e)));
    }

    private List<BudgetTallies.Saved<?>> readOrSetAside() throws IOException {
        try {
            return TallyFile.read(file, budgets);
        } catch (IOException | RuntimeException e) {
            if (!Files.exists(file)) throw e;
            Path aside = TallyFile.setAside(file, System.currentTimeMillis());
            LOG.warn("audit budget tally file {} cannot be read ({}): moved aside to {} for inspection; the counts it kept are not"
                    + " restored, and summary records of the audit ids it names may be missing", file, e.toString(), aside);
            return List.of();
        }
    }

    private <K> void restore(BudgetTallies.Saved<K> saved, Map<String, Long> found) {
        AlreadyWritten.Split<K> split = saved.restoreUnwritten(found);
        String name = saved.into().name();
        LOG.info("{} audit budget: {} tally(ies) for {} request(s) taken back from {}, to be written with the audit ids their answers"
                        + " named; {} ({} request(s)) dropped, their summary records being in the trail already", name,
                split.unwritten().size(), split.requests(split.unwritten()), file, split.written().size(), split.requests(split.written()));
        if (!split.shortfalls().isEmpty()) {
            LOG.warn("{} audit budget: the summary records of {} count fewer requests than the tally saved before the crash, which the id"
                    + " rules do not allow (an older journal or index restored?); the saved tallies are dropped, since a record of an id is"
                    + " written once", name, String.join(", ", split.shortfalls()));
        }
    }
}
