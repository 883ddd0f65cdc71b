package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.platewarden.core.plate.PlateMatch;

/** Which held copies {@link LiveHolds} lets through, from the definitions an {@code _mget} answered. */
class LiveHoldsTest {
    private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    private static final long OLDEST_RETAINED_MS = ReadQueryBuilder.oldestRetained(NOW, 21).toEpochMilli();
    private static final Candidate RETAINED = copy(Instant.parse("2026-03-09T08:00:00Z"));
    private static final Candidate PAST_RETENTION = copy(Instant.parse("2026-01-09T08:00:00Z"));

    private static Candidate copy(Instant capturedAt) {
        return new Candidate("cam-001:r1", capturedAt.toEpochMilli(), "p-holds", "hold-1:cam-001:r1", PlateMatch.EXACT, "hold-1");
    }

    private static LiveHolds.Definition definition(String until, boolean released) {
        return new LiveHolds.Definition("DPD", until == null ? null : Instant.parse(until), released, "C-1");
    }

    private static boolean shown(LiveHolds.Definition definition, Candidate copy, String caseNumber) {
        return LiveHolds.inForce(definition, copy, "DPD", caseNumber, NOW, OLDEST_RETAINED_MS);
    }

    @Test
    void aCopyIsShownOnlyWhileItsDefinitionIsInForceForTheSearch() {
        LiveHolds.Definition live = definition("2026-04-01T00:00:00Z", false);
        assertTrue(shown(live, RETAINED, "C-2"), "within retention, any case of the agency");
        assertTrue(shown(live, PAST_RETENTION, "C-1"), "past retention, the hold's case");
        assertFalse(shown(live, PAST_RETENTION, "C-2"), "past retention, another case");
        assertFalse(shown(null, RETAINED, "C-1"), "no definition");
        assertFalse(shown(definition("2026-04-01T00:00:00Z", true), RETAINED, "C-1"), "released");
        assertFalse(shown(definition(NOW.toString(), false), RETAINED, "C-1"), "until reached");
        assertFalse(shown(definition(null, false), RETAINED, "C-1"), "no readable until");
        assertFalse(LiveHolds.inForce(live, RETAINED, "ACSO", "C-1", NOW, OLDEST_RETAINED_MS), "another agency's hold");
    }

    @Test
    void readsTheDefinitionsFoundAndFailsOnADefinitionItCannotRead() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, LiveHolds.Definition> found = LiveHolds.definitions(json.readTree("""
                {"docs":[{"_id":"hold-1","found":true,"_source":{"hold":{"agency":"DPD","until":"2026-04-01T00:00:00Z",
                  "case_number":"C-1"}}},
                 {"_id":"hold-2","found":true,"_source":{"hold":{"agency":"DPD","until":"not a time","released_at":"2026-03-01T00:00:00Z"}}},
                 {"_id":"hold-3","found":false}]}"""));
        assertEquals(Map.of("hold-1", new LiveHolds.Definition("DPD", Instant.parse("2026-04-01T00:00:00Z"), false, "C-1"),
                "hold-2", new LiveHolds.Definition("DPD", null, true, null)), found);
        // no definitions index yet: no hold was ever defined, so none is in force
        assertEquals(Map.of(), LiveHolds.definitions(json.readTree("""
                {"docs":[{"_id":"hold-1","error":{"type":"index_not_found_exception"}}]}""")));
        SearchBackendException unreadable = assertThrows(SearchBackendException.class, () -> LiveHolds.definitions(json.readTree("""
                {"docs":[{"_id":"hold-1","error":{"type":"no_shard_available_action_exception"}}]}""")));
        assertEquals(503, unreadable.status());
        assertTrue(unreadable.shardStarting(), "retried shortly, as a search of a shard still starting is");
    }
}
