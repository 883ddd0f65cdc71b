package org.platewarden.indexer.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.indexer.EsTestSupport;
import org.platewarden.indexer.TestReads;
import org.platewarden.templates.RetentionMechanism;

/**
 * The index view says which indices have a shard that is not available ({@code health} red): after an
 * Elasticsearch restart /health/ready is 200 as soon as it answers, while its indices' shards come back
 * one by one and every search over a day not yet back is a 503; ops looking at {@code ops indices} saw
 * such a day as an ordinary one with 0 docs and 0 bytes.
 */
class IndexViewsHealthIT {
    private EsTestSupport es;

    @BeforeEach
    void setUp() {
        es = new EsTestSupport("health");
    }

    @AfterEach
    void tearDown() {
        es.close();
    }

    @Test
    void anIndexWhosePrimaryIsNotAvailableIsListedRed() {
        LocalDate day = LocalDate.of(2026, 2, 9);
        String whole = DailyIndex.name(es.prefix, day);
        es.put(whole, "r1", TestReads.json("r1", "cam-001", "DPD", day.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(60), "HLT1"));
        // a primary that cannot be assigned, as while Elasticsearch recovers it; deleted at once, so the
        // shared cluster is red only for this moment
        String unavailable = DailyIndex.name(es.prefix, day.plusDays(1));
        es.es.call("PUT", "/" + unavailable + "?wait_for_active_shards=0",
                "{\"settings\":{\"index.routing.allocation.require._name\":\"no-such-node\"}}");
        Map<String, IndexView> byName;
        try (IndexViews views = new IndexViews(es.conn.rest(), es.prefix, 21, RetentionMechanism.SWEEPER)) {
            byName = views.list().stream().collect(Collectors.toMap(IndexView::index, v -> v));
        } finally {
            es.es.call("DELETE", "/" + unavailable, null);
        }

        assertEquals("red", byName.get(unavailable).health(), "its primary is not available");
        assertNotEquals("red", byName.get(whole).health());
        assertEquals(1, byName.get(whole).docs());
    }
}
