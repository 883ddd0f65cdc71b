package org.platewarden.core.plate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlateMatcherTest {

    /** expected: "-" for no match, else kind[:edits] */
    @ParameterizedTest(name = "{0} ocr={1} k={2} vs {3} -> {4}")
    @CsvSource(delimiter = '|', value = {
            "ABC1234  | true  | 0 | ABC1234  | exact",
            "ABC1234  | false | 0 | ABC1234  | exact",
            "ABC1234  | true  | 0 | A8C1234  | ocr",
            "ABC1234  | false | 0 | A8C1234  | -",
            "ABC1234  | false | 1 | A8C1234  | edit:1",
            "ABC1234  | true  | 0 | ABC12345 | -",
            "ABC?234  | true  | 0 | ABC1234  | wildcard",
            "ABC?234  | true  | 0 | A8CX234  | ocr",
            "ABC?234  | true  | 0 | ABC234   | -",
            "ABC?234  | true  | 1 | ABC234   | edit:1",
            "ABC1Z34  | false | 1 | ABC1234  | edit:1",
            "ABC1Z34  | true  | 1 | ABC1234  | ocr",
            "ABC1Z34  | false | 0 | ABC1234  | -",
            "ABC1234  | true  | 1 | ABC123   | edit:1",
            "ABC1234  | true  | 1 | ABC12345 | edit:1",
            "ABC1234  | true  | 1 | ABXC1234 | edit:1",
            "ABC1234  | true  | 2 | XBC12Y4  | edit:2",
            "ABC1234  | true  | 1 | XBC12Y4  | -",
            "ABC1234  | true  | 2 | BAC1234  | edit:1",
            "ABC1234  | true  | 1 | BAC1234  | edit:1",
            "ACB1234  | true  | 1 | ABC1234  | edit:1",
            "ACB1234  | false | 1 | ABC1234  | edit:1",
            "ACB1234  | true  | 0 | ABC1234  | -",
            "ABC1243  | true  | 1 | ABC1234  | edit:1",
            "BAC1243  | true  | 2 | ABC1234  | edit:2",
            "BAC1243  | true  | 1 | ABC1234  | -",
            "BAC124   | true  | 2 | ABC1234  | edit:2",
            "CA       | false | 2 | ABC      | -",
            "AB?2134  | true  | 1 | ABX1234  | edit:1",
            "A?C2134  | false | 1 | AXC1234  | edit:1",
            "*2134    | true  | 1 | ABC1234  | edit:1",
            "*2134    | true  | 0 | ABC1234  | -",
            "AC8*     | true  | 1 | ABC99    | edit:1",
            "A*B      | true  | 1 | BA       | -",
            "A*B      | true  | 2 | BA       | edit:2",
            "A8C2I34  | true  | 1 | ABC1234  | edit:1",
            "A8C2I34  | false | 2 | ABC1234  | -",
            "ABC1234  | true  | 2 | XYZ1234  | -",
            "*1234    | true  | 0 | ABC1234  | wildcard",
            "*1234    | true  | 0 | 1234     | wildcard",
            "*1234    | true  | 0 | 12345    | -",
            "*1234    | true  | 1 | 12345    | edit:1",
            "AB*34    | true  | 0 | AB34     | wildcard",
            "AB*34    | true  | 0 | A8XYZ34  | ocr",
            "ABC*     | true  | 0 | A8C99    | ocr",
            "*C12*    | true  | 0 | ABC1234  | wildcard",
            "*D12*    | true  | 0 | ABO1234  | ocr",
            "*C12*    | false | 1 | ABX1234  | edit:1",
            "?BC1234  | true  | 0 | BC1234   | -",
            "?BC1234  | true  | 1 | BC1234   | edit:1",
            "A?C      | true  | 0 | AC       | -",
            "A?C      | true  | 1 | AC       | edit:1",
            "*X*      | true  | 1 | ABC      | edit:1",
            "*X*      | true  | 0 | ABC      | -",
            "ABC      | true  | 2 | A        | edit:2",
            "ABC      | true  | 2 | Q        | -",
            "A*B*C    | true  | 0 | AXXBYYC  | wildcard",
            "A*B*C    | true  | 0 | ACB      | -",
            "A*B*C    | true  | 1 | ACB      | edit:1",
            "0OD      | true  | 0 | QQQ      | ocr",
            "0OD      | false | 2 | QQQ      | -",
    })
    void classifiesHandWrittenCases(String pattern, boolean ocr, int maxEdits, String plate, String expected) {
        PlateMatcher matcher = new PlateMatcher(PlateQuery.parse(pattern, ocr, maxEdits));
        assertEquals(expected, render(matcher.match(plate)));
    }

    @Test
    void extendedFoldingIsHonoured() {
        OcrFolding extended = new OcrFolding(OcrFolding.EXTENDED_CLASSES);
        PlateQuery q = PlateQuery.parse("HOT4", true, 0);
        assertEquals("ocr", render(new PlateMatcher(q, extended).match("M0LA")));
        assertEquals("-", render(new PlateMatcher(q).match("M0LA")));
    }

    @Test
    void agreesWithAnIndependentReferenceOnRandomPairs() {
        Random rnd = new Random(42);
        String alphabet = "ABCDO0Q18IZ25SGH";
        OcrFolding folding = OcrFolding.defaults();
        int matched = 0;
        for (int n = 0; n < 30_000; n++) {
            String plate = randomString(rnd, alphabet, rnd.nextInt(8));
            StringBuilder p = new StringBuilder();
            int len = 1 + rnd.nextInt(7);
            for (int i = 0; i < len; i++) {
                int r = rnd.nextInt(10);
                p.append(r == 0 ? '?' : r == 1 ? '*' : alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            PlateQuery q;
            try {
                q = PlateQuery.parse(p.toString(), rnd.nextBoolean(), rnd.nextInt(3));
            } catch (PlateQueryException e) {
                continue;
            }
            String expected = reference(q, plate, folding);
            String actual = render(new PlateMatcher(q, folding).match(plate));
            assertEquals(expected, actual, q + " vs " + plate);
            if (!expected.equals("-")) matched++;
        }
        assertTrue(matched > 3_000, "random pairs should match often enough to be a test: " + matched);
    }

    static String render(Optional<PlateMatch> m) {
        if (m.isEmpty()) return "-";
        PlateMatch match = m.get();
        return match.kind() == PlateMatch.Kind.EDIT ? "edit:" + match.edits() : match.kind().jsonName();
    }

    /**
     * Straight from the Javadoc: regex globs and a suffix-recursive optimal-string-alignment
     * distance (insert, delete, substitute, or swap two adjacent non-'*' pattern elements).
     */
    static String reference(PlateQuery q, String plate, OcrFolding folding) {
        String p = q.pattern();
        if (toRegex(p).matcher(plate).matches()) return p.contains("?") || p.contains("*") ? "wildcard" : "exact";
        if (q.ocr() && toRegex(folding.fold(p)).matcher(folding.fold(plate)).matches()) return "ocr";
        String a = q.ocr() ? folding.fold(p) : p;
        String b = q.ocr() ? folding.fold(plate) : plate;
        int d = refDistance(a, 0, b, 0, new Integer[a.length() + 1][b.length() + 1]);
        return d >= 1 && d <= q.maxEdits() ? "edit:" + d : "-";
    }

    private static Pattern toRegex(String glob) {
        return Pattern.compile(glob.replace("?", ".").replace("*", ".*"));
    }

    private static int refDistance(String p, int i, String t, int j, Integer[][] memo) {
        if (memo[i][j] != null) return memo[i][j];
        int best;
        if (i == p.length()) {
            best = t.length() - j;
        } else if (p.charAt(i) == '*') {
            best = Integer.MAX_VALUE;
            for (int jj = j; jj <= t.length(); jj++) best = Math.min(best, refDistance(p, i + 1, t, jj, memo));
        } else {
            best = refDistance(p, i + 1, t, j, memo) + 1;
            if (j < t.length()) {
                best = Math.min(best, refDistance(p, i, t, j + 1, memo) + 1);
                boolean same = p.charAt(i) == '?' || p.charAt(i) == t.charAt(j);
                best = Math.min(best, refDistance(p, i + 1, t, j + 1, memo) + (same ? 0 : 1));
            }
            // a swap of two adjacent pattern elements (neither a '*') against the next two plate characters
            if (i + 1 < p.length() && j + 1 < t.length() && p.charAt(i + 1) != '*' && fits(p.charAt(i), t.charAt(j + 1))
                    && fits(p.charAt(i + 1), t.charAt(j))) {
                best = Math.min(best, refDistance(p, i + 2, t, j + 2, memo) + 1);
            }
        }
        memo[i][j] = best;
        return best;
    }

    private static boolean fits(char patternElement, char plateChar) {
        return patternElement == '?' || patternElement == plateChar;
    }

    private static String randomString(Random rnd, String alphabet, int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        return sb.toString();
    }
}
