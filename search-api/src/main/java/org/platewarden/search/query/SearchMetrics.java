package org.platewarden.search.query;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Where a search's time goes, for ops and for the benchmarks: {@code platewarden_search_phase_seconds}
 * per phase ({@link #SCAN} or {@link #PAGE}, then {@link #FETCH}) and {@code platewarden_search_seconds} per answered status, from the request to the
 * outcome (audit write included; {@code platewarden_audit_write_seconds} has the audit part alone);
 * {@code platewarden_search_candidates} how many candidate reads each search verified.
 */
final class SearchMetrics {
    /** Wildcards or edits: every candidate scanned and verified (holds scanned alongside). */
    static final String SCAN = "scan";
    /** An exact plate: the ranked page query with its documents (holds scanned alongside). */
    static final String PAGE = "page";
    /** The page's documents not already at hand, fetched by id ({@code _mget}). */
    static final String FETCH = "fetch";

    private final MeterRegistry registry;
    private final Map<String, Timer> phases = new ConcurrentHashMap<>();
    private final Map<Integer, Timer> requests = new ConcurrentHashMap<>();
    private final DistributionSummary candidates;
    private final Counter busy;

    /** @param registry the process's registry; null keeps the figures in a private one (tests, tools) */
    SearchMetrics(MeterRegistry registry) {
        this.registry = registry == null ? new SimpleMeterRegistry() : registry;
        this.candidates = DistributionSummary.builder("platewarden.search.candidates")
                .description("candidate reads Elasticsearch returned for one search, before verification in Java")
                .publishPercentileHistogram().register(this.registry);
        this.busy = Counter.builder("platewarden.search.busy")
                .description("searches answered 503 because the node was running search.max_concurrent_searches and none ended in time")
                .register(this.registry);
    }

    /**
     * The searches running and waiting for a slot ({@code platewarden_search_running},
     * {@code platewarden_search_queued}); and, counted by {@link #busy}, those answered 503 because no
     * slot came ({@code platewarden_search_busy_total}).
     */
    void slots(IntSupplier running, IntSupplier queued) {
        Gauge.builder("platewarden.search.running", running::getAsInt)
                .description("searches running on this node (at most search.max_concurrent_searches)").register(registry);
        Gauge.builder("platewarden.search.queued", queued::getAsInt)
                .description("searches waiting for a running one to end (at most search.max_queued_searches)").register(registry);
    }

    void busy() {
        busy.increment();
    }

    /** How broad a search was: the reads its candidate scan verified (the dragnet guard's measure). */
    void candidates(long n) {
        candidates.record(n);
    }

    void phase(String phase, long startedNanos) {
        phases.computeIfAbsent(phase, p -> Timer.builder("platewarden.search.phase").tag("phase", p)
                        .description("time of one phase of a search").publishPercentileHistogram().register(registry))
                .record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    void request(int status, long startedNanos) {
        requests.computeIfAbsent(status, s -> Timer.builder("platewarden.search").tag("status", Integer.toString(s))
                        .description("time from a search request to its audited outcome").publishPercentileHistogram()
                        .register(registry))
                .record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }
}
