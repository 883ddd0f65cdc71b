package org.platewarden.indexer.compaction;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.elasticsearch.client.RestClient;
import org.platewarden.core.config.CompactionConfig;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.indexer.BoundedWorker;
import org.platewarden.indexer.EsRest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Force-merges the daily read indices of finished days to one segment each. A day's index is
 * written while its day lasts and afterwards only by late uploads, yet every search over the
 * retention window reads it; per-segment work (term lookups, collectors) is a large share of a
 * 21-day search, and one segment per day roughly halves the candidate scan (docs/benchmarks.md).
 * <p>
 * Why not ILM's {@code forcemerge} action: it first makes the index read-only, and a late upload
 * of an old day (accepted for the whole retention window) would then be refused. Merging an index
 * that may still receive late reads is safe here because reads are never updated or deleted one by
 * one (retention deletes whole indices), so the large merged segment never carries deletions;
 * late reads land in new small segments, and the day is merged again only once it holds more than
 * {@code above_segments} of them.
 * <p>
 * Rule, per index named {@code <prefix>-reads-YYYY.MM.DD}: not expired, its day ended at least
 * {@code after_hours} ago, more than {@code above_segments} primary segments → {@code _forcemerge
 * ?max_num_segments=1}, one index at a time (Elasticsearch's force-merge pool has one thread per
 * node anyway). Runs every {@code sweeper_interval_seconds} when enabled, on ILM and non-ILM
 * clusters alike, and on demand ({@code POST /v1/ops/compaction/run}, {@code ./platewarden ops
 * compaction-run}). Two nodes asking for the same merge are harmless: Elasticsearch makes the
 * second wait for the first, after which it has nothing to do. Blocking calls run on one owned
 * thread with a small queue; a full queue fails the future.
 */
public final class DailyIndexCompactor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DailyIndexCompactor.class);
    /** A merge of a large day can take minutes; the connection's default socket timeout is 60 s. */
    static final Duration MERGE_TIMEOUT = Duration.ofHours(1);

    private final EsRest es;
    private final String prefix;
    private final int retentionDays;
    private final CompactionConfig config;
    private final Clock clock;
    private final BoundedWorker worker;
    private final Counter merged;
    private final Counter failedMerges;
    private final Timer mergeTime;

    public DailyIndexCompactor(RestClient rest, String prefix, int retentionDays, CompactionConfig config, Clock clock,
                               MeterRegistry registry) {
        this.es = new EsRest(rest);
        this.prefix = prefix;
        this.retentionDays = retentionDays;
        this.config = config;
        this.clock = clock;
        this.worker = new BoundedWorker("compactor-" + prefix, 1, 4);
        // ops alert on failures and watch merge times grow with the size of a day
        this.merged = Counter.builder("platewarden_compaction_merges").tag("outcome", "merged")
                .description("force merges of daily read indices by compaction, by outcome").register(registry);
        this.failedMerges = Counter.builder("platewarden_compaction_merges").tag("outcome", "failed")
                .description("force merges of daily read indices by compaction, by outcome").register(registry);
        this.mergeTime = Timer.builder("platewarden_compaction_merge")
                .description("time to force-merge one daily read index to one segment").register(registry);
    }

    /** True when the index of {@code day} is old enough to compact at {@code now} and not yet expired. */
    public static boolean isDue(LocalDate day, int afterHours, int retentionDays, Instant now) {
        Instant dayOver = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return !now.isBefore(dayOver.plus(Duration.ofHours(afterHours))) && !DailyIndex.isExpired(day, retentionDays, now);
    }

    /** Schedules a pass now and then every {@code interval} when compaction is enabled; returns whether it scheduled. */
    public boolean startSchedule(Duration interval) {
        if (!config.enabled()) {
            LOG.info("compaction of {}-reads-* is disabled (indexer.compaction.enabled); it runs only on demand", prefix);
            return false;
        }
        if (!worker.scheduleWithFixedDelay(interval, () -> runOnceAsync().exceptionally(e -> {
            LOG.error("scheduled compaction failed: {}", e.toString());
            return null;
        }))) {
            return true;
        }
        LOG.info("compaction scheduled every {} for {}-reads-* (days over for {} h, more than {} segments)",
                interval, prefix, config.afterHours(), config.aboveSegments());
        return true;
    }

    public boolean scheduled() {
        return worker.scheduled();
    }

    /** Runs a pass on the compactor's own thread; fails with RejectedExecutionException when passes are queued up. */
    public CompletableFuture<CompactionReport> runOnceAsync() {
        return worker.submit(this::runOnce);
    }

    /** Blocking pass: merges every due daily read index that has more than {@code above_segments} segments. */
    public CompactionReport runOnce() {
        Instant now = clock.instant();
        List<CompactionReport.Compacted> compacted = new ArrayList<>();
        List<String> alreadyCompact = new ArrayList<>();
        List<String> notDue = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        for (Map.Entry<String, DayIndex> index : dailyIndices().entrySet()) {
            String name = index.getKey();
            Optional<LocalDate> day = DailyIndex.parseDay(prefix, name);
            if (day.isEmpty()) continue; // not a daily read index of ours: never a candidate
            if (!isDue(day.get(), config.afterHours(), retentionDays, now)) {
                notDue.add(name);
            } else if (index.getValue().red()) {
                // its segments cannot be counted nor merged now; no merge was asked for, so none is counted as failed
                failed.put(name, UNAVAILABLE);
                LOG.warn("compaction: {} not merged: {}", name, UNAVAILABLE);
            } else if (index.getValue().segments() <= config.aboveSegments()) {
                alreadyCompact.add(name);
            } else {
                try {
                    compacted.add(merge(name, index.getValue().segments()));
                    merged.increment();
                } catch (RuntimeException e) {
                    failedMerges.increment();
                    failed.put(name, e.getMessage());
                    LOG.error("compaction: could not merge {}: {}", name, e.getMessage());
                }
            }
        }
        return new CompactionReport(now, config.afterHours(), config.aboveSegments(), compacted, alreadyCompact, notDue, failed);
    }

    private CompactionReport.Compacted merge(String index, int segmentsBefore) {
        long started = System.nanoTime();
        JsonNode answer = es.call("POST", "/" + index + "/_forcemerge?max_num_segments=1", null, MERGE_TIMEOUT);
        int failedShards = answer.path("_shards").path("failed").asInt(0);
        if (failedShards > 0) {
            throw new IllegalStateException("force merge failed on " + failedShards + " shard(s): " + answer.path("_shards").path("failures"));
        }
        long nanos = System.nanoTime() - started;
        mergeTime.record(nanos, TimeUnit.NANOSECONDS);
        double seconds = nanos / 1e9;
        int segmentsAfter = primarySegments(index);
        LOG.info("compaction: merged {} from {} to {} segments in {} s", index, segmentsBefore, segmentsAfter, String.format("%.1f", seconds));
        return new CompactionReport.Compacted(index, segmentsBefore, segmentsAfter, Math.round(seconds * 10) / 10.0);
    }

    /** The primaries' segment count of {@code index}; -1 when it is gone or not available. */
    private int primarySegments(String index) {
        JsonNode count = es.call("GET", "/" + index + "/_stats/segments?level=indices&ignore_unavailable=true&allow_no_indices=true"
                + "&filter_path=indices.*.primaries.segments.count", null).path("indices").path(index).path("primaries").path("segments").path("count");
        return count.isMissingNode() ? -1 : count.asInt();
    }

    /** Why a day whose index is red is in a pass's failed list. */
    static final String UNAVAILABLE = "a primary shard of it is not available (index health red): not merged; the next pass tries again";

    /** One open daily index as a pass sees it: its primaries' segments, and whether a primary is unavailable. */
    private record DayIndex(int segments, boolean red) {
    }

    private Map<String, DayIndex> dailyIndices() {
        return dailyIndices(DailyIndex.pattern(prefix));
    }

    /**
     * The open indices matching {@code target}, by name. From {@code _cat/indices}, which lists a red
     * index too (index stats leave out one whose primaries are unavailable, so a pass never saw it).
     */
    private Map<String, DayIndex> dailyIndices(String target) {
        JsonNode rows = es.call("GET", "/_cat/indices/" + target + "?format=json&h=index,health,pri.segments.count&expand_wildcards=open", null);
        Map<String, DayIndex> indices = new TreeMap<>();
        for (JsonNode row : rows) {
            indices.put(row.path("index").asText(),
                    new DayIndex(row.path("pri.segments.count").asInt(0), "red".equals(row.path("health").asText())));
        }
        return indices;
    }

    @Override
    public void close() {
        worker.close();
    }
}
