package org.platewarden.core.plate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The fast index-term generators against a plain reference (set of substrings / BFS deletions). */
class PlateIndexTermsTest {

    @Test
    void deletionsEqualTheBreadthFirstReferenceIncludingRepeatsAndEdgeLengths() {
        Random random = new Random(42);
        String alphabet = "AAB0O1";  // few symbols: many repeated characters, so many duplicate variants
        for (int trial = 0; trial < 3000; trial++) {
            int len = random.nextInt(12);  // 0..11: beyond the packed limit too
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < len; i++) sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            String s = sb.toString();
            for (int k = 0; k <= 2; k++) {
                List<String> fast = PlateIndexTerms.deletions(s, k);
                assertEquals(referenceDeletions(s, k), new HashSet<>(fast), s + " k=" + k);
                assertEquals(fast.size(), new HashSet<>(fast).size(), "no duplicates for " + s);
                assertEquals(s, fast.get(0));
            }
        }
    }

    @Test
    void gramsEqualTheSubstringReference() {
        for (String s : List.of("A", "AB", "ABC1234", "AAAA", "1I1I1I", "ABCDEFGHIJKL", "A-B?")) {
            String anchored = "^" + s + "$";
            Set<String> expected = new LinkedHashSet<>();
            for (int n = 1; n <= 3; n++) {
                for (int i = 0; i + n <= anchored.length(); i++) {
                    String g = anchored.substring(i, i + n);
                    if (!g.equals("^") && !g.equals("$")) expected.add(g);
                }
            }
            assertEquals(List.copyOf(expected), PlateIndexTerms.grams(s), s);
        }
    }

    private static Set<String> referenceDeletions(String s, int k) {
        Set<String> out = new HashSet<>(Set.of(s));
        Set<String> frontier = Set.of(s);
        for (int d = 0; d < k; d++) {
            Set<String> next = new HashSet<>();
            for (String f : frontier) {
                for (int i = 0; i < f.length(); i++) next.add(f.substring(0, i) + f.substring(i + 1));
            }
            out.addAll(next);
            frontier = next;
        }
        return out;
    }
}
