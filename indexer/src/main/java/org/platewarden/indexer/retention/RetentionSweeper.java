package org.platewarden.indexer.retention;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.elasticsearch.client.RestClient;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.indexer.BoundedWorker;
import org.platewarden.indexer.EsRest;
import org.platewarden.indexer.days.DayRegistry;
import org.platewarden.indexer.days.MissingDays;
import org.platewarden.indexer.days.ReadDaysMissingGauge;
import org.platewarden.templates.RetentionMechanism;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces the retention rule ({@link DailyIndex#isExpired}) where the cluster has no ILM: lists
 * {@code <prefix>-reads-*} and deletes, by name, each index whose day has expired. Only names that
 * {@link DailyIndex#parseDay} accepts are candidates, so the audit and holds indices (and anything
 * else sharing the prefix) are never touched.
 * <p>
 * {@link #startSchedule} runs it every {@code sweeper_interval_seconds} only when the installer
 * detected {@link RetentionMechanism#SWEEPER}; with ILM the policy deletes indices and the
 * schedule stays off. {@link #runOnce} works in both cases, as an ops safety net (e.g. ILM stuck
 * on an error step): it applies the same rule, so it can only delete what ILM should already have.
 * Each sweep also removes the expired days from the day registry ({@link DayRegistry}) and counts the
 * days recorded whose index is missing ({@code platewarden_read_days_missing}).
 * Blocking calls run on one owned thread with a small queue; a full queue fails the future.
 */
public final class RetentionSweeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionSweeper.class);

    private final EsRest es;
    private final String prefix;
    private final int retentionDays;
    private final RetentionMechanism mechanism;
    private final Clock clock;
    private final BoundedWorker worker;
    private final DayRegistry days;
    /** null: not counted (a sweeper built without a meter registry) */
    private final ReadDaysMissingGauge missingDays;

    public RetentionSweeper(RestClient rest, String prefix, int retentionDays, RetentionMechanism mechanism, Clock clock) {
        this(rest, prefix, retentionDays, mechanism, clock, null);
    }

    /** @param missingDays refreshed after each sweep with the count of missing days ({@link MissingDays}); null: not counted */
    public RetentionSweeper(RestClient rest, String prefix, int retentionDays, RetentionMechanism mechanism, Clock clock,
                            ReadDaysMissingGauge missingDays) {
        this.es = new EsRest(rest);
        this.days = new DayRegistry(es, prefix);
        this.missingDays = missingDays;
        this.prefix = prefix;
        this.retentionDays = retentionDays;
        this.mechanism = mechanism;
        this.clock = clock;
        this.worker = new BoundedWorker("retention-sweeper-" + prefix, 1, 4);
    }

    public RetentionMechanism mechanism() {
        return mechanism;
    }

    /**
     * Schedules a sweep now and then every {@code interval}, only when this cluster's retention
     * mechanism is {@link RetentionMechanism#SWEEPER}. Returns whether it scheduled.
     */
    public boolean startSchedule(Duration interval) {
        if (mechanism != RetentionMechanism.SWEEPER) {
            LOG.info("retention of {}-reads-* is enforced by the ILM policy; the sweeper runs only on demand", prefix);
            return false;
        }
        if (!worker.scheduleWithFixedDelay(interval, () -> runOnceAsync().exceptionally(e -> {
            LOG.error("scheduled retention sweep failed: {}", e.toString());
            return null;
        }))) {
            return true;
        }
        LOG.info("retention sweeper scheduled every {} for {}-reads-* ({} days)", interval, prefix, retentionDays);
        return true;
    }

    public boolean scheduled() {
        return worker.scheduled();
    }

    /** Runs a sweep on the sweeper's own thread; fails with RejectedExecutionException when sweeps are queued up. */
    public CompletableFuture<RetentionReport> runOnceAsync() {
        return worker.submit(this::runOnce);
    }

    /** Blocking sweep: deletes every expired daily read index, by name. */
    public RetentionReport runOnce() {
        Instant now = clock.instant();
        List<String> deleted = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        for (String index : listReadIndices()) {
            Optional<LocalDate> day = DailyIndex.parseDay(prefix, index);
            if (day.isEmpty()) continue; // not a daily read index of ours: never a candidate
            if (!DailyIndex.isExpired(day.get(), retentionDays, now)) {
                kept.add(index);
                continue;
            }
            try {
                es.call("DELETE", "/" + index, null);
                deleted.add(index);
                LOG.info("retention: deleted {} (day {} expired at {})", index, day.get(), DailyIndex.expiresAt(day.get(), retentionDays));
            } catch (RuntimeException e) {
                failed.put(index, e.getMessage());
                LOG.error("retention: could not delete {}: {}", index, e.getMessage());
            }
        }
        updateDayRegistry(now);
        return new RetentionReport(now, retentionDays, mechanism.wireName(), deleted, kept, failed);
    }

    /**
     * Removes from the day registry the days past retention — those whose index this sweep (or ILM)
     * deleted — so a day deleted by retention is never reported missing, and counts the missing ones.
     * After the deletions: a removal that fails leaves a day past retention recorded, which
     * {@link MissingDays} ignores anyway, and the next sweep removes it. Never fails the sweep.
     */
    private void updateDayRegistry(Instant now) {
        try {
            int forgotten = days.forgetExpired(retentionDays, now);
            if (forgotten > 0) LOG.info("retention: {} day(s) past retention removed from {}", forgotten, DailyIndex.registry(prefix));
            List<LocalDate> missing = days.missing(retentionDays, now);
            if (missingDays != null) missingDays.set(missing.size());
            if (!missing.isEmpty()) {
                LOG.error("{} day(s) recorded as holding reads have no daily index, though inside retention: {}; deleted other than by"
                        + " retention: their reads are lost from search (docs/operations.md, disaster recovery)", missing.size(), missing);
            }
        } catch (RuntimeException e) {
            LOG.warn("retention: could not update the day registry {}: {}; the next sweep tries again", DailyIndex.registry(prefix), e.getMessage());
        }
    }

    private List<String> listReadIndices() {
        JsonNode rows = es.call("GET", "/_cat/indices/" + DailyIndex.pattern(prefix) + "?format=json&h=index&expand_wildcards=all", null);
        List<String> names = new ArrayList<>();
        for (JsonNode row : rows) names.add(row.path("index").asText());
        names.sort(null);
        return names;
    }

    @Override
    public void close() {
        worker.close();
    }
}
