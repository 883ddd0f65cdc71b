package org.platewarden.search.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.core.plate.PlateMatch;
import org.platewarden.core.plate.PlateMatchRanking;
import org.platewarden.core.plate.PlateMatcher;
import org.platewarden.core.plate.PlateNormalizer;
import org.platewarden.core.plate.PlateQuery;
import org.platewarden.search.query.TestReads.Read;

/**
 * The oracle: over 100k generated reads (realistic plate formats, repeat sightings, OCR
 * confusions and other misreads, several agencies) in four daily indices, the search returns
 * exactly the reads that {@link PlateMatcher} accepts when run on every read, in the order of
 * {@link PlateMatchRanking}, for a varied set of patterns.
 */
class SearchOracleIT {
    static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    static final Instant START = Instant.parse("2026-03-07T00:00:00Z");
    static final int TARGET_READS = 100_000;
    static final String[] OCR_CLASSES = {"0ODQ", "1I", "2Z", "5S", "8B", "6G"};
    static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static final String DIGITS = "0123456789";
    static final String ALNUM = LETTERS + DIGITS;
    static final Set<String> DPD_VISIBLE = Set.of("DPD", "ACSO");

    static SearchHarness harness;
    static SearchService service;
    static RecordingAuditLog audit = new RecordingAuditLog();
    static List<Read> reads = new ArrayList<>();
    static List<String> vehicles = new ArrayList<>();
    static long loadMillis;

    @BeforeAll
    static void load() {
        harness = new SearchHarness("oracle", NOW);
        // min_known_chars 2: the oracle checks what the plans find, including "ABC*" with 1 edit,
        // which the default dragnet guard (3 characters a match must contain) refuses
        service = harness.service(harness.config("{\"max_results\":100000,\"rate_limit_per_minute\":0,\"min_known_chars\":2}"), audit,
                SearchLimits.defaults());
        Random random = new Random(20260310);
        while (vehicles.size() < 26_000) vehicles.add(randomPlate(random));
        long span = Duration.between(START, NOW).toMillis();
        // popular vehicles are seen far more often (commuters), most only once or twice
        List<String> sightings = new ArrayList<>();
        while (sightings.size() < TARGET_READS) {
            int v = (int) (Math.abs(random.nextGaussian()) * vehicles.size() / 2.5);
            if (v < vehicles.size()) sightings.add(vehicles.get(v));
        }
        long step = span / sightings.size();
        for (int i = 0; i < sightings.size(); i++) {
            String shown = misread(sightings.get(i), random);
            Instant at = START.plusMillis(i * step + random.nextInt((int) step));
            int a = random.nextInt(100);
            String camera = a < 55 ? "cam-001" : a < 75 ? "cam-002" : a < 95 ? "cam-101" : "cam-900";
            String agency = a < 75 ? "DPD" : a < 95 ? "ACSO" : "OTHER";
            String norm = PlateNormalizer.normalize(shown);
            reads.add(Read.of(camera + ":" + at.toEpochMilli() + ":" + norm, camera, agency, at, shown));
        }
        long t0 = System.nanoTime();
        TestReads.bulkLoad(harness.es.rest(), harness.prefix, reads, 10_000);
        TestReads.refresh(harness.es.rest(), harness.prefix);
        loadMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("oracle: loaded " + reads.size() + " reads in " + loadMillis + " ms");
    }

    @AfterAll
    static void cleanUp() {
        if (harness != null) harness.close();
    }

    @Test
    void searchReturnsExactlyWhatTheMatcherAcceptsInRankOrder() {
        List<Pattern> patterns = patterns(new Random(7));
        assertTrue(patterns.size() >= 50, "only " + patterns.size() + " patterns");
        List<String> failures = new ArrayList<>();
        long totalMatches = 0;
        int auditBefore = audit.entries.size();
        long t0 = System.nanoTime();
        for (Pattern p : patterns) {
            List<Expected> expected = bruteForce(p);
            SearchOutcome outcome = harness.search(service, SearchHarness.DPD, body(p, 100_000, null));
            if (outcome.status() != 200) {
                failures.add(p + " -> " + outcome.status() + " " + outcome.body());
                continue;
            }
            JsonArray hits = outcome.body().getJsonArray("hits");
            List<String> got = new ArrayList<>();
            for (int i = 0; i < hits.size(); i++) got.add(hits.getJsonObject(i).getString("read_id"));
            List<String> want = expected.stream().map(e -> e.read.readId()).toList();
            if (!got.equals(want) || outcome.body().getInteger("total") != want.size()) {
                Set<String> missing = new LinkedHashSet<>(want);
                got.forEach(missing::remove);
                Set<String> extra = new LinkedHashSet<>(got);
                want.forEach(extra::remove);
                failures.add(p + ": got " + got.size() + " want " + want.size() + " total " + outcome.body().getInteger("total")
                        + " missing " + first(missing) + " extra " + first(extra)
                        + (missing.isEmpty() && extra.isEmpty() ? " (order differs)" : ""));
                continue;
            }
            for (int i = 0; i < hits.size(); i++) {
                JsonObject match = hits.getJsonObject(i).getJsonObject("match");
                PlateMatch m = expected.get(i).match;
                if (!m.kind().jsonName().equals(match.getString("kind")) || m.edits() != match.getInteger("edits")) {
                    failures.add(p + ": hit " + i + " match " + match + " want " + m);
                    break;
                }
            }
            totalMatches += want.size();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("oracle: " + patterns.size() + " patterns, " + totalMatches + " matching reads, searched in "
                + ms + " ms (" + (ms / patterns.size()) + " ms per search)");
        if (!failures.isEmpty()) fail(failures.size() + " of " + patterns.size() + " patterns differ:\n" + String.join("\n", failures));
        assertTrue(totalMatches > 2000, "patterns should match a good number of reads: " + totalMatches);
        assertEquals(patterns.size(), audit.entries.size() - auditBefore, "one audit record per search");
    }

    @Test
    void pagesWithSearchAfterConcatenateToTheFullRanking() {
        Random random = new Random(11);
        for (int n = 0; n < 6; n++) {
            String target = PlateNormalizer.normalize(vehicles.get(random.nextInt(50)));
            // wildcard patterns are scanned and verified in Java; exact plates (with their OCR
            // look-alikes ranked after them) come from one ranked query paged by Elasticsearch
            Pattern p = n < 3 ? new Pattern(target.substring(0, 3) + "*", true, n % 2) : new Pattern(target, n != 5, 0);
            int pageSize = n < 3 ? 25 : 3;
            List<String> want = bruteForce(p).stream().map(e -> e.read.readId()).toList();
            List<String> got = new ArrayList<>();
            String next = null;
            int pages = 0;
            do {
                SearchOutcome outcome = harness.search(service, SearchHarness.DPD, body(p, pageSize, next));
                assertEquals(200, outcome.status(), outcome.body().encode());
                assertEquals(want.size(), outcome.body().getInteger("total"));
                JsonArray hits = outcome.body().getJsonArray("hits");
                assertTrue(hits.size() <= pageSize);
                for (int i = 0; i < hits.size(); i++) got.add(hits.getJsonObject(i).getString("read_id"));
                next = outcome.body().getString("next");
                pages++;
            } while (next != null && pages < 1000);
            assertEquals(want, got, "paged results of " + p);
            assertTrue(pages >= 2 || want.size() <= pageSize);
            assertTrue(!want.isEmpty(), "the pattern should match something: " + p);
        }
    }

    record Pattern(String pattern, boolean ocr, int maxEdits) {
        @Override
        public String toString() {
            return pattern + (ocr ? " ocr" : "") + (maxEdits > 0 ? " ~" + maxEdits : "");
        }
    }

    record Expected(Read read, PlateMatch match) {
    }

    static List<Expected> bruteForce(Pattern p) {
        PlateMatcher matcher = new PlateMatcher(PlateQuery.parse(p.pattern, p.ocr, p.maxEdits));
        List<Expected> out = new ArrayList<>();
        for (Read r : reads) {
            if (!DPD_VISIBLE.contains(r.agency())) continue;
            PlateMatch m = matcher.matchOrNull(PlateNormalizer.normalize(r.plate()));
            if (m != null) out.add(new Expected(r, m));
        }
        Comparator<Expected> order = PlateMatchRanking.comparator(Expected::match, e -> e.read.capturedAtMs(), e -> e.read.readId());
        out.sort(order);
        return out;
    }

    static JsonObject body(Pattern p, int limit, String after) {
        JsonObject body = new JsonObject()
                .put("plate", p.pattern).put("ocr", p.ocr).put("max_edits", p.maxEdits)
                .put("from", START.toString()).put("to", NOW.toString())
                .put("purpose", "stolen_vehicle").put("case_number", "DPD-2026-000123").put("limit", limit);
        if (after != null) body.put("search_after", after);
        return body;
    }

    /** Fourteen shapes of pattern for each of five vehicles, from popular to rare. */
    static List<Pattern> patterns(Random random) {
        List<Pattern> out = new ArrayList<>();
        int[] picks = {0, 3, 40, 900, 6000};
        for (int pick : picks) {
            String t = PlateNormalizer.normalize(vehicles.get(pick));
            int n = t.length();
            out.add(new Pattern(t, false, 0));
            out.add(new Pattern(t, true, 0));
            out.add(new Pattern(replace(t, random.nextInt(n), '?'), true, 0));
            out.add(new Pattern(replace(replace(t, 1, '?'), n - 2, '?'), false, 0));
            out.add(new Pattern(t.substring(0, 4) + "*", true, 0));
            out.add(new Pattern("*" + t.substring(n - 4), true, 0));
            out.add(new Pattern("*" + t.substring(1, 5) + "*", false, 0));
            out.add(new Pattern(ocrConfuse(t, random), true, 0));
            out.add(new Pattern(replace(t, random.nextInt(n), ALNUM.charAt(random.nextInt(ALNUM.length()))), false, 1));
            out.add(new Pattern(delete(t, random.nextInt(n)), true, 1));
            out.add(new Pattern(replace(delete(t, random.nextInt(n)), 0, ALNUM.charAt(random.nextInt(ALNUM.length()))), true, 2));
            out.add(new Pattern(t.substring(0, 2) + "?" + t.substring(3, 5) + "*", true, 1));
            out.add(new Pattern("*" + t.substring(2, 5) + "*", true, 0));
            out.add(new Pattern(t.substring(0, 3) + "*", true, 1));
        }
        return out;
    }

    static String randomPlate(Random random) {
        int f = random.nextInt(100);
        String shape = f < 35 ? "LLL DDDD" : f < 55 ? "DLLL DDD" : f < 70 ? "LL DD LLL" : f < 85 ? "LLL-DDD" : f < 95 ? "DDD LLL" : "LL DDDD";
        StringBuilder sb = new StringBuilder();
        for (char c : shape.toCharArray()) {
            sb.append(c == 'L' ? LETTERS.charAt(random.nextInt(26)) : c == 'D' ? DIGITS.charAt(random.nextInt(10)) : c);
        }
        return sb.toString();
    }

    /** 85% read correctly, 10% an OCR confusion, 5% another misread (substitution, drop, extra). */
    static String misread(String plate, Random random) {
        int r = random.nextInt(100);
        if (r < 85) return plate;
        String norm = PlateNormalizer.normalize(plate);
        if (r < 95) return ocrConfuse(norm, random);
        int pos = random.nextInt(norm.length());
        char c = ALNUM.charAt(random.nextInt(ALNUM.length()));
        if (r < 98) return replace(norm, pos, c);
        if (r < 99) return delete(norm, pos);
        return norm.substring(0, pos) + c + norm.substring(pos);
    }

    static String ocrConfuse(String norm, Random random) {
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < norm.length(); i++) if (ocrClass(norm.charAt(i)) != null) positions.add(i);
        if (positions.isEmpty()) return norm;
        int pos = positions.get(random.nextInt(positions.size()));
        String cls = ocrClass(norm.charAt(pos));
        char other;
        do {
            other = cls.charAt(random.nextInt(cls.length()));
        } while (other == norm.charAt(pos));
        return replace(norm, pos, other);
    }

    static String ocrClass(char c) {
        for (String cls : OCR_CLASSES) if (cls.indexOf(c) >= 0) return cls;
        return null;
    }

    static String replace(String s, int pos, char c) {
        return s.substring(0, pos) + c + s.substring(pos + 1);
    }

    static String delete(String s, int pos) {
        return s.substring(0, pos) + s.substring(pos + 1);
    }

    static String first(Set<String> ids) {
        return ids.isEmpty() ? "[]" : ids.size() + " e.g. " + ids.iterator().next();
    }
}
