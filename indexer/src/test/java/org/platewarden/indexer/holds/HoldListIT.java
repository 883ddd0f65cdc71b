package org.platewarden.indexer.holds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.AgencyScope;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.index.DailyIndex;
import org.platewarden.indexer.EsTestSupport;
import org.platewarden.indexer.TestReads;

/**
 * The hold list is capped (1000): holds in force come first, so an old hold still in force — a long
 * investigation, extended — is listed however many newer holds were made and released since. Sorted by
 * creation alone, it fell off the list behind them, for its supervisors and the oversight auditor alike.
 */
class HoldListIT {
    private static EsTestSupport es;
    private static HoldService holds;

    @BeforeAll
    static void setUp() {
        es = new EsTestSupport("holdlist"); // a prefix of its own: the list is of every hold of the index
        holds = new HoldService(es.conn.rest(), es.prefix, new AgencyScope(PlatewardenConfig.demoConfig()), 21, 365, Clock.systemUTC());
        Instant at = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(1, ChronoUnit.DAYS);
        es.put(DailyIndex.name(es.prefix, at), "dpd-1", TestReads.json("dpd-1", "cam-001", "DPD", at, "ABC1234"));
    }

    @AfterAll
    static void tearDown() {
        holds.close();
        es.close();
    }

    private static Hold hold(String caseNumber) throws Exception {
        return holds.create("DPD", "dpd.supervisor", new HoldRequest(caseNumber, "homicide", "ABC1234", null, null, null,
                Instant.now().plus(Duration.ofDays(30)))).get();
    }

    @Test
    void holdsInForceAreListedBeforeReleasedOnesAtTheCap() throws Exception {
        Hold old = hold("LIST-OLD");
        Hold released1 = hold("LIST-R1");
        Hold released2 = hold("LIST-R2");
        Hold newer = hold("LIST-NEW");
        holds.release(released1.id(), "DPD", "dpd.supervisor").get();
        holds.release(released2.id(), "DPD", "dpd.supervisor").get();
        es.refresh(es.prefix + "-holds-meta");
        holds.maxListedForTests(3);
        List<String> listed = holds.list("DPD").get().stream().map(Hold::caseNumber).toList();
        assertEquals(List.of("LIST-NEW", "LIST-OLD", "LIST-R2"), listed, "in force newest first, then the latest released");
        assertEquals(listed, holds.listAll().get().stream().map(Hold::caseNumber).toList());
        holds.maxListedForTests(10);
        assertEquals(List.of("LIST-NEW", "LIST-OLD", "LIST-R2", "LIST-R1"), holds.list("DPD").get().stream().map(Hold::caseNumber).toList());
        assertEquals(newer.id(), holds.list("DPD").get().get(0).id());
        assertEquals(old.id(), holds.list("DPD").get().get(1).id());
    }
}
