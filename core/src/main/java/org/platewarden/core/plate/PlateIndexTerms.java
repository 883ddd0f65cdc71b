package org.platewarden.core.plate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Terms computed in Java at index time so that candidate retrieval never scans the term
 * dictionary (the embedded Elasticsearch has no ngram tokenizer, and leading-wildcard queries on
 * a keyword field visit every term).
 * <ul>
 * <li>{@link #grams}: the 1-, 2- and 3-grams of {@code ^plate_ocr$}; a wildcard pattern's literal
 * runs become required grams.</li>
 * <li>{@link #deletions}: the deletion neighbourhood (symmetric-delete, as in SymSpell): if two
 * strings are within Levenshtein distance k, some string with at most k deletions from each is
 * common to both, so a terms query on these finds every candidate within k edits.</li>
 * </ul>
 */
public final class PlateIndexTerms {
    public static final char START = '^';
    public static final char END = '$';
    public static final int MAX_GRAM = 3;

    private PlateIndexTerms() {
    }

    /**
     * The distinct 1-, 2- and 3-grams of {@code ^ocr$} (the lone anchors excluded), in order of first
     * appearance. Hot path of every ingested read: char arrays and one small hash set, no regex.
     */
    public static List<String> grams(String ocr) {
        int len = ocr.length() + 2;
        char[] anchored = new char[len];
        anchored[0] = START;
        ocr.getChars(0, ocr.length(), anchored, 1);
        anchored[len - 1] = END;
        List<String> out = new ArrayList<>(3 * len);
        // packed-long de-duplication for plate characters; a String set for anything else (rare)
        PackedTermSet packed = PackedTermSet.alphabetOnly(anchored) ? new PackedTermSet(3 * len) : null;
        Set<String> hashed = packed == null ? new HashSet<>() : null;
        for (int n = 1; n <= MAX_GRAM; n++) {
            for (int i = 0; i + n <= len; i++) {
                if (n == 1 && (i == 0 || i == len - 1)) continue;
                boolean fresh = packed != null ? packed.add(anchored, i, n, -1, -1) : hashed.add(new String(anchored, i, n));
                if (fresh) out.add(new String(anchored, i, n));
            }
        }
        return out;
    }

    /**
     * Every distinct string obtained by deleting 0..maxDeletions characters (the input itself
     * included), in order of first appearance. Up to two deletions of a packable plate (what is
     * stored per read) are generated directly by position; anything else uses the general
     * breadth-first expansion.
     */
    public static List<String> deletions(String ocr, int maxDeletions) {
        if (maxDeletions <= 2 && PackedTermSet.fits(ocr.toCharArray())) return deletionsUpToTwo(ocr, maxDeletions);
        Set<String> out = new LinkedHashSet<>();
        out.add(ocr);
        Set<String> frontier = Set.of(ocr);
        for (int d = 0; d < maxDeletions; d++) {
            Set<String> next = new LinkedHashSet<>();
            for (String s : frontier) {
                for (int i = 0; i < s.length(); i++) {
                    String shorter = s.substring(0, i) + s.substring(i + 1);
                    if (out.add(shorter)) next.add(shorter);
                }
            }
            frontier = next;
        }
        return new ArrayList<>(out);
    }

    private static List<String> deletionsUpToTwo(String ocr, int maxDeletions) {
        int n = ocr.length();
        char[] src = ocr.toCharArray();
        char[] buf = new char[Math.max(n, 1)];
        int expected = 1 + n + n * (n - 1) / 2;
        List<String> out = new ArrayList<>(expected);
        // plates are short over a small alphabet: duplicates are found on packed longs, and a String
        // is only built for a variant not seen before
        PackedTermSet seen = new PackedTermSet(expected);
        seen.add(src, 0, n, -1, -1);
        out.add(ocr);
        if (maxDeletions >= 1) {
            for (int i = 0; i < n; i++) {
                if (seen.add(src, 0, n, i, -1)) out.add(without(src, buf, i, -1));
            }
        }
        if (maxDeletions >= 2) {
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    if (seen.add(src, 0, n, i, j)) out.add(without(src, buf, i, j));
                }
            }
        }
        return out;
    }

    /** {@code src} without the characters at positions {@code i} and (if not -1) {@code j}. */
    private static String without(char[] src, char[] buf, int i, int j) {
        int k = 0;
        for (int p = 0; p < src.length; p++) {
            if (p != i && p != j) buf[k++] = src[p];
        }
        return new String(buf, 0, k);
    }
}
