package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The counters docs/operations.md ("What to alert on") tells ops to alert on exist, at 0, before their first event. */
class IndexerMetricsTest {
    @Test
    void retriesAndSplitsExistBeforeTheirFirstEvent() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new IndexerMetrics(registry);
        for (String[] meter : new String[][] {
                {"platewarden.indexer.bulk.splits", "request_http_413"},
                {"platewarden.indexer.bulk.splits", "request_http_400"},
                {"platewarden.indexer.retries", "item_429"},
                {"platewarden.indexer.retries", "request_connection"}}) {
            Counter c = registry.find(meter[0]).tag("cause", meter[1]).counter();
            assertNotNull(c, meter[0] + "{cause=" + meter[1] + "}");
            assertEquals(0.0, c.count());
        }
    }
}
