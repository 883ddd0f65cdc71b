package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.search.query.TestReads.Read;

/**
 * Against real Elasticsearch, with reads stored as the gateway stores them ({@link TestReads}): a
 * plate and a region are found whichever way the camera spelt them and whichever way the
 * investigator does (Cyrillic letters drawn like Latin ones, accents, full-width forms, case,
 * blanks around a region).
 */
class SpellingsIT {
    static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    // a Russian plate as a camera emits it, in Cyrillic А, В, С
    static final Read CYRILLIC = Read.of("ru-1", "cam-001", "DPD", Instant.parse("2026-03-10T08:00:00Z"), "\u0410123\u0412\u042177");
    static final Read LATIN = Read.of("ru-2", "cam-002", "DPD", Instant.parse("2026-03-10T09:00:00Z"), "A123BC77");
    static final Read UMLAUT = Read.of("de-1", "cam-001", "DPD", Instant.parse("2026-03-10T10:00:00Z"), "M\u00dc AB 123");
    static final Read CA_UPPER = region("ca-1", "US-CA", Instant.parse("2026-03-10T07:00:00Z"));
    static final Read CA_LOWER = region("ca-2", "us-ca", Instant.parse("2026-03-10T07:10:00Z"));
    static final Read CA_BLANKS = region("ca-3", " US-CA ", Instant.parse("2026-03-10T07:20:00Z"));
    static final Read CO = region("co-1", "US-CO", Instant.parse("2026-03-10T07:30:00Z"));

    static SearchHarness harness;
    static SearchService service;

    static Read region(String id, String region, Instant at) {
        return new Read(id, "cam-001", "DPD", at, "REG 777", region, null, null, Map.of());
    }

    @BeforeAll
    static void load() {
        harness = new SearchHarness("spellings", NOW);
        service = harness.service(harness.config("{\"rate_limit_per_minute\":0}"), new RecordingAuditLog(), SearchLimits.defaults());
        TestReads.bulkLoad(harness.es.rest(), harness.prefix, List.of(CYRILLIC, LATIN, UMLAUT, CA_UPPER, CA_LOWER, CA_BLANKS, CO), 100);
        TestReads.refresh(harness.es.rest(), harness.prefix);
    }

    @AfterAll
    static void cleanUp() {
        if (harness != null) harness.close();
    }

    static JsonObject body(String plate) {
        return SearchHarness.body(plate, "2026-03-10T00:00:00Z", "2026-03-10T12:00:00Z");
    }

    static SearchOutcome search(JsonObject body) {
        return harness.search(service, SearchHarness.DPD, body);
    }

    static TreeSet<String> ids(JsonObject body) {
        SearchOutcome o = search(body);
        assertEquals(200, o.status(), o.body().encode());
        return new TreeSet<>(SearchHarness.readIds(o));
    }

    @Test
    void aPlateStoredInCyrillicLookAlikesIsFoundByItsLatinSpellingAndTheOtherWayRound() {
        TreeSet<String> both = new TreeSet<>(List.of("cam-001:ru-1", "cam-002:ru-2"));
        assertEquals(both, ids(body("A123BC77")));
        assertEquals(both, ids(body("\u0410123\u0412\u042177")));
        assertEquals(both, ids(body("\uff21\uff11\uff12\uff13\uff22\uff23\uff17\uff17")), "full-width");
        // wildcards, the query's own characters, still work next to folded letters
        assertEquals(both, ids(body("\u0410123?\u0421*")));
        assertEquals(both, ids(body("a1?3bc*")));
        SearchOutcome o = search(body("A123BC77"));
        JsonObject hit = o.body().getJsonArray("hits").getJsonObject(1);
        assertEquals("\u0410123\u0412\u042177", hit.getString("plate"), "a hit shows the plate as read");
        assertEquals("exact", hit.getJsonObject("match").getString("kind"));
    }

    @Test
    void anAccentedPlateIsFoundWithoutItsAccent() {
        assertEquals(new TreeSet<>(List.of("cam-001:de-1")), ids(body("MU AB 123")));
        assertEquals(new TreeSet<>(List.of("cam-001:de-1")), ids(body("m\u00fcab*")));
    }

    @Test
    void aPlatePatternWithACharacterNoPlateCanHoldIsA400NamingIt() {
        SearchOutcome o = search(body("\u4eacA12*"));
        assertEquals(400, o.status(), o.body().encode());
        assertTrue(o.body().encode().contains("U+4EAC"), o.body().encode());
    }

    @Test
    void oneRegionFilterFindsTheReadsOfEveryWayTheRegionWasSent() {
        TreeSet<String> california = new TreeSet<>(List.of("cam-001:ca-1", "cam-001:ca-2", "cam-001:ca-3"));
        for (String asked : List.of("US-CA", "us-ca", " US-CA ")) {
            assertEquals(california, ids(body("REG777").put("region", asked)), "region '" + asked + "'");
        }
        assertEquals(new TreeSet<>(List.of("cam-001:co-1")), ids(body("REG777").put("region", "us-co")));
    }
}
