package org.platewarden.indexer.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.time.Instant;
import java.util.Optional;
import java.time.LocalDate;
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
 * The ops view of Platewarden's indices ({@code GET /v1/ops/indices}, {@code ./platewarden ops indices}):
 * every daily read index with its day, size, expiry and deleting mechanism (as the template
 * installer detected it), then the audit and holds indices, which nothing deletes. Daily indices
 * come newest first; among them, as kind {@code missing} with a note, the days the day registry
 * records as holding reads whose index is gone though inside retention ({@link MissingDays}):
 * deleted by something other than retention.
 */
public final class IndexViews implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IndexViews.class);
    private final EsRest es;
    private final String prefix;
    private final int retentionDays;
    private final RetentionMechanism mechanism;
    private final BoundedWorker worker;
    private final DayRegistry days;
    /** null: not counted */
    private ReadDaysMissingGauge missingDays;

    /** Its one Elasticsearch call waiting as long as the connection's default allows (a minute): the CLI's. */
    public IndexViews(RestClient rest, String prefix, int retentionDays, RetentionMechanism mechanism) {
        this(rest, prefix, retentionDays, mechanism, null);
    }

    /**
     * @param requestTimeout how long its Elasticsearch call waits for a connection and an answer
     *                       ({@link EsRest.EsTimeoutException} after); null: the connection's default
     */
    public IndexViews(RestClient rest, String prefix, int retentionDays, RetentionMechanism mechanism, java.time.Duration requestTimeout) {
        this.es = new EsRest(rest, requestTimeout);
        this.days = new DayRegistry(es, prefix);
        this.prefix = prefix;
        this.retentionDays = retentionDays;
        this.mechanism = mechanism;
        this.worker = new BoundedWorker("index-views-" + prefix, 1, 16);
    }

    /** Blocking; for the CLI and workers. */
    public List<IndexView> list() {
        JsonNode rows = es.call("GET", "/_cat/indices/" + prefix + "-*?format=json&bytes=b&h=index,health,docs.count,store.size,pri.segments.count&expand_wildcards=all", null);
        List<IndexView> reads = new ArrayList<>();
        Set<LocalDate> present = new HashSet<>();
        List<IndexView> kept = new ArrayList<>();
        for (JsonNode row : rows) {
            String index = row.path("index").asText();
            String health = row.path("health").asText(null);
            long docs = row.path("docs.count").asLong(0);
            long bytes = row.path("store.size").asLong(0);
            int segments = row.path("pri.segments.count").asInt(0);
            Optional<LocalDate> day = DailyIndex.parseDay(prefix, index);
            if (day.isPresent()) {
                present.add(day.get());
                reads.add(new IndexView(index, "reads", health, day.get(), docs, bytes, segments,
                        DailyIndex.expiresAt(day.get(), retentionDays), mechanism.wireName()));
            } else if (index.startsWith(prefix + "-audit")) {
                kept.add(new IndexView(index, "audit", health, null, docs, bytes, segments, null, IndexView.NEVER));
            } else if (index.startsWith(prefix + "-holds")) {
                kept.add(new IndexView(index, "holds", health, null, docs, bytes, segments, null, IndexView.NEVER));
            }
        }
        for (LocalDate day : missing(present)) reads.add(IndexView.missing(DailyIndex.name(prefix, day), day, DailyIndex.expiresAt(day, retentionDays), DailyIndex.registry(prefix)));
        reads.sort(Comparator.comparing(IndexView::day).reversed());
        kept.sort(Comparator.comparing(IndexView::index));
        List<IndexView> all = new ArrayList<>(reads);
        all.addAll(kept);
        return all;
    }

    /**
     * The recorded days whose index is missing, counted into the gauge. A registry that cannot be read
     * (its shard not available, as in the very recovery ops list the indices for) leaves them out with a
     * WARN rather than failing the whole view, whose health column ops need then most.
     */
    private List<LocalDate> missing(Set<LocalDate> present) {
        try {
            List<LocalDate> missing = MissingDays.of(days.recorded(), present, retentionDays, Instant.now());
            if (missingDays != null) missingDays.set(missing.size());
            return missing;
        } catch (RuntimeException e) {
            LOG.warn("ops indices: cannot read the day registry {} ({}); days whose index is missing are not listed this time",
                    DailyIndex.registry(prefix), e.getMessage());
            return List.of();
        }
    }

    /** Counts the missing days into this gauge on every listing. */
    public IndexViews countingMissingDays(ReadDaysMissingGauge gauge) {
        this.missingDays = gauge;
        return this;
    }

    /** Runs {@link #list()} on an owned thread, for event-loop callers. */
    public CompletableFuture<List<IndexView>> listAsync() {
        return worker.submit(this::list);
    }

    @Override
    public void close() {
        worker.close();
    }
}
