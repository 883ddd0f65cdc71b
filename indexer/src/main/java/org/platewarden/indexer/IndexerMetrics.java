package org.platewarden.indexer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.function.Supplier;

/**
 * The indexer's meters. Names (Prometheus renders dots as underscores):
 * <ul>
 * <li>{@code platewarden.indexer.reads.indexed} — reads created in Elasticsearch (the indexing rate)</li>
 * <li>{@code platewarden.indexer.reads.already_indexed} — 409 on create where the stored document is this
 * read (resends, a read spooled twice)</li>
 * <li>{@code platewarden.indexer.read_id_conflicts} — 409 on create where the stored document is another
 * read with the same read_id (another camera or capture time): this read is dead-lettered, see
 * {@link ReadIdConflicts}</li>
 * <li>{@code platewarden.indexer.bulk.latency} — one bulk request, send to answer (tag outcome=ok|failed)</li>
 * <li>{@code platewarden.indexer.retries} — tag cause: item_429, item_5xx, request_connection,
 * request_timeout, request_http_NNN, request_io, request_response, deadletter_store, read_id_lookup (the
 * lookup after a 409 failed), read_id_gone (nothing found under the id after a 409)</li>
 * <li>{@code platewarden.indexer.bulk.splits} — bulk requests refused as a whole for their content and sent
 * again as two halves (tag cause: request_http_400, request_http_413), see {@link BisectingSend}</li>
 * <li>{@code platewarden.indexer.deadletters} — reads Elasticsearch refused or that conflict on read_id,
 * written to the dead-letter store</li>
 * <li>{@code platewarden.indexer.spool.lag.reads} — durable reads not yet done (lastDurableSeq - checkpoint)</li>
 * <li>{@code platewarden.indexer.spool.lag.seconds} — age of the oldest read not yet done</li>
 * <li>{@code platewarden.indexer.bulk.in_flight} — bulk batches sent or waiting to be retried</li>
 * <li>{@code platewarden.indexer.checkpoint.failures} — failed attempts to advance the spool checkpoint
 * (persist it, delete the segments behind it), each retried on a timer; rising: the spool's disk is full
 * or failing, and the indexed reads' segments keep their space</li>
 * </ul>
 */
public final class IndexerMetrics {
    private final MeterRegistry registry;
    private final Counter indexed;
    private final Counter alreadyIndexed;
    private final Counter deadLetters;
    private final Counter readIdConflicts;
    private final Counter checkpointFailures;
    private final Timer bulkOk;
    private final Timer bulkFailed;

    public IndexerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.indexed = Counter.builder("platewarden.indexer.reads.indexed").description("reads created in Elasticsearch").register(registry);
        this.alreadyIndexed = Counter.builder("platewarden.indexer.reads.already_indexed").description("creates answered 409: already indexed").register(registry);
        this.deadLetters = Counter.builder("platewarden.indexer.deadletters").description("reads dead-lettered by the indexer: refused by Elasticsearch, or a read_id conflict").register(registry);
        this.readIdConflicts = Counter.builder("platewarden.indexer.read_id_conflicts")
                .description("creates answered 409 for another read with the same read_id, dead-lettered").register(registry);
        this.checkpointFailures = Counter.builder("platewarden.indexer.checkpoint.failures")
                .description("failed attempts to persist the spool checkpoint (or delete the segments behind it), retried").register(registry);
        this.bulkOk = Timer.builder("platewarden.indexer.bulk.latency").tag("outcome", "ok").register(registry);
        this.bulkFailed = Timer.builder("platewarden.indexer.bulk.latency").tag("outcome", "failed").register(registry);
        // at 0 from the start, so an alert on a rate (or on absence) sees them before the first event
        for (String cause : List.of("item_429", "item_5xx", "request_connection", "request_timeout", "deadletter_store")) {
            Counter.builder("platewarden.indexer.retries").tag("cause", cause).register(registry);
        }
        for (String cause : List.of("request_http_400", "request_http_413")) {
            Counter.builder("platewarden.indexer.bulk.splits").tag("cause", cause).register(registry);
        }
    }

    void gauges(Supplier<Number> lagReads, Supplier<Number> lagSeconds, Supplier<Number> inFlight) {
        Gauge.builder("platewarden.indexer.spool.lag.reads", lagReads).description("durable reads not yet indexed or dead-lettered").register(registry);
        Gauge.builder("platewarden.indexer.spool.lag.seconds", lagSeconds).description("age of the oldest read not yet indexed").baseUnit("seconds").register(registry);
        Gauge.builder("platewarden.indexer.bulk.in_flight", inFlight).register(registry);
    }

    void indexed(int n) {
        if (n > 0) indexed.increment(n);
    }

    void alreadyIndexed(int n) {
        if (n > 0) alreadyIndexed.increment(n);
    }

    void deadLettered(int n) {
        if (n > 0) deadLetters.increment(n);
    }

    void readIdConflict() {
        readIdConflicts.increment();
    }

    void checkpointFailed() {
        checkpointFailures.increment();
    }

    void retry(String cause, int n) {
        if (n > 0) Counter.builder("platewarden.indexer.retries").tag("cause", cause).register(registry).increment(n);
    }

    void split(String cause) {
        Counter.builder("platewarden.indexer.bulk.splits").tag("cause", cause).register(registry).increment();
    }

    void bulkLatency(long nanos, boolean ok) {
        (ok ? bulkOk : bulkFailed).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
