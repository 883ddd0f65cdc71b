package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.SearchConfig;
import org.platewarden.core.plate.OcrFolding;
import org.platewarden.core.plate.PlateMatch;

/**
 * The ranked page query of an exact plate, without Elasticsearch: the body it sends and how it
 * reads answers, including the answers that must fail a search rather than mislabel a hit. (The
 * whole search against a real node, compared with a brute-force oracle, is {@link SearchOracleIT}.)
 */
class RankedReadPageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    /** gateway.future_skew_seconds by default */
    static final java.time.Duration SKEW = java.time.Duration.ofSeconds(300);

    private static SearchRequest request(JsonObject body) {
        return new SearchRequestParser(SearchConfig.defaults(), OcrFolding.defaults(), Clock.fixed(NOW, ZoneOffset.UTC), SKEW)
                .parse(body);
    }

    @Test
    void tierScoresOrderTheTiersAndReadBack() {
        for (int tier = 0; tier <= 3; tier++) {
            assertEquals(tier, ReadQueryBuilder.tierOfScore(ReadQueryBuilder.tierBoost(tier)));
            if (tier > 0) assertTrue(ReadQueryBuilder.tierBoost(tier - 1) > ReadQueryBuilder.tierBoost(tier), "better tier scores higher");
        }
        assertThrows(IllegalStateException.class, () -> ReadQueryBuilder.tierOfScore(7.0));
    }

    @Test
    void thePageQueryKeepsEveryFilterAndContinuesFromTheToken() {
        JsonObject search = new JsonObject().put("plate", "AB0123")
                .put("camera_ids", new io.vertx.core.json.JsonArray().add("cam-001")).put("region", "US-CO");
        SearchRequest r = request(search.copy()
                .put("search_after", new PageToken(1, 1_700_000_000_000L, "r-9").encode(request(search).queryKey())));
        ObjectNode body = ReadQueryBuilder.rankedPageBody(r, Set.of("DPD"),
                ReadQueryBuilder.exactPlanTiers("AB0123", "AB0123"), r.after(), 101, 50_001);
        String json = body.toString();
        assertTrue(json.contains("\"agency\":[\"DPD\"]"), json);
        assertTrue(json.contains("\"camera_id\":[\"cam-001\"]"), json);
        assertTrue(json.contains("US-CO"), json);
        for (String slow : List.of("wildcard", "regexp", "prefix", "fuzzy", "query_string", "script")) {
            assertFalse(json.contains("\"" + slow + "\""), json);
        }
        assertEquals(2, body.path("query").path("bool").path("must").path(0).path("dis_max").path("queries").size(),
                "dis_max: a read of the plate itself scores its own tier, not the sum of both");
        assertEquals("[3,1700000000000,\"r-9\"]", body.path("search_after").toString(), "the token continues the ranking");
        assertEquals("_score", body.path("sort").path(0).fieldNames().next());
        assertEquals(50_001, body.path("track_total_hits").asInt(), "the matches are counted for the total and the guard");
    }

    @Test
    void anExactPlateWithOcrRanksTheLiteralPlateAboveItsLookAlikes() {
        List<ObjectNode> tiers = ReadQueryBuilder.exactPlanTiers("AB0123", "AB0123");
        assertEquals(4, tiers.get(0).path("constant_score").path("boost").asInt());
        assertEquals("AB0123", tiers.get(0).path("constant_score").path("filter").path("term").path("plate_norm").path("value").asText());
        assertEquals(3, tiers.get(1).path("constant_score").path("boost").asInt());
        assertTrue(tiers.get(1).path("constant_score").path("filter").path("term").has("plate_ocr"));
        assertEquals(1, ReadQueryBuilder.exactPlanTiers("AB0123", null).size(), "without OCR only the plate itself");
    }

    @Test
    void pageHitsCarryTheVerifiedMatchAndTheirDocument() throws Exception {
        Map<String, PlateMatch> verified = Map.of("AB123", PlateMatch.EXACT, "AB128", PlateMatch.edit(1));
        RankedReadPage.Result page = RankedReadPage.parse(JSON.readTree("""
                {"hits":{"total":{"value":2},"hits":[
                 {"_index":"p-reads-2026.03.10","_id":"r-1","_source":{"plate":"AB 123","camera_id":"cam-001"},
                  "fields":{"plate_norm":["AB123"]},"sort":[4.0,1773140000000,"r-1"]},
                 {"_index":"p-reads-2026.03.09","_id":"r-2","_source":{"plate":"AB128"},
                  "fields":{"plate_norm":["AB128"]},"sort":[2.0,1773050000000,"r-2"]}]}}"""), verified::get, true);
        assertEquals(2, page.total());
        assertEquals(List.of("r-1", "r-2"), page.hits().stream().map(Candidate::readId).toList());
        assertEquals(PlateMatch.edit(1), page.hits().get(1).match());
        assertEquals(1773050000000L, page.hits().get(1).capturedAtMs());
        assertEquals("cam-001", page.sources().get(HitFetcher.key("p-reads-2026.03.10", "r-1")).getString("camera_id"));

        assertThrows(SearchBackendException.class, () -> RankedReadPage.parse(JSON.readTree("""
                {"hits":{"hits":[{"_index":"i","_id":"r-3","_source":{},"fields":{"plate_norm":["ZZ999"]},
                 "sort":[4.0,1,"r-3"]}]}}"""), verified::get, false), "a hit of an unverified plate");
        assertThrows(SearchBackendException.class, () -> RankedReadPage.parse(JSON.readTree("""
                {"hits":{"hits":[{"_index":"i","_id":"r-4","_source":{},"fields":{"plate_norm":["AB128"]},
                 "sort":[4.0,1,"r-4"]}]}}"""), verified::get, false), "a hit scored in another tier than its match");
    }
}
