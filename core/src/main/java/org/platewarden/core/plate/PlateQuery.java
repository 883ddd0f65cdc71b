package org.platewarden.core.plate;

/**
 * The plate part of a search request, validated and normalised.
 *
 * <p>The pattern is read exactly as {@link PlateNormalizer} reads a stored plate (upper case,
 * full-width forms, accents and Cyrillic or Greek look-alike letters folded to A-Z and 0-9,
 * separators such as spaces, dashes and dots dropped), keeping two wildcards: {@code ?} = exactly
 * one unknown character, {@code *} = any run of characters, possibly empty. So "ABC 1234",
 * "abc-1234" and the same in full-width letters are the same query, and a letter or digit that no
 * stored plate can hold is refused, naming it, rather than dropped. Runs of {@code *} are
 * collapsed into one (they mean the same thing).
 *
 * @param pattern  the normalised pattern (never empty, at least one literal character)
 * @param ocr      when true, OCR-equivalent characters (see {@link OcrFolding}) count as equal
 * @param maxEdits 0..2: the largest Levenshtein distance accepted (see {@link PlateMatcher})
 */
public record PlateQuery(String pattern, boolean ocr, int maxEdits) {
    public static final char ONE = '?';
    public static final char ANY = '*';
    private static final String WILDCARDS = "" + ONE + ANY;
    /** longest raw input accepted (before normalisation), to bound the work done on garbage */
    public static final int MAX_RAW_LENGTH = 64;
    /** longest normalised pattern (literals and wildcards); real plates have at most ~10 characters */
    public static final int MAX_PATTERN_LENGTH = 16;
    public static final int MAX_EDITS = 2;

    public PlateQuery {
        if (pattern == null) throw new PlateQueryException("plate pattern is required");
        String canonical = canonical(pattern);
        if (!canonical.equals(pattern)) {
            throw new PlateQueryException("plate pattern is not normalised; use PlateQuery.parse: " + pattern);
        }
        if (pattern.isEmpty()) throw new PlateQueryException("plate pattern is empty");
        if (pattern.length() > MAX_PATTERN_LENGTH) {
            throw new PlateQueryException("plate pattern has " + pattern.length() + " characters; at most "
                    + MAX_PATTERN_LENGTH + " are allowed");
        }
        if (countLiterals(pattern) == 0) {
            throw new PlateQueryException("plate pattern has only wildcards; give at least one known character");
        }
        if (maxEdits < 0 || maxEdits > MAX_EDITS) {
            throw new PlateQueryException("max_edits must be between 0 and " + MAX_EDITS + ", got " + maxEdits);
        }
    }

    /** Parses user input; {@code ocr} defaults to true and {@code maxEdits} to 0 when null. */
    public static PlateQuery parse(String raw, Boolean ocr, Integer maxEdits) {
        if (raw == null) throw new PlateQueryException("plate pattern is required");
        if (raw.length() > MAX_RAW_LENGTH) {
            throw new PlateQueryException("plate pattern input is longer than " + MAX_RAW_LENGTH + " characters");
        }
        return new PlateQuery(canonical(raw), ocr == null || ocr, maxEdits == null ? 0 : maxEdits);
    }

    public static PlateQuery parse(String raw) {
        return parse(raw, null, null);
    }

    /** Number of literal (known) characters, for the dragnet guard's minimum. */
    public int knownChars() {
        return countLiterals(pattern);
    }

    /**
     * Literal characters guaranteed to take part in a match: {@link #knownChars()} minus
     * {@code maxEdits} (each edit can spoil one). A dragnet guard should apply its minimum to this.
     */
    public int effectiveKnownChars() {
        return Math.max(0, knownChars() - maxEdits);
    }

    public boolean hasWildcards() {
        return pattern.indexOf(ONE) >= 0 || pattern.indexOf(ANY) >= 0;
    }

    public boolean hasAnyRun() {
        return pattern.indexOf(ANY) >= 0;
    }

    /** Number of {@code ?} in the pattern. */
    public int singleWildcards() {
        int n = 0;
        for (int i = 0; i < pattern.length(); i++) if (pattern.charAt(i) == ONE) n++;
        return n;
    }

    /** Shortest plate the pattern matches without edits (literals plus {@code ?}). */
    public int minLength() {
        int n = 0;
        for (int i = 0; i < pattern.length(); i++) if (pattern.charAt(i) != ANY) n++;
        return n;
    }

    static boolean isLiteral(char c) {
        return PlateNormalizer.isLatin(c);
    }

    private static int countLiterals(String p) {
        int n = 0;
        for (int i = 0; i < p.length(); i++) if (isLiteral(p.charAt(i))) n++;
        return n;
    }

    /**
     * The pattern read as {@link PlateNormalizer} reads a stored plate, the wildcards kept (a
     * full-width {@code ？} or {@code ＊} is one too, by NFKC) and runs of {@code *} collapsed.
     */
    private static String canonical(String raw) {
        String folded;
        try {
            folded = PlateNormalizer.fold(raw, WILDCARDS);
        } catch (PlateCharacterException e) {
            throw new PlateQueryException("plate pattern '" + raw + "' has " + e.character() + ", " + PlateCharacterException.WHAT);
        }
        if (folded.indexOf(ANY) < 0) return folded;
        StringBuilder sb = new StringBuilder(folded.length());
        for (int i = 0; i < folded.length(); i++) {
            char c = folded.charAt(i);
            if (c != ANY || sb.length() == 0 || sb.charAt(sb.length() - 1) != ANY) sb.append(c);
        }
        return sb.toString();
    }
}
