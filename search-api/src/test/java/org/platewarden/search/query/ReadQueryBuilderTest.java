package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.SearchConfig;
import org.platewarden.core.plate.OcrFolding;

class ReadQueryBuilderTest {
    static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    /** gateway.future_skew_seconds by default */
    static final java.time.Duration SKEW = java.time.Duration.ofSeconds(300);

    @Test
    void onlyTheDaysOfTheWindowThatAreStillRetained() {
        assertEquals(List.of("p-reads-2026.03.08", "p-reads-2026.03.09", "p-reads-2026.03.10"),
                ReadQueryBuilder.readIndices("p", Instant.parse("2026-03-08T23:59:59Z"), NOW, 21, NOW));
        // 21 days: 02-18 is the oldest day still kept on 03-10
        List<String> month = ReadQueryBuilder.readIndices("p", Instant.parse("2026-02-10T00:00:00Z"), NOW, 21, NOW);
        assertEquals("p-reads-2026.02.18", month.get(0));
        assertEquals(21, month.size());
        assertEquals(List.of(), ReadQueryBuilder.readIndices("p", Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-20T00:00:00Z"), 21, NOW));
        assertEquals("p-reads-2026.03.11", ReadQueryBuilder.readIndices("p", NOW, Instant.parse("2026-03-20T00:00:00Z"), 21, NOW)
                .get(1), "tomorrow at most");
        assertEquals(2, ReadQueryBuilder.readIndices("p", NOW, Instant.parse("2026-03-20T00:00:00Z"), 21, NOW).size());
    }

    /**
     * captured_at is indexed to the millisecond: a window with finer digits is asked as the first and
     * last millisecond inside it, in the daily indices and in the holds alike, so no hit lies outside it.
     */
    @Test
    void theWindowIsAskedAsTheMillisecondsInsideIt() {
        SearchRequestParser parser = new SearchRequestParser(SearchConfig.defaults(), OcrFolding.defaults(),
                Clock.fixed(NOW, ZoneOffset.UTC), SKEW);
        SearchRequest r = parser.parse(new JsonObject().put("plate", "ABC123")
                .put("from", "2026-03-09T23:59:59.9995Z").put("to", "2026-03-10T11:59:59.999999Z"));
        for (String json : List.of(ReadQueryBuilder.readsQuery(r, Set.of("DPD")).toString(),
                ReadQueryBuilder.holdsQuery(r, "DPD", Set.of("DPD"), NOW, "C-1", 21).toString())) {
            assertTrue(json.contains("\"captured_at\":{\"gte\":\"2026-03-10T00:00:00Z\",\"lte\":\"2026-03-10T11:59:59.999Z\"}"), json);
        }
        // the answer's window stays the one sent
        assertEquals(Instant.parse("2026-03-09T23:59:59.9995Z"), r.from());
    }

    @Test
    void neverAScanOfTheTermDictionary() {
        SearchRequestParser parser = new SearchRequestParser(SearchConfig.defaults(), OcrFolding.defaults(),
                Clock.fixed(NOW, ZoneOffset.UTC), SKEW);
        for (String plate : List.of("*123", "*C12*", "AB?12*", "ABC1234", "*BC1?3*", "?BC*4")) {
            for (int edits = 0; edits <= 2; edits++) {
                SearchRequest r;
                try {
                    r = parser.parse(new JsonObject().put("plate", plate).put("max_edits", edits)
                            .put("camera_ids", new JsonArray().add("cam-001")).put("region", "US-CO"));
                } catch (InvalidSearchRequestException unsupported) {
                    continue;
                }
                String json = ReadQueryBuilder.readsQuery(r, Set.of("DPD")).toString()
                        + ReadQueryBuilder.holdsQuery(r, "DPD", Set.of("DPD", "ACSO"), NOW, "C-1", 21).toString();
                for (String slow : List.of("wildcard", "regexp", "prefix", "fuzzy", "query_string", "script")) {
                    assertFalse(json.contains("\"" + slow + "\""), plate + " ~" + edits + " uses " + slow + ": " + json);
                }
                assertTrue(json.contains("\"agency\":[\"DPD\"]"), json);
                assertTrue(json.contains("\"hold.agency\""), json);
                assertTrue(json.contains("\"agency\":[\"ACSO\",\"DPD\"]"), "held copies only of the agencies visible now: " + json);
            }
        }
    }
}
