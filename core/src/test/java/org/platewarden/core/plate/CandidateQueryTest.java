package org.platewarden.core.plate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.platewarden.core.plate.CandidateQuery.Strategy;
import org.platewarden.core.read.ReadFields;

class CandidateQueryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static CandidateQuery plan(String pattern, boolean ocr, int k) {
        return CandidateQuery.plan(PlateQuery.parse(pattern, ocr, k));
    }

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    @Test
    void exactOcrLooksUpTheFoldedPlate() throws Exception {
        CandidateQuery q = plan("ABC1234", true, 0);
        assertEquals(Strategy.EXACT_TERM, q.strategy());
        assertEquals(json("{'bool':{'filter':[{'term':{'plate_ocr':{'value':'A8C1234'}}}]}}"), q.toElasticsearchQuery());
    }

    @Test
    void exactWithoutOcrLooksUpTheNormalisedPlate() throws Exception {
        assertEquals(json("{'bool':{'filter':[{'term':{'plate_norm':{'value':'ABC1234'}}}]}}"),
                plan("ABC1234", false, 0).toElasticsearchQuery());
    }

    @Test
    void editsWithoutWildcardsUseTheDeletionNeighbourhoodAndLengthBounds() throws Exception {
        CandidateQuery q = plan("ABC123", true, 1);
        assertEquals(Strategy.DELETIONS, q.strategy());
        assertEquals(json("{'bool':{'filter':[{'range':{'plate_len':{'gte':5,'lte':7}}},"
                        + "{'terms':{'plate_dels':['8C123','A8123','A8C12','A8C123','A8C13','A8C23','AC123']}}]}}"),
                q.toElasticsearchQuery());
    }

    @Test
    void wildcardsRequireAnchoredGramsOfEveryLiteralRun() throws Exception {
        CandidateQuery q = plan("AB?12*", true, 0);
        assertEquals(Strategy.GRAMS, q.strategy());
        assertEquals(json("{'bool':{'filter':[{'range':{'plate_len':{'gte':5}}},"
                        + "{'term':{'plate_grams':{'value':'12'}}},{'term':{'plate_grams':{'value':'^A8'}}}]}}"),
                q.toElasticsearchQuery());
        assertEquals(Set.of("C12", "123", "234", "34$"), CandidateQuery.requiredGrams("*C1234"));
        assertEquals(Set.of("^A8", "A8C", "123", "23$"), CandidateQuery.requiredGrams("A8C?123"));
        assertEquals(Set.of("C", "2"), CandidateQuery.requiredGrams("?C*2?"));
    }

    @Test
    void questionMarksWithoutStarLookUpOneDeletionTerm() throws Exception {
        CandidateQuery q = plan("AB?12?4", true, 0);
        assertEquals(Strategy.DELETIONS, q.strategy());
        assertEquals(json("{'bool':{'filter':[{'range':{'plate_len':{'gte':7,'lte':7}}},"
                        + "{'term':{'plate_dels':{'value':'A8124'}}}]}}"),
                q.toElasticsearchQuery());
        assertTrue(q.matches(StoredTerms.of("ABX1234")));
        assertTrue(q.matches(StoredTerms.of("A8Z12Y4")), "OCR-equivalent literal, any characters under the ?s");
        assertFalse(q.matches(StoredTerms.of("ABX12345")), "one character too many");
        assertFalse(q.matches(StoredTerms.of("ABX1X3X")), "a literal differs");
        // three ?s are more deletions than the index stores: grams, as before
        assertEquals(Strategy.GRAMS, plan("A???234", true, 0).strategy());
    }

    @Test
    void wildcardsWithEditsUseKnockoutBranches() {
        CandidateQuery q = plan("ABC12*", true, 1);
        assertEquals(Strategy.GRAM_KNOCKOUT, q.strategy());
        // folded A8C12*; knock A: {8C1,C12}; knock 8: {^A,C12}; knock C: {^A8,12}; knock 1: {^A8,A8C,2};
        // knock 2: {^A8,A8C,8C1}; swaps (one edit each): 8AC12* {^8A,8AC,AC1,C12}, AC812* {^AC,AC8,C81,812},
        // A81C2* {^A8,A81,81C,1C2}, A8C21* {^A8,A8C,8C2,C21} -- which implies "knock 1" and is dropped
        List<CandidateQuery.Clause> clauses = q.clauses();
        assertEquals(new CandidateQuery.LengthRange(4, Integer.MAX_VALUE), clauses.get(0));
        CandidateQuery.AnyOf any = (CandidateQuery.AnyOf) clauses.get(clauses.size() - 1);
        assertEquals(8, any.branches().size());
        assertTrue(q.matches(StoredTerms.of("BAC12")), "A and B swapped");
        assertTrue(q.matches(StoredTerms.of("ACB1299")), "B and C swapped");
        assertTrue(q.matches(StoredTerms.of("ABC12")));
        assertTrue(q.matches(StoredTerms.of("XBC12999")), "A substituted");
        assertTrue(q.matches(StoredTerms.of("AC12")), "B deleted");
        assertTrue(q.matches(StoredTerms.of("ABXC12")), "X inserted");
        assertFalse(q.matches(StoredTerms.of("XYC12")), "two edits");
    }

    /** pattern, ocr, max edits, a plate one or two swaps of adjacent characters away, its edits */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ACB1234 | true  | 1 | ABC1234  | 1", "ACB1234 | false | 1 | ABC1234 | 1", "BAC1243 | true | 2 | ABC1234 | 2",
            "AB?2134 | true  | 1 | ABX1234  | 1", "AB?2134 | true  | 2 | ABX1234 | 1", "*2134   | true | 1 | ABC1234 | 1",
            "CAB12*  | true  | 1 | ACB12999 | 1", "CAB12*  | false | 2 | ACB1299 | 1", "*21C*   | true | 2 | XX12CY  | 1",
            "A8C2I34 | true  | 1 | ABC1234  | 1", "BA*43   | true  | 2 | AB9934  | 2", "?BAC*   | true | 1 | XABC    | 1"})
    void swapsOfAdjacentCharactersAreOneEditAndAreRetrieved(String pattern, boolean ocr, int k, String plate, int edits) throws Exception {
        CandidateQuery q = plan(pattern, ocr, k);
        assertEquals(PlateMatch.edit(edits), new PlateMatcher(q.query()).match(plate).orElseThrow(), q.query() + " vs " + plate);
        StoredTerms doc = StoredTerms.of(plate);
        assertTrue(q.matches(doc), q + " must retrieve " + plate);
        assertTrue(EsFilterEvaluator.matches(q.toElasticsearchQuery(), doc), q + " rendered must retrieve " + plate);
    }

    @Test
    void questionMarksOnlyWithFewEditsAlsoUseDeletions() {
        CandidateQuery q = plan("AB?1234", true, 1);
        assertEquals(Strategy.GRAM_KNOCKOUT, q.strategy());
        assertTrue(q.clauses().stream().anyMatch(c -> c instanceof CandidateQuery.Terms t
                && t.field().equals(ReadFields.PLATE_DELS) && t.terms().contains("A81234")));
        assertTrue(q.matches(StoredTerms.of("ABX1234")));
        assertTrue(q.matches(StoredTerms.of("AB1234")));
        assertTrue(q.matches(StoredTerms.of("ABXY1234")));
        assertFalse(q.matches(StoredTerms.of("AXXX1234")));
    }

    @Test
    void branchesImpliedByAnotherAreDropped() {
        // folded *A8C*C*: knock A {8C,C}, knock 8 {A,C}, knock first C {A8,C}, knock last C {A8C};
        // the last two cover {A,C} (a plate with gram A8 also has gram A), so they add nothing
        CandidateQuery q = plan("*ABC*C*", true, 1);
        CandidateQuery.AnyOf any = (CandidateQuery.AnyOf) q.clauses().get(q.clauses().size() - 1);
        assertEquals(2, any.branches().size(), any.toString());
        assertTrue(q.matches(StoredTerms.of("ABXC")));
        assertTrue(q.matches(StoredTerms.of("XBCC")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"A* | 1", "*A | 1", "AB* | 2", "A??* | 1", "A?? | 1", "*A?B* | 2"})
    void reportsShapesWithoutAnIndexBackedPlanAsUnsupported(String pattern, int k) {
        PlateQueryException e = assertThrows(PlateQueryException.class, () -> plan(pattern, true, k));
        assertTrue(e.isUnsupported());
        assertTrue(e.getMessage().contains("too few known characters"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"A? | 1", "?A | 1", "A | 2", "AB | 2", "AB* | 1", "A?B | 1"})
    void shortButCoverableShapesAreSupported(String pattern, int k) {
        CandidateQuery q = plan(pattern, true, k);
        assertTrue(q.termCount() > 0);
    }

    @Test
    void renderingAgreesWithInMemoryEvaluation() {
        List<String> plates = List.of("ABC1234", "A8C1234", "ABC123", "1ABC234", "AB12CDE", "XBC1234", "AC1234",
                "ABC12", "B", "", "ZZZ999", "ABCABC", "12ABC", "ABC1Z34");
        List<String> patterns = List.of("ABC1234", "ABC?234", "*1234", "ABC*", "*BC12*", "A*4", "??C1234", "1ABC234");
        for (String p : patterns) {
            for (boolean ocr : new boolean[] {true, false}) {
                for (int k = 0; k <= 2; k++) {
                    CandidateQuery q;
                    try {
                        q = plan(p, ocr, k);
                    } catch (PlateQueryException e) {
                        continue;
                    }
                    JsonNode es = q.toElasticsearchQuery();
                    PlateMatcher matcher = new PlateMatcher(q.query());
                    for (String plate : plates) {
                        StoredTerms doc = StoredTerms.of(plate);
                        assertEquals(q.matches(doc), EsFilterEvaluator.matches(es, doc), q + " on " + plate);
                        if (matcher.match(plate).isPresent()) assertTrue(q.matches(doc), q + " must retrieve " + plate);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNO?", "ABCDEFG*HIJKLMNO", "*ABCDEFGHIJKLMN*", "A?B?C?D?E?F?G?H?",
            "AB*CD*EF*GH*IJ*K", "ABCDEFGHIJKLMN??", "?ABCDEFGHIJKLMN?"})
    void longPatternsStayWithinTheClauseBudgetAndStillRetrieveEveryMatch(String pattern) {
        java.util.Random rnd = new java.util.Random(pattern.hashCode());
        String base = pattern.replace('?', 'X').replace("*", "");
        for (int k = 0; k <= 2; k++) {
            CandidateQuery q = plan(pattern, true, k);
            assertTrue(q.leafClauses() <= CandidateQuery.MAX_LEAF_CLAUSES, q.leafClauses() + " leaves");
            assertEquals(q.leafClauses(), EsFilterEvaluator.leaves(q.toElasticsearchQuery()));
            PlateMatcher matcher = new PlateMatcher(q.query());
            int matched = 0;
            for (int n = 0; n < 3_000; n++) {
                StringBuilder plate = new StringBuilder(base);
                for (int e = rnd.nextInt(3); e > 0; e--) {
                    int pos = rnd.nextInt(plate.length());
                    switch (rnd.nextInt(4)) {
                        case 0 -> plate.deleteCharAt(pos);
                        case 1 -> plate.insert(pos, (char) ('A' + rnd.nextInt(26)));
                        case 2 -> {
                            if (pos + 1 < plate.length()) {
                                char c = plate.charAt(pos);
                                plate.setCharAt(pos, plate.charAt(pos + 1));
                                plate.setCharAt(pos + 1, c);
                            }
                        }
                        default -> plate.setCharAt(pos, (char) ('0' + rnd.nextInt(10)));
                    }
                }
                if (matcher.match(plate.toString()).isPresent()) {
                    matched++;
                    assertTrue(q.matches(StoredTerms.of(plate.toString())), q + " must retrieve " + plate);
                }
            }
            assertTrue(matched > 100, "test must exercise matches: " + matched);
        }
    }

    @Test
    void storedTermsAreTheIndexTimeFields() {
        StoredTerms t = StoredTerms.of("abc-123");
        Map<String, Object> fields = t.toDocumentFields();
        assertEquals("ABC123", fields.get(ReadFields.PLATE_NORM));
        assertEquals("A8C123", fields.get(ReadFields.PLATE_OCR));
        assertEquals(6, fields.get(ReadFields.PLATE_LEN));
        @SuppressWarnings("unchecked")
        List<String> grams = (List<String>) fields.get(ReadFields.PLATE_GRAMS);
        assertTrue(grams.containsAll(List.of("A", "^A", "^A8", "23$", "3$", "A8C")));
        assertFalse(grams.contains("^") || grams.contains("$"));
        @SuppressWarnings("unchecked")
        List<String> dels = (List<String>) fields.get(ReadFields.PLATE_DELS);
        assertEquals(1 + 6 + 15, dels.size());
        assertTrue(dels.contains("A8C123") && dels.contains("8C123") && dels.contains("A812"));
    }
}
