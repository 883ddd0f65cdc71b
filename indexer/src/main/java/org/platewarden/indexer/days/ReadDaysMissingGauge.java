package org.platewarden.indexer.days;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code platewarden_read_days_missing}: how many days the day registry records as holding reads,
 * inside retention, whose daily index is gone ({@link MissingDays}), as last counted by a retention
 * sweep or an {@code ops indices} listing. Above 0: reads were lost from Elasticsearch, and searches
 * over those days say so. One per meter registry: the sweeper and the index views of one node share it.
 */
public final class ReadDaysMissingGauge {
    public static final String NAME = "platewarden.read_days.missing";
    private static final Map<MeterRegistry, ReadDaysMissingGauge> BY_REGISTRY = Collections.synchronizedMap(new WeakHashMap<>());

    private final AtomicInteger missing = new AtomicInteger();

    private ReadDaysMissingGauge() {
    }

    public static ReadDaysMissingGauge on(MeterRegistry registry) {
        return BY_REGISTRY.computeIfAbsent(registry, r -> {
            ReadDaysMissingGauge gauge = new ReadDaysMissingGauge();
            Gauge.builder(NAME, gauge.missing, AtomicInteger::get)
                    .description("days recorded as holding reads, inside retention, whose daily index is gone (deleted other than by retention)")
                    .strongReference(true).register(r);
            return gauge;
        });
    }

    public void set(int days) {
        missing.set(days);
    }

    public int value() {
        return missing.get();
    }
}
