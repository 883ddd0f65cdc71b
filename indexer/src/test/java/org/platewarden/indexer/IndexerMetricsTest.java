package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** The counters the README tells ops to alert on are scraped at 0 before their first event. */
class IndexerMetricsTest {
    @Test
    void retriesAndSplitsAreScrapedBeforeTheirFirstEvent() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new IndexerMetrics(registry);
        String scrape = registry.scrape();
        for (String line : new String[] {
                "platewarden_indexer_bulk_splits_total{cause=\"request_http_413\"} 0.0",
                "platewarden_indexer_bulk_splits_total{cause=\"request_http_400\"} 0.0",
                "platewarden_indexer_retries_total{cause=\"item_429\"} 0.0",
                "platewarden_indexer_retries_total{cause=\"request_connection\"} 0.0"}) {
            assertTrue(scrape.contains(line), line + " in\n" + scrape);
        }
    }
}
