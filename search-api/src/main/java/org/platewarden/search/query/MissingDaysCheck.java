package org.platewarden.search.query;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.core.log.ThrottledWarning;
import org.platewarden.indexer.days.DayRegistry;
import org.platewarden.indexer.days.MissingDays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which days of a search's window are missing ({@link MissingDays}: recorded in the day registry as
 * holding reads, inside retention, their daily index gone). The search asks its daily indices with
 * {@code ignore_unavailable}, so without this a deleted day answers as a day without reads.
 * <p>
 * The registry's days and the daily indices that exist are read together, on a worker (two small
 * blocking calls), at most once per {@link #FRESH_FOR_MILLIS} per node, and shared by every search
 * meanwhile: a search asks nothing more of Elasticsearch unless that snapshot is stale, and then
 * the one refresh runs alongside the search's own requests, which it is joined with only at the
 * answer. So a deletion is reported within a few seconds of it, not by the very next search.
 */
final class MissingDaysCheck {
    private static final Logger LOG = LoggerFactory.getLogger(MissingDaysCheck.class);
    static final long FRESH_FOR_MILLIS = 5_000;

    private final Vertx vertx;
    private final DayRegistry registry;
    private final int retentionDays;
    private final AtomicReference<Snapshot> latest = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<Snapshot>> refreshing = new AtomicReference<>();
    private final ThrottledWarning failures = new ThrottledWarning(LOG::warn, 1, TimeUnit.MINUTES, System::nanoTime);

    MissingDaysCheck(Vertx vertx, DayRegistry registry, int retentionDays) {
        this.vertx = vertx;
        this.registry = registry;
        this.retentionDays = retentionDays;
    }

    /** What a search learns about its window's days: the missing ones, or that it could not tell. */
    record Verdict(List<LocalDate> missing, boolean checked) {
        static final Verdict NONE_MISSING = new Verdict(List.of(), true);
        static final Verdict UNKNOWN = new Verdict(List.of(), false);

        List<String> missingNames() {
            return missing.stream().map(LocalDate::toString).toList();
        }
    }

    /** The missing days among the window's daily indices; never fails (a failed check is {@link Verdict#UNKNOWN}). */
    Future<Verdict> among(Context context, Collection<String> dayIndices, String prefix, Instant now) {
        if (dayIndices.isEmpty()) return Future.succeededFuture(Verdict.NONE_MISSING);
        List<LocalDate> days = new ArrayList<>(dayIndices.size());
        for (String index : dayIndices) DailyIndex.parseDay(prefix, index).ifPresent(days::add);
        Snapshot snapshot = latest.get();
        if (snapshot != null && snapshot.fresh()) return Future.succeededFuture(snapshot.verdict(days, retentionDays, now));
        return Future.fromCompletionStage(refresh(), context)
                .map(fresh -> fresh.verdict(days, retentionDays, now))
                .otherwise(e -> {
                    failures.warn("cannot check the day registry for missing days (" + e + "); searches answer with a warning"
                            + " that no check was made");
                    return Verdict.UNKNOWN;
                });
    }

    /** One refresh at a time, shared by every search that finds the snapshot stale meanwhile. */
    private CompletableFuture<Snapshot> refresh() {
        CompletableFuture<Snapshot> mine = new CompletableFuture<>();
        CompletableFuture<Snapshot> running = refreshing.compareAndExchange(null, mine);
        if (running != null) return running;
        vertx.<Snapshot>executeBlocking(() -> new Snapshot(registry.recorded(), registry.indexed(), System.nanoTime()), false)
                .onComplete(ar -> {
                    refreshing.set(null);
                    if (ar.succeeded()) {
                        latest.set(ar.result());
                        mine.complete(ar.result());
                    } else {
                        mine.completeExceptionally(ar.cause());
                    }
                });
        return mine;
    }

    private record Snapshot(Set<LocalDate> recorded, Set<LocalDate> indexed, long takenNanos) {
        boolean fresh() {
            return System.nanoTime() - takenNanos < TimeUnit.MILLISECONDS.toNanos(FRESH_FOR_MILLIS);
        }

        Verdict verdict(List<LocalDate> window, int retentionDays, Instant now) {
            List<LocalDate> recordedInWindow = window.stream().filter(recorded::contains).toList();
            List<LocalDate> missing = MissingDays.of(recordedInWindow, indexed, retentionDays, now);
            return missing.isEmpty() ? Verdict.NONE_MISSING : new Verdict(missing, true);
        }
    }
}
