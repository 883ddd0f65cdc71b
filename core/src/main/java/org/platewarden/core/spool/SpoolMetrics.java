package org.platewarden.core.spool;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The spool's counters, always kept (tests and ops read them through the spool), and exported
 * to Micrometer when a registry is given: bytes, lag, fsync latency, quarantined ranges,
 * segments started from a preallocated spare or not.
 */
final class SpoolMetrics {
    final AtomicLong appends = new AtomicLong();
    final AtomicLong records = new AtomicLong();
    final AtomicLong fsyncs = new AtomicLong();
    final AtomicLong rejectedFull = new AtomicLong();
    final AtomicLong quarantined = new AtomicLong();
    /** Segments created from a zero-filled spare vs by appending to a new file (no spare was ready). */
    final AtomicLong segmentsPreallocated = new AtomicLong();
    final AtomicLong segmentsAppended = new AtomicLong();
    private final Timer fsyncTimer;

    SpoolMetrics(MeterRegistry registry, SegmentedSpool spool) {
        if (registry == null) {
            fsyncTimer = null;
            return;
        }
        Gauge.builder("platewarden.spool.bytes", spool, SegmentedSpool::sizeBytes).baseUnit("bytes")
                .description("bytes of frames in segment files (not counting a preallocated segment's unused zeros or the spare)").register(registry);
        Gauge.builder("platewarden.spool.capacity", spool, SegmentedSpool::capacityBytes).baseUnit("bytes")
                .register(registry);
        Gauge.builder("platewarden.spool.queued", spool, SegmentedSpool::queuedBytes).baseUnit("bytes")
                .description("bytes waiting for the writer").register(registry);
        Gauge.builder("platewarden.spool.lag", spool, s -> s.lastDurableSeq() - s.checkpoint()).baseUnit("records")
                .description("durable records not yet checkpointed by the indexer").register(registry);
        Gauge.builder("platewarden.spool.disk.full", spool, s -> s.diskFull() ? 1 : 0)
                .description("1 while appends are refused for want of free space on the spool's file system").register(registry);
        FunctionCounter.builder("platewarden.spool.appends", appends, AtomicLong::get).register(registry);
        FunctionCounter.builder("platewarden.spool.records", records, AtomicLong::get).register(registry);
        FunctionCounter.builder("platewarden.spool.fsyncs", fsyncs, AtomicLong::get).register(registry);
        FunctionCounter.builder("platewarden.spool.rejected.full", rejectedFull, AtomicLong::get).register(registry);
        FunctionCounter.builder("platewarden.spool.quarantined", quarantined, AtomicLong::get)
                .description("damaged frame ranges and sequence gaps found at open").register(registry);
        FunctionCounter.builder("platewarden.spool.segments.started", segmentsPreallocated, AtomicLong::get)
                .tag("preallocated", "true").description("segment files the writer started").register(registry);
        FunctionCounter.builder("platewarden.spool.segments.started", segmentsAppended, AtomicLong::get)
                .tag("preallocated", "false").description("segment files the writer started").register(registry);
        fsyncTimer = Timer.builder("platewarden.spool.fsync").publishPercentileHistogram().register(registry);
    }

    void fsync(long nanos) {
        fsyncs.incrementAndGet();
        if (fsyncTimer != null) fsyncTimer.record(nanos, TimeUnit.NANOSECONDS);
    }
}
