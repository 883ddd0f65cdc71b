package org.platewarden.core.plate;

import java.util.ArrayList;
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

    public static List<String> grams(String ocr) {
        String anchored = START + ocr + END;
        Set<String> out = new LinkedHashSet<>();
        for (int n = 1; n <= MAX_GRAM; n++) {
            for (int i = 0; i + n <= anchored.length(); i++) {
                String g = anchored.substring(i, i + n);
                if (!g.equals(String.valueOf(START)) && !g.equals(String.valueOf(END))) out.add(g);
            }
        }
        return new ArrayList<>(out);
    }

    /** Every distinct string obtained by deleting 0..maxDeletions characters (the input itself included). */
    public static List<String> deletions(String ocr, int maxDeletions) {
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
}
