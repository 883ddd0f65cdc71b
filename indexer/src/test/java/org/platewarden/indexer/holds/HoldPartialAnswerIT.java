package org.platewarden.indexer.holds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.AgencyScope;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.indexer.EsRest;
import org.platewarden.indexer.EsTestSupport;
import org.platewarden.indexer.TestReads;

/**
 * A hold is created from a whole answer or not at all. While Elasticsearch restarts or recovers (the
 * embedded node after a crash: about 10 s with a day of reads), a daily index whose shard is not yet
 * available makes a search or count over every day answer 200 with {@code _shards.failed} and the
 * other days' matches; a hold created from that kept one day of the case and said nothing, and the
 * reads it missed were deleted with their day. Here one day's index fails its shard for another
 * reason — its {@code agency} mapped as a number, so the hold's agency filter cannot run there — which
 * gives Elasticsearch's same partial answer without making the shared cluster red.
 */
class HoldPartialAnswerIT {
    private static EsTestSupport es;
    private static HoldService holds;
    private static final Instant AT = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.DAYS);
    private static String brokenIndex;

    @BeforeAll
    static void setUp() {
        es = new EsTestSupport("holdshards");
        holds = new HoldService(es.conn.rest(), es.prefix, new AgencyScope(PlatewardenConfig.demoConfig()), 21, 365, Clock.systemUTC());
        es.put(DailyIndex.name(es.prefix, AT), "dpd-1", TestReads.json("dpd-1", "cam-001", "DPD", AT, "PRT 4242"));
        brokenIndex = DailyIndex.name(es.prefix, AT.minus(1, ChronoUnit.DAYS));
        es.es.call("PUT", "/" + brokenIndex, "{\"mappings\":{\"properties\":{\"agency\":{\"type\":\"long\"}}}}");
        // a document, so that no phase can skip the shard as empty before the query is made
        es.put(brokenIndex, "odd-1", "{\"agency\":7,\"captured_at\":\"" + AT.minus(1, ChronoUnit.DAYS) + "\",\"plate_norm\":\"PRT4242\"}");
    }

    @AfterAll
    static void tearDown() {
        holds.close();
        es.close();
    }

    @Test
    void aHoldIsNotCreatedFromAnAnswerSomeShardsFailedToGive() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> holds.create("DPD", "dpd.supervisor",
                new HoldRequest("DPD-2026-004242", "stolen vehicle", "PRT4242", null, null, null, Instant.now().plus(Duration.ofDays(30)))).get());

        EsRest.EsCallException failure = assertInstanceOf(EsRest.EsCallException.class, e.getCause());
        assertEquals(503, failure.status(), "a failure to retry, as when no shard answers");
        assertTrue(failure.getMessage().contains("1 of 2 shard(s) failed") && failure.getMessage().contains(brokenIndex),
                "names the day whose shard failed: " + failure.getMessage());
        assertEquals(0, es.count(es.prefix + "-holds"), "no copy is kept");
        assertEquals(List.of(), holdsListed(), "no hold is defined");
    }

    @Test
    void aHoldOfReadIdsIsNotRefusedAsMissingFromAnAnswerSomeShardsFailedToGive() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> holds.create("DPD", "dpd.supervisor",
                new HoldRequest("DPD-2026-004243", "stolen vehicle", null, List.of("dpd-1", "dpd-0"), null, null,
                        Instant.now().plus(Duration.ofDays(30)))).get());

        EsRest.EsCallException failure = assertInstanceOf(EsRest.EsCallException.class, e.getCause(),
                "not 'dpd-0 matches no read your agency may see': its day did not answer");
        assertEquals(503, failure.status());
    }

    private static List<Hold> holdsListed() {
        try {
            return holds.list("DPD").get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
