package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.platewarden.core.config.SearchConfig;
import org.platewarden.core.plate.OcrFolding;

class SearchRequestParserTest {
    static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    /** gateway.future_skew_seconds by default */
    static final java.time.Duration SKEW = java.time.Duration.ofSeconds(300);
    final SearchRequestParser parser = new SearchRequestParser(SearchConfig.defaults(), OcrFolding.defaults(),
            Clock.fixed(NOW, ZoneOffset.UTC), SKEW);

    static JsonObject body() {
        return new JsonObject().put("plate", "ab?12*").put("purpose", "homicide").put("case_number", "C-1");
    }

    String error(JsonObject body) {
        return assertThrows(InvalidSearchRequestException.class, () -> parser.parse(body)).getMessage();
    }

    @Test
    void defaults() {
        SearchRequest r = parser.parse(body());
        assertEquals("AB?12*", r.plate().pattern());
        assertTrue(r.plate().ocr());
        assertEquals(0, r.plate().maxEdits());
        // up to now plus the skew the ingest accepts: a read a camera stamped a little ahead is found now
        assertEquals(NOW.plus(SKEW), r.to());
        assertEquals(NOW.minusSeconds(24 * 3600), r.from());
        assertEquals(100, r.limit());
        assertEquals(List.of(), r.cameraIds());
        assertNull(r.after());
    }

    @Test
    void aGivenToAnchorsTheDefaultFrom() {
        SearchRequest r = parser.parse(body().put("to", "2026-03-05T00:00:00Z"));
        assertEquals(Instant.parse("2026-03-05T00:00:00Z"), r.to());
        assertEquals(Instant.parse("2026-03-04T00:00:00Z"), r.from());
        SearchRequest sinceYesterday = parser.parse(body().put("from", "2026-03-09T12:00:00Z"));
        assertEquals(NOW.plus(SKEW), sinceYesterday.to());
    }

    static JsonObject everyFilter() {
        return body().put("max_edits", 1).put("ocr", false)
                .put("from", "2026-03-01T00:00:00+01:00").put("to", "2026-03-02T00:00:00Z")
                .put("camera_ids", new JsonArray().add("cam-001")).put("region", "US-CO")
                .put("vehicle", new JsonObject().put("make", " Toyota ").put("color", "SILVER"))
                .put("geo_box", new JsonObject().put("top_left", new JsonObject().put("lat", 40).put("lon", -105))
                        .put("bottom_right", new JsonObject().put("lat", 39).put("lon", -104)))
                .put("limit", 1000);
    }

    /** The token a search of {@code body} returns as its {@code next}. */
    String next(JsonObject body, PageToken last) {
        return last.encode(parser.parse(body).queryKey());
    }

    @Test
    void everyFilterIsParsed() {
        SearchRequest r = parser.parse(everyFilter().put("search_after", next(everyFilter(), new PageToken(2, 5L, "x"))));
        assertEquals(1, r.plate().maxEdits());
        assertEquals(Instant.parse("2026-02-28T23:00:00Z"), r.from());
        assertEquals(List.of("cam-001"), r.cameraIds());
        assertEquals(Map.of("make", "toyota", "color", "silver"), r.vehicle());
        assertEquals(new GeoBox(40, -105, 39, -104), r.geoBox());
        assertEquals(new PageToken(2, 5L, "x"), r.after());
        assertEquals(1000, r.limit());
    }

    @Test
    void platePatternsAreReadLikeStoredPlatesWildcardsKept() {
        // Cyrillic А В С, as a camera may have stored them; full-width wildcards; an accent
        assertEquals("A?3BC*", parser.parse(body().put("plate", "\u0410?3\u0412\u0421*")).plate().pattern());
        assertEquals("AB?12*", parser.parse(body().put("plate", "\uff21\uff22\uff1f\uff11\uff12\uff0a")).plate().pattern());
        assertEquals("MUAB1*", parser.parse(body().put("plate", "m\u00fc-ab 1*")).plate().pattern());
    }

    @Test
    void aPlatePatternWithALetterOrDigitNoPlateCanHoldIsRefusedNamingIt() {
        String chinese = error(body().put("plate", "\u4eacA12*"));
        assertTrue(chinese.contains("'\u4eac' (U+4EAC)"), chinese);
        String arabicIndic = error(body().put("plate", "AB?\u0661\u0662\u0663"));
        assertTrue(arabicIndic.contains("'\u0661' (U+0661)"), arabicIndic);
    }

    @Test
    void theRegionFilterIsReadAsTheGatewayStoresRegions() {
        for (String asked : List.of("US-CA", "us-ca", " US-CA ", "Us-Ca\t")) {
            assertEquals("US-CA", parser.parse(body().put("region", asked)).region(), "region '" + asked + "'");
        }
    }

    @Test
    void dragnetGuards() {
        assertTrue(error(body().put("plate", "A?*")).startsWith("plate pattern 'A?*' has 1 known character; at least 3"), error(body().put("plate", "A?*")));
        assertTrue(error(body().put("plate", "AB*")).startsWith("plate pattern 'AB*' has 2 known characters; at least 3"));
        // each edit may spoil a known character: "*XYZ*" with 2 edits would match nearly any plate
        String edits = error(body().put("plate", "*XYZ*").put("max_edits", 2));
        assertTrue(edits.contains("3 known characters, 1 once 2 may be edits; at least 3 are required"), edits);
        assertTrue(error(body().put("plate", "ABC").put("max_edits", 1)).contains("2 once 1 may be edits"));
        assertEquals(1, parser.parse(body().put("plate", "*ABCD*").put("max_edits", 1)).plate().maxEdits());
        assertEquals(2, parser.parse(body().put("plate", "ABC12").put("max_edits", 2)).plate().maxEdits());
        assertTrue(error(body().put("from", "2026-02-01T00:00:00Z")).contains("31 days"));
        // over by a millisecond: the message does not state the maximum as the window's length
        assertEquals("the time window is more than 31 days 0 hours; at most 31 days may be searched at once",
                error(body().put("from", "2026-02-01T00:00:00Z").put("to", "2026-03-04T00:00:00.001Z")));
        assertEquals(31, java.time.Duration.between(parser.parse(body().put("from", "2026-02-01T00:00:00Z").put("to", "2026-03-04T00:00:00Z")).from(),
                Instant.parse("2026-03-04T00:00:00Z")).toDays());
        assertEquals("limit must be an integer from 1 to 1000", error(body().put("limit", new java.math.BigInteger("99999999999999999999999"))));
        assertEquals("limit must be an integer from 1 to 1000", error(body().put("limit", 1.5)));
        assertTrue(error(body().put("limit", 1001)).contains("1000"));
        assertTrue(error(body().put("limit", 0)).contains("at least 1"));
        assertTrue(error(body().put("from", "2026-03-11T00:00:00Z")).contains("after"));
    }

    @Test
    void malformedBodiesAreRefusedWithTheReason() {
        assertTrue(error(null).contains("JSON object"));
        assertTrue(error(body().put("camera_id", "x")).contains("camera_id"));
        assertTrue(error(new JsonObject().put("purpose", "homicide")).contains("plate is required"));
        assertTrue(error(body().put("plate", 12)).contains("string"));
        assertTrue(error(body().put("max_edits", 3)).contains("max_edits"));
        assertTrue(error(body().put("max_edits", 1.5)).contains("max_edits"));
        assertTrue(error(body().put("ocr", "yes")).contains("ocr"));
        assertTrue(error(body().put("from", "yesterday")).contains("ISO-8601"));
        assertTrue(error(body().put("vehicle", new JsonObject().put("wheels", "4"))).contains("wheels"));
        assertTrue(error(body().put("camera_ids", "cam-001")).contains("array"));
        assertTrue(error(body().put("geo_box", new JsonObject().put("top_left", new JsonObject().put("lat", 1).put("lon", 1))
                .put("bottom_right", new JsonObject().put("lat", 2).put("lon", 2)))).contains("top_left.lat"));
        assertTrue(error(body().put("search_after", "garbage")).contains("search_after"));
        assertTrue(error(body().put("search_after", 5)).contains("search_after"));
    }

    /** The window takes the grammar of a read's captured_at, no more: what java.time also took is refused, naming the field and the form. */
    @Test
    void fromAndToTakeTheFormACapturedAtTakes() {
        assertEquals("from '2026-03-10T01:33:38.Z' is not " + org.platewarden.core.read.DateTimeField.FORM
                + ": a decimal sign must be followed by at least one digit", error(body().put("from", "2026-03-10T01:33:38.Z")));
        assertTrue(error(body().put("to", "2026-03-10T01:33:38+00:00:00")).startsWith("to '2026-03-10T01:33:38+00:00:00' is not an ISO-8601"));
        assertTrue(error(body().put("to", "2026-03-10T01:33:38+15:00")).endsWith("beyond ±14:00, which no zone uses"));
        assertTrue(error(body().put("from", "2026-03-10T01:33:38")).endsWith("it has no UTC offset (Z or ±hh:mm)"));
        assertTrue(error(body().put("from", 1773100000)).startsWith("from must be a string: "));
        // ISO-8601's decimal comma and the offset without its colon, as a camera may send them
        SearchRequest r = parser.parse(body().put("from", "2026-03-10T01:33:38,25+0100").put("to", "2026-03-10 11:00:00Z"));
        assertEquals(Instant.parse("2026-03-10T00:33:38.250Z"), r.from());
        assertEquals(Instant.parse("2026-03-10T11:00:00Z"), r.to());
    }

    @Test
    void aPageTokenContinuesOnlyTheSearchThatReturnedIt() {
        PageToken last = new PageToken(0, 1_773_100_000_000L, "cam-001:r1");
        JsonObject star = body().put("plate", "*1234").put("from", "2026-03-09T00:00:00Z").put("to", "2026-03-10T00:00:00Z");
        String token = next(star, last);
        // the same search, spelt otherwise and with another page size: the same result set, so the token is taken
        JsonObject same = body().put("plate", "*12 34").put("from", "2026-03-09T01:00:00+01:00").put("to", "2026-03-10T00:00:00Z")
                .put("ocr", true).put("limit", 7).put("purpose", "robbery").put("case_number", "C-2");
        assertEquals(last, parser.parse(same.put("search_after", token)).after());
        // the probe's case: another plate's search would continue at a point that means nothing in it
        List<JsonObject> others = List.of(
                star.copy().put("plate", "XYZ008"),
                star.copy().put("max_edits", 1),
                star.copy().put("ocr", false),
                star.copy().put("from", "2026-03-09T00:00:01Z"),
                star.copy().put("to", "2026-03-10T00:00:01Z"),
                body().put("plate", "*1234").put("from", "2026-03-09T00:00:00Z"), // to: the default, not the one sent
                star.copy().put("camera_ids", new JsonArray().add("cam-001")),
                star.copy().put("region", "US-CO"),
                star.copy().put("vehicle", new JsonObject().put("color", "red")),
                star.copy().put("geo_box", new JsonObject().put("top_left", new JsonObject().put("lat", 40).put("lon", -105))
                        .put("bottom_right", new JsonObject().put("lat", 39).put("lon", -104))));
        for (JsonObject other : others) {
            String message = error(other.put("search_after", token));
            assertTrue(message.contains("'next' of a different search"), other + ": " + message);
        }
        // camera ids are a set: their order does not change the search
        JsonObject two = star.copy().put("camera_ids", new JsonArray().add("cam-001").add("cam-002"));
        String twoToken = next(two, last);
        assertEquals(last, parser.parse(star.copy().put("camera_ids", new JsonArray().add("cam-002").add("cam-001"))
                .put("search_after", twoToken)).after());
        // a token from before tokens named their search is refused with what to do
        String v1 = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("1:0:5:x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(error(star.copy().put("search_after", v1)).contains("earlier version"));
    }

    @Test
    void unknownFieldsAreRefusedWithWhatWasMeant() {
        assertEquals("unknown field 'camera_id' (did you mean 'camera_ids'?)", error(body().put("camera_id", "cam-001")));
        assertEquals("unknown field 'Max_Edit' (did you mean 'max_edits'?)", error(body().put("Max_Edit", 1)));
        assertEquals("unknown vehicle field 'colour' (did you mean 'color'?)",
                error(body().put("vehicle", new JsonObject().put("colour", "red"))));
        // nothing close: the fields there are
        assertEquals("unknown vehicle field 'wheels' (known fields: color, make, model, type)",
                error(body().put("vehicle", new JsonObject().put("wheels", "4"))));
        assertTrue(error(body().put("speed", 80)).startsWith("unknown field 'speed' (known fields: camera_ids, case_number, from,"));
    }

    @Test
    void aFromAfterTheDefaultToSaysToWasTheDefault() {
        String defaulted = error(body().put("from", "2026-03-11T00:00:00Z"));
        assertEquals("from (2026-03-11T00:00:00Z) is after to (2026-03-10T12:05:00Z, the default: now plus the 300 s a camera's clock"
                + " may run ahead; send a 'to')", defaulted);
        assertEquals("from (2026-03-11T00:00:00Z) is after to (2026-03-10T00:00:00Z)",
                error(body().put("from", "2026-03-11T00:00:00Z").put("to", "2026-03-10T00:00:00Z")));
    }

    @Test
    void patternsWithoutAnIndexBackedPlanAreRefused() {
        // reachable only below the default min_known_chars: every literal may be an edit
        SearchRequestParser lax = new SearchRequestParser(new SearchConfig("h", 1, null, null, 0, 31, 1000, 60, 65536, 0, true, 60, 3000, 120, null, null, null, 60, 10, 256, 16, 64, 2000, 10_000, 5_000, 20_000),
                OcrFolding.defaults(), Clock.fixed(NOW, ZoneOffset.UTC), SKEW);
        String message = assertThrows(InvalidSearchRequestException.class,
                () -> lax.parse(body().put("plate", "AB*").put("max_edits", 2))).getMessage();
        assertTrue(message.contains("too few known characters"), message);
    }
}
