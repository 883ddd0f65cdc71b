package org.platewarden.core.plate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.platewarden.core.plate.CandidateQuery.Strategy;

/**
 * The oracle: over a synthetic corpus of realistic reads (several plate formats, repeat sightings,
 * OCR confusions, dropped/added characters), for hundreds of query patterns of every shape,
 * candidate retrieval followed by the matcher must return exactly what the matcher returns by
 * brute force over every read, and the candidates must be a superset of the brute-force matches.
 * The search-api repeats this against a real Elasticsearch with the rendered queries.
 */
class PlateOracleTest {
    static final int READS = 120_000;
    static final int VEHICLES = 30_000;
    static final int GENERATED_QUERIES = 260;
    static final long NOW = 1_795_000_000_000L;
    static final long WINDOW_MS = 21L * 24 * 3600 * 1000;
    static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static final String DIGITS = "0123456789";
    static final String ALNUM = LETTERS + DIGITS;
    /** what OCR engines confuse: the default folding classes and the extended ones (which are real edits by default) */
    static final String[] CONFUSIONS = {"0ODQ", "1IL", "1T", "2Z", "5S", "8B", "38", "6G", "4A", "HKMR", "UV", "CG", "EF"};

    /** plateId: index of the read's distinct plate in PLATES (its index terms depend on the plate only) */
    record Read(String readId, String norm, long capturedAt, StoredTerms terms, int plateId) {
    }

    record Spec(String pattern, boolean ocr, int maxEdits, String shape) {
    }

    static final List<Read> READS_LIST = new ArrayList<>();
    static final List<StoredTerms> PLATES = new ArrayList<>();
    static long buildMillis;

    @BeforeAll
    static void corpus() {
        long t0 = System.nanoTime();
        Random rnd = new Random(20261122L);
        String[] vehicles = new String[VEHICLES];
        for (int v = 0; v < VEHICLES; v++) vehicles[v] = randomPlate(rnd);
        Map<String, Integer> plateIds = new HashMap<>();
        for (int i = 0; i < READS; i++) {
            // skewed popularity: a few vehicles are read very often (commuters), most a few times
            String truth = vehicles[(int) (VEHICLES * Math.pow(rnd.nextDouble(), 2.5))];
            String read = truth;
            double p = rnd.nextDouble();
            if (p < 0.10) read = confuse(rnd, read, 1 + rnd.nextInt(2));
            else if (p < 0.14) read = randomEdit(rnd, read);
            else if (p < 0.15) read = randomEdit(rnd, randomEdit(rnd, read));
            String raw = rnd.nextInt(3) == 0 && read.length() > 3 ? read.substring(0, 3) + (rnd.nextBoolean() ? " " : "-")
                    + read.substring(3).toLowerCase() : read;
            String norm = PlateNormalizer.normalize(raw);
            int plateId = plateIds.computeIfAbsent(norm, x -> {
                PLATES.add(StoredTerms.of(x));
                return PLATES.size() - 1;
            });
            long at = NOW - (long) (rnd.nextDouble() * WINDOW_MS);
            READS_LIST.add(new Read("cam-" + rnd.nextInt(200) + ":" + at + ":" + norm + ":" + i, norm, at,
                    PLATES.get(plateId), plateId));
        }
        buildMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("corpus: %d reads, %d distinct plates, built in %d ms%n", READS, PLATES.size(), buildMillis);
    }

    @Test
    void candidatesThenMatcherEqualBruteForceForEveryQueryShape() throws IOException {
        long t0 = System.nanoTime();
        List<Spec> specs = new ArrayList<>(handWritten());
        Random rnd = new Random(7);
        for (int i = 0; i < GENERATED_QUERIES; i++) specs.add(generate(rnd));

        Map<Strategy, long[]> perStrategy = new EnumMap<>(Strategy.class); // queries, hits, candidates, terms, max candidates
        Map<String, Integer> kinds = new HashMap<>();
        List<String> unsupported = new ArrayList<>();
        int supported = 0, withHits = 0;
        long hitsTotal = 0, candidatesTotal = 0, esChecked = 0, matcherNanos = 0, planNanos = 0, esNanos = 0;
        StringBuilder weakest = new StringBuilder();
        long[] guarded = new long[3]; // queries with >= 4 guaranteed known characters: count, hits, candidates
        for (Spec spec : specs) {
            PlateQuery query = PlateQuery.parse(spec.pattern(), spec.ocr(), spec.maxEdits());
            CandidateQuery plan;
            try {
                plan = CandidateQuery.plan(query);
            } catch (PlateQueryException e) {
                assertTrue(e.isUnsupported(), e.getMessage());
                assertTrue(query.hasWildcards() && query.maxEdits() > 0, "only wildcard+edit shapes may be unsupported: " + query);
                unsupported.add(query.pattern() + "/k" + query.maxEdits());
                continue;
            }
            supported++;
            PlateMatcher matcher = new PlateMatcher(query);
            JsonNode es = plan.toElasticsearchQuery();
            assertTrue(plan.leafClauses() <= CandidateQuery.MAX_LEAF_CLAUSES, spec.toString());
            assertEquals(plan.leafClauses(), EsFilterEvaluator.leaves(es), spec.toString());
            BitSet brute = new BitSet(READS);
            BitSet candidates = new BitSet(READS);
            long m0 = System.nanoTime();
            for (int i = 0; i < READS; i++) {
                if (matcher.matchOrNull(READS_LIST.get(i).norm()) != null) brute.set(i);
            }
            long m1 = System.nanoTime();
            // what the index does per document, done once per distinct plate and expanded to its reads
            BitSet plateCandidates = new BitSet(PLATES.size());
            for (int p = 0; p < PLATES.size(); p++) {
                if (plan.matches(PLATES.get(p))) plateCandidates.set(p);
            }
            for (int i = 0; i < READS; i++) {
                if (plateCandidates.get(READS_LIST.get(i).plateId())) candidates.set(i);
            }
            long m2 = System.nanoTime();
            matcherNanos += m1 - m0;
            planNanos += m2 - m1;
            BitSet missing = (BitSet) brute.clone();
            missing.andNot(candidates);
            if (!missing.isEmpty()) {
                StringBuilder sb = new StringBuilder("candidate retrieval missed true matches for " + spec + " plan " + plan + ":");
                missing.stream().limit(10).forEach(i -> sb.append(' ').append(READS_LIST.get(i).norm())
                        .append('=').append(matcher.match(READS_LIST.get(i).norm()).orElseThrow()));
                fail(sb.toString());
            }
            BitSet retrievedThenMatched = new BitSet(READS);
            candidates.stream().filter(i -> matcher.matchOrNull(READS_LIST.get(i).norm()) != null).forEach(retrievedThenMatched::set);
            assertEquals(brute, retrievedThenMatched, spec.toString());

            // the rendered Elasticsearch query says the same as the in-memory plan (on hits, candidates and a sample)
            long e0 = System.nanoTime();
            for (int i = 0; i < READS; i++) {
                if ((brute.get(i) && i % 7 == 0) || (candidates.get(i) && i % 11 == 0) || i % 211 == 0) {
                    StoredTerms doc = READS_LIST.get(i).terms();
                    assertEquals(plan.matches(doc), EsFilterEvaluator.matches(es, doc), spec + " on " + doc.norm());
                    esChecked++;
                }
            }
            esNanos += System.nanoTime() - e0;
            assertRankedCorrectly(matcher, brute);

            brute.stream().forEach(i -> kinds.merge(render(matcher.matchOrNull(READS_LIST.get(i).norm())), 1, Integer::sum));
            long[] s = perStrategy.computeIfAbsent(plan.strategy(), x -> new long[5]);
            s[0]++;
            s[1] += brute.cardinality();
            s[2] += candidates.cardinality();
            s[3] += plan.termCount();
            s[4] = Math.max(s[4], candidates.cardinality());
            hitsTotal += brute.cardinality();
            candidatesTotal += candidates.cardinality();
            if (!brute.isEmpty()) withHits++;
            if (query.effectiveKnownChars() >= 4) {
                guarded[0]++;
                guarded[1] += brute.cardinality();
                guarded[2] += candidates.cardinality();
            }
            if (candidates.cardinality() > 3L * brute.cardinality() + 100) {
                weakest.append(String.format("    %s ocr=%s k=%d %s hits=%d candidates=%d%n", query.pattern(), query.ocr(),
                        query.maxEdits(), plan.strategy(), brute.cardinality(), candidates.cardinality()));
            }
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;

        StringBuilder summary = new StringBuilder();
        summary.append(String.format("reads=%d queries=%d supported=%d unsupported=%d withHits=%d hits=%d candidates=%d esChecks=%d corpusMs=%d queryMs=%d%n",
                READS, specs.size(), supported, unsupported.size(), withHits, hitsTotal, candidatesTotal, esChecked, buildMillis, millis));
        perStrategy.forEach((k, s) -> summary.append(String.format(
                "  %-13s queries=%4d hits=%7d candidates=%8d candidates/hits=%.2f avgTerms=%.1f maxCandidates=%d%n",
                k, s[0], s[1], s[2], s[2] / (double) Math.max(1, s[1]), s[3] / (double) s[0], s[4])));
        summary.append("  kinds ").append(new java.util.TreeMap<>(kinds)).append('\n');
        summary.append("  unsupported ").append(unsupported).append('\n');
        summary.append(String.format("  queries with effectiveKnownChars >= 4: %d, hits=%d candidates=%d candidates/hits=%.2f%n",
                guarded[0], guarded[1], guarded[2], guarded[2] / (double) Math.max(1, guarded[1])));
        summary.append(String.format("  brute-force matcher: %d calls in %d ms (%.0f ns/call); in-memory plan over %d distinct plates: %d ms; ES-JSON cross-check: %d ms%n",
                (long) supported * READS, matcherNanos / 1_000_000, matcherNanos / (double) supported / READS, PLATES.size(),
                planNanos / 1_000_000, esNanos / 1_000_000));
        summary.append("  plans with candidates > 3 x hits + 100:\n").append(weakest);
        System.out.print(summary);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "plate-oracle-summary.txt"), summary.toString());

        // the oracle is only worth something if it exercised every shape and every kind of match
        assertTrue(supported >= 200, "supported queries: " + supported);
        assertTrue(unsupported.size() <= specs.size() / 10, "too many unsupported: " + unsupported);
        assertTrue(withHits >= supported * 8 / 10, "queries with hits: " + withHits + " of " + supported);
        for (Strategy st : Strategy.values()) {
            assertTrue(perStrategy.containsKey(st) && perStrategy.get(st)[0] >= 20, "strategy under-exercised: " + st);
        }
        for (String kind : List.of("exact", "wildcard", "ocr", "edit:1", "edit:2")) {
            assertTrue(kinds.getOrDefault(kind, 0) >= 100, "kind under-exercised: " + kind + " " + kinds);
        }
    }

    private static void assertRankedCorrectly(PlateMatcher matcher, BitSet hits) {
        record Hit(Read read, PlateMatch match) {
        }
        List<Hit> list = new ArrayList<>();
        hits.stream().forEach(i -> list.add(new Hit(READS_LIST.get(i), matcher.matchOrNull(READS_LIST.get(i).norm()))));
        Comparator<Hit> ranking = PlateMatchRanking.comparator(Hit::match, h -> h.read().capturedAt(), h -> h.read().readId());
        list.sort(ranking);
        for (int i = 1; i < list.size(); i++) {
            Hit a = list.get(i - 1), b = list.get(i);
            assertTrue(a.match().tier() <= b.match().tier(), "tier order");
            if (a.match().tier() == b.match().tier()) {
                assertTrue(a.read().capturedAt() >= b.read().capturedAt(), "recency within a tier");
                if (a.read().capturedAt() == b.read().capturedAt()) {
                    assertTrue(a.read().readId().compareTo(b.read().readId()) < 0, "read id breaks ties");
                }
            }
        }
    }

    private static String render(PlateMatch m) {
        return m.kind() == PlateMatch.Kind.EDIT ? "edit:" + m.edits() : m.kind().jsonName();
    }

    // ---- corpus ------------------------------------------------------------------------------

    static String randomPlate(Random rnd) {
        int f = rnd.nextInt(100);
        String format;
        if (f < 35) format = "LLLDDDD";        // US: ABC1234
        else if (f < 50) format = "DLLLDDD";   // US: 1ABC234
        else if (f < 65) format = "LLLDDD";    // US: ABC123
        else if (f < 85) format = "LLDDLLL";   // EU-like: AB12CDE
        else if (f < 90) format = "DDDLLL";
        else if (f < 95) format = "LLDDDD";
        else format = "X".repeat(2 + rnd.nextInt(7)); // vanity: 2..8 of anything
        StringBuilder sb = new StringBuilder();
        for (char c : format.toCharArray()) {
            String from = c == 'L' ? LETTERS : c == 'D' ? DIGITS : ALNUM;
            sb.append(from.charAt(rnd.nextInt(from.length())));
        }
        return sb.toString();
    }

    /** replaces up to n characters by a character the OCR engine confuses them with */
    static String confuse(Random rnd, String plate, int n) {
        char[] c = plate.toCharArray();
        for (int k = 0; k < n && c.length > 0; k++) {
            int pos = rnd.nextInt(c.length);
            List<String> classes = new ArrayList<>();
            for (String cls : CONFUSIONS) if (cls.indexOf(c[pos]) >= 0) classes.add(cls);
            if (classes.isEmpty()) continue;
            String cls = classes.get(rnd.nextInt(classes.size()));
            c[pos] = cls.charAt(rnd.nextInt(cls.length()));
        }
        return new String(c);
    }

    static String randomEdit(Random rnd, String plate) {
        int op = rnd.nextInt(4);
        if (op == 3 && plate.length() >= 2) {
            // a swap of two adjacent characters (one edit)
            int pos = rnd.nextInt(plate.length() - 1);
            return plate.substring(0, pos) + plate.charAt(pos + 1) + plate.charAt(pos) + plate.substring(pos + 2);
        }
        if (op == 3) op = 1;
        if (plate.isEmpty()) op = 1;
        int pos = rnd.nextInt(plate.length() + (op == 1 ? 1 : 0));
        char x = ALNUM.charAt(rnd.nextInt(ALNUM.length()));
        return switch (op) {
            case 0 -> plate.substring(0, pos) + plate.substring(pos + 1);
            case 1 -> plate.substring(0, pos) + x + plate.substring(pos);
            default -> plate.substring(0, pos) + x + plate.substring(pos + 1);
        };
    }

    // ---- queries -----------------------------------------------------------------------------

    static List<Spec> handWritten() {
        List<Spec> out = new ArrayList<>();
        String[][] rows = {
                // pattern, ocr, k
                {"ABC1234", "true", "0"}, {"A8C1234", "true", "0"}, {"ABC1234", "false", "1"}, {"ABC1Z34", "false", "1"},
                {"*1234", "true", "0"}, {"ABC*", "true", "0"}, {"*BC12*", "true", "0"}, {"??C1234", "true", "0"},
                {"AB?1234", "true", "1"}, {"7ABC*", "true", "1"}, {"*12CDE", "true", "2"}, {"AB12*", "false", "2"},
                {"1ABC2?4", "true", "1"}, {"ABC*4", "true", "1"}, {"A*C*3", "true", "2"}, {"*0O0*", "true", "0"},
                {"Q?D", "true", "0"}, {"SS*", "true", "1"}, {"*A*B*C*", "true", "1"}, {"AB?12*", "true", "1"},
                {"ABC", "true", "2"}, {"A?", "true", "1"}, {"??C???4", "false", "0"}, {"*9999", "true", "2"},
                // swaps of adjacent characters (one edit each), with ?, * and OCR look-alikes
                {"ACB1234", "true", "1"}, {"BAC1243", "false", "2"}, {"AB?2134", "true", "1"}, {"*2134", "true", "1"},
                {"A8C2I34", "true", "1"}, {"CAB12*", "true", "1"}, {"*21C*", "true", "2"},
                // no index-backed plan: must be refused, never answered with a scan
                {"A*", "true", "1"}, {"AB*", "true", "2"}, {"A??", "true", "1"},
        };
        for (String[] r : rows) out.add(new Spec(r[0], Boolean.parseBoolean(r[1]), Integer.parseInt(r[2]), "hand"));
        return out;
    }

    /** picks a vehicle that was read, and derives a query of a random shape from its true plate */
    static Spec generate(Random rnd) {
        String t = READS_LIST.get(rnd.nextInt(READS_LIST.size())).norm();
        while (t.length() < 5) t = READS_LIST.get(rnd.nextInt(READS_LIST.size())).norm();
        boolean ocr = rnd.nextInt(10) < 7;
        int shape = rnd.nextInt(13);
        int n = t.length();
        return switch (shape) {
            case 0 -> new Spec(t, ocr, 0, "exact");
            case 1 -> new Spec(confuse(rnd, t, 1 + rnd.nextInt(2)), ocr, 0, "ocr-variant");
            case 2 -> new Spec(questionMarks(rnd, t, 1 + rnd.nextInt(2)), ocr, 0, "question");
            case 3 -> new Spec("*" + t.substring(n - 3 - rnd.nextInt(3)), ocr, 0, "leading-star");
            case 4 -> new Spec(t.substring(0, 3 + rnd.nextInt(3)) + "*", ocr, 0, "trailing-star");
            case 5 -> new Spec(t.substring(0, 2 + rnd.nextInt(2)) + "*" + t.substring(n - 2 - rnd.nextInt(2)), ocr, 0, "infix-star");
            case 6 -> {
                int len = 3 + rnd.nextInt(2), from = rnd.nextInt(n - len + 1);
                yield new Spec("*" + t.substring(from, from + len) + "*", ocr, 0, "both-stars");
            }
            case 7 -> new Spec(randomEdit(rnd, t), ocr, 1, "edit1");
            case 8 -> new Spec(randomEdit(rnd, randomEdit(rnd, t)), ocr, 2, "edit2");
            case 9 -> new Spec(randomEdit(rnd, confuse(rnd, t, 1)), true, 1 + rnd.nextInt(2), "ocr+edit");
            case 10 -> new Spec(questionMarks(rnd, randomEdit(rnd, t), 1), ocr, 1 + rnd.nextInt(2), "question+edit");
            case 11 -> {
                String e = rnd.nextBoolean() ? randomEdit(rnd, t) : t;
                int k = 1 + rnd.nextInt(2);
                yield switch (rnd.nextInt(3)) {
                    case 0 -> new Spec(e.substring(0, Math.min(e.length(), 4 + rnd.nextInt(2))) + "*", ocr, k, "trailing-star+edit");
                    case 1 -> new Spec("*" + e.substring(Math.max(0, e.length() - 4 - rnd.nextInt(2))), ocr, k, "leading-star+edit");
                    default -> new Spec(e.substring(0, 3) + "*" + e.substring(e.length() - 3), ocr, k, "infix-star+edit");
                };
            }
            default -> {
                String q = questionMarks(rnd, confuse(rnd, t, 1), 1);
                int cut = 1 + rnd.nextInt(q.length() - 2);
                String p = rnd.nextBoolean() ? q.substring(0, cut) + "*" + q.substring(cut + 1) : "*" + q.substring(1);
                yield new Spec(p, ocr, rnd.nextInt(3), "mixed");
            }
        };
    }

    static String questionMarks(Random rnd, String s, int n) {
        char[] c = s.toCharArray();
        for (int i = 0; i < n; i++) c[rnd.nextInt(c.length)] = '?';
        return new String(c);
    }
}
