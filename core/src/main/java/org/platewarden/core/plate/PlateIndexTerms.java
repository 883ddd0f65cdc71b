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
     * Receives one term: {@code chars[from, from+len)} without the characters at the absolute
     * positions {@code skipA} and {@code skipB} (-1: none). The array is the caller's and is reused:
     * copy what must outlive the call.
     */
    @FunctionalInterface
    public interface TermSink {
        void term(char[] chars, int from, int len, int skipA, int skipB);
    }

    /**
     * The distinct 1-, 2- and 3-grams of {@code ^ocr$} (the lone anchors excluded), in order of first
     * appearance.
     */
    public static List<String> grams(String ocr) {
        List<String> out = new ArrayList<>(3 * ocr.length() + 6);
        forEachGram(ocr, (chars, from, len, skipA, skipB) -> out.add(text(chars, from, len, skipA, skipB)));
        return out;
    }

    /**
     * {@link #grams} handed to {@code sink} one by one, without building a String per term: the
     * indexer writes them straight into the document (hot path of every indexed read). Char arrays
     * and one small packed set, no regex.
     */
    public static void forEachGram(String ocr, TermSink sink) {
        int len = ocr.length() + 2;
        char[] anchored = new char[len];
        anchored[0] = START;
        ocr.getChars(0, ocr.length(), anchored, 1);
        anchored[len - 1] = END;
        // packed-long de-duplication for plate characters; a String set for anything else (rare)
        byte[] codes = PackedTermSet.codes(anchored);
        PackedTermSet packed = codes != null ? new PackedTermSet(3 * len) : null;
        Set<String> hashed = packed == null ? new HashSet<>() : null;
        for (int n = 1; n <= MAX_GRAM; n++) {
            for (int i = 0; i + n <= len; i++) {
                if (n == 1 && (i == 0 || i == len - 1)) continue;
                boolean fresh = packed != null ? packed.add(codes, i, n, -1, -1) : hashed.add(new String(anchored, i, n));
                if (fresh) sink.term(anchored, i, n, -1, -1);
            }
        }
    }

    /**
     * Every distinct string obtained by deleting 0..maxDeletions characters (the input itself
     * included), in order of first appearance.
     */
    public static List<String> deletions(String ocr, int maxDeletions) {
        List<String> out = new ArrayList<>();
        forEachDeletion(ocr, maxDeletions, (chars, from, len, skipA, skipB) -> out.add(text(chars, from, len, skipA, skipB)));
        return out;
    }

    /**
     * {@link #deletions} handed to {@code sink} one by one. Up to two deletions of a packable plate
     * (what is stored per read) are generated directly by position, with no String per variant;
     * anything else uses the general breadth-first expansion.
     */
    public static void forEachDeletion(String ocr, int maxDeletions, TermSink sink) {
        char[] src = ocr.toCharArray();
        byte[] codes = maxDeletions <= 2 && src.length <= PackedTermSet.MAX_CHARS ? PackedTermSet.codes(src) : null;
        if (codes != null) {
            deletionsUpToTwo(src, codes, maxDeletions, sink);
            return;
        }
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
        for (String s : out) sink.term(s.toCharArray(), 0, s.length(), -1, -1);
    }

    private static void deletionsUpToTwo(char[] src, byte[] codes, int maxDeletions, TermSink sink) {
        int n = src.length;
        // plates are short over a small alphabet: duplicates are found on packed longs
        PackedTermSet seen = new PackedTermSet(1 + n + n * (n - 1) / 2);
        seen.add(codes, 0, n, -1, -1);
        sink.term(src, 0, n, -1, -1);
        if (maxDeletions >= 1) {
            for (int i = 0; i < n; i++) {
                if (seen.add(codes, 0, n, i, -1)) sink.term(src, 0, n, i, -1);
            }
        }
        if (maxDeletions >= 2) {
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    if (seen.add(codes, 0, n, i, j)) sink.term(src, 0, n, i, j);
                }
            }
        }
    }

    /** The term a {@link TermSink} receives, as a String. */
    public static String text(char[] chars, int from, int len, int skipA, int skipB) {
        char[] buf = new char[len];
        int k = 0;
        for (int p = from; p < from + len; p++) {
            if (p != skipA && p != skipB) buf[k++] = chars[p];
        }
        return new String(buf, 0, k);
    }
}
