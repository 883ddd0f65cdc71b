package org.platewarden.core.plate;

import java.util.Optional;

/**
 * Decides whether a stored read's {@code plate_norm} matches a {@link PlateQuery}, and how.
 *
 * <p>Semantics, checked in this order (the first that holds wins):
 * <ol>
 * <li><b>exact</b> (edits 0): the pattern has no wildcards and {@code plate_norm} equals it.</li>
 * <li><b>wildcard</b> (edits 0): the pattern has wildcards and matches {@code plate_norm}
 * literally, {@code ?} standing for exactly one character and {@code *} for any run (possibly
 * empty).</li>
 * <li><b>ocr</b> (edits 0; only when {@code ocr=true}): the pattern matches after folding both
 * the pattern and the plate with {@link OcrFolding} (with or without wildcards), but not
 * literally.</li>
 * <li><b>edit</b> (edits 1..maxEdits): the smallest optimal-string-alignment distance (restricted
 * Damerau-Levenshtein) between the pattern and the plate is between 1 and {@code maxEdits}.
 * Inserting, deleting or substituting a character costs 1, and so does swapping two adjacent
 * pattern elements that are not {@code *} ({@code ACB1234} is 1 edit from {@code ABC1234}; a
 * swapped pair is not edited again); {@code ?} matches any one character at cost 0 (dropping a
 * {@code ?} costs 1); {@code *} matches any run at cost 0. The distance is computed on folded
 * strings when {@code ocr=true} and on {@code plate_norm} otherwise.</li>
 * </ol>
 * Anything else is no match.
 *
 * <p>Cost: no regex and no string building per plate; the glob checks are allocation-free and
 * the edit check is a three-row dynamic programme over (pattern length + 1) x (plate length + 1)
 * cells that stops as soon as a whole row exceeds {@code maxEdits} (a swap reaches back two rows,
 * but never below the substitution through the row between, so the stop stays exact). Instances are immutable and
 * thread-safe; build one per query and reuse it for every candidate.
 */
public final class PlateMatcher {
    private final PlateQuery query;
    private final OcrFolding folding;
    private final char[] literal;
    private final char[] folded;
    private final boolean wildcards;

    public PlateMatcher(PlateQuery query, OcrFolding folding) {
        this.query = query;
        this.folding = folding;
        this.literal = query.pattern().toCharArray();
        this.folded = folding.fold(query.pattern()).toCharArray();
        this.wildcards = query.hasWildcards();
    }

    public PlateMatcher(PlateQuery query) {
        this(query, OcrFolding.defaults());
    }

    public PlateQuery query() {
        return query;
    }

    /** @param plateNorm the stored {@code plate_norm} (upper-case A-Z0-9) */
    public Optional<PlateMatch> match(String plateNorm) {
        PlateMatch m = matchOrNull(plateNorm);
        return m == null ? Optional.empty() : Optional.of(m);
    }

    /** As {@link #match} without the Optional, for hot loops. */
    public PlateMatch matchOrNull(String plateNorm) {
        if (plateNorm == null) return null;
        if (glob(literal, plateNorm, false)) return wildcards ? PlateMatch.WILDCARD : PlateMatch.EXACT;
        if (query.ocr() && glob(folded, plateNorm, true)) return PlateMatch.OCR;
        int max = query.maxEdits();
        if (max == 0) return null;
        // Both globs failed, so the distance on the strings compared is at least 1.
        int d = distance(query.ocr() ? folded : literal, plateNorm, query.ocr(), max);
        return d <= max ? PlateMatch.edit(d) : null;
    }

    private boolean same(char patternChar, char plateChar, boolean fold) {
        return patternChar == (fold ? folding.fold(plateChar) : plateChar);
    }

    /**
     * Iterative glob match with backtracking to the last {@code *}: O(n*m) worst case, no
     * allocation. Pattern characters are already folded when {@code fold} is set.
     */
    private boolean glob(char[] p, String t, boolean fold) {
        int n = p.length, m = t.length();
        int i = 0, j = 0, star = -1, mark = 0;
        while (j < m) {
            if (i < n && p[i] != PlateQuery.ANY && (p[i] == PlateQuery.ONE || same(p[i], t.charAt(j), fold))) {
                i++;
                j++;
            } else if (i < n && p[i] == PlateQuery.ANY) {
                star = i++;
                mark = j;
            } else if (star >= 0) {
                i = star + 1;
                j = ++mark;
            } else {
                return false;
            }
        }
        while (i < n && p[i] == PlateQuery.ANY) i++;
        return i == n;
    }

    /**
     * Optimal-string-alignment distance between a glob pattern and a plate, capped at
     * {@code max + 1}. Row i holds the cost of matching the first i pattern elements against each
     * prefix of the plate; a swap of pattern elements i-1 and i (neither {@code *}) against plate
     * characters j-1 and j costs 1 from row i-2.
     */
    private int distance(char[] p, String t, boolean fold, int max) {
        int m = t.length();
        int cap = max + 1;
        int[] prev2 = new int[m + 1];
        int[] prev = new int[m + 1];
        int[] cur = new int[m + 1];
        for (int j = 0; j <= m; j++) prev[j] = Math.min(j, cap);
        for (int i = 0; i < p.length; i++) {
            char c = p[i];
            int rowMin;
            if (c == PlateQuery.ANY) {
                cur[0] = prev[0];
                rowMin = cur[0];
                for (int j = 1; j <= m; j++) {
                    cur[j] = Math.min(prev[j], cur[j - 1]);
                    rowMin = Math.min(rowMin, cur[j]);
                }
            } else {
                boolean swappable = i > 0 && p[i - 1] != PlateQuery.ANY;
                cur[0] = Math.min(prev[0] + 1, cap);
                rowMin = cur[0];
                for (int j = 1; j <= m; j++) {
                    int diag = prev[j - 1] + (matches(c, t.charAt(j - 1), fold) ? 0 : 1);
                    int v = Math.min(diag, Math.min(prev[j], cur[j - 1]) + 1);
                    if (swappable && j > 1 && matches(c, t.charAt(j - 2), fold) && matches(p[i - 1], t.charAt(j - 1), fold)) {
                        v = Math.min(v, prev2[j - 2] + 1);
                    }
                    cur[j] = Math.min(v, cap);
                    rowMin = Math.min(rowMin, cur[j]);
                }
            }
            if (rowMin > max) return cap;
            int[] swap = prev2;
            prev2 = prev;
            prev = cur;
            cur = swap;
        }
        return prev[m];
    }

    private boolean matches(char patternElement, char plateChar, boolean fold) {
        return patternElement == PlateQuery.ONE || same(patternElement, plateChar, fold);
    }
}
